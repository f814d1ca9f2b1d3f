// The peers bench's pieces without timing: spreads, the learning check, the JSON line, the plans,
// the ConvLab model text of each workload, and the tfjs-wasm filter-gradient shim against tfjs-cpu.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { analyze } from '../../../src/lang';
import { spreadOf } from '../../../src/cli/bench/measure';
import { measurementJson, notLearning } from '../../../src/cli/bench/report';
import { parseContestants, roundPlan } from '../../../src/cli/bench/peers';
import { convlabModelText, PEER_WORKLOADS } from '../../../src/cli/bench/workloads';
import { registerWasmFilterGradientShim } from '../../../src/cli/bench/tfjs-wasm-shim';
import type { Tf } from '../../../src/cli/bench/tfjs-model';
import type { ContestantRun } from '../../../src/cli/bench/contestant';

const runtimeRequire = createRequire(__filename);

describe('bench peers: pieces', () => {
  it('spreadOf gives min, median and max', () => {
    assert.deepEqual(spreadOf([3, 1, 2]), { min: 1, median: 2, max: 3 });
    assert.deepEqual(spreadOf([5, 1]), { min: 1, median: 5, max: 5 });
    assert.throws(() => spreadOf([]), /no timed rounds/);
  });

  it('notLearning flags a loss that did not fall or is not finite', () => {
    const run = (first: number, last: number): ContestantRun => ({ measurements: [], loss: { first, last } });
    assert.equal(notLearning(run(2.3, 2.1)), false);
    assert.equal(notLearning(run(2.3, 2.3)), true);
    assert.equal(notLearning(run(2.3, 2.5)), true);
    assert.equal(notLearning(run(2.3, Number.NaN)), true);
  });

  it('measurementJson writes the fields in order', () => {
    const line = measurementJson({ contestant: 'tfjs-wasm', workload: 'cifar3', metric: 'infer_images_per_s', spread: { min: 1, median: 2, max: 3 } });
    assert.equal(line, '{"contestant":"tfjs-wasm","workload":"cifar3","metric":"infer_images_per_s","median":2,"min":1,"max":3}');
  });

  it('parseContestants keeps the order given and rejects unknown names', () => {
    assert.deepEqual(parseContestants('tfjs-cpu, convlab-cpu'), ['tfjs-cpu', 'convlab-cpu']);
    assert.equal(parseContestants(undefined).length, 6);
    assert.throws(() => parseContestants('convlab-cpu,keras'), /unknown contestant 'keras'/);
  });

  it('roundPlan times fewer steps for slow contestants and for --quick', () => {
    assert.ok(roundPlan('lenet5', 'tfjs-cpu', false).steps < roundPlan('lenet5', 'convlab-cpu', false).steps);
    assert.ok(roundPlan('lenet5', 'convlab-cpu', true).steps < roundPlan('lenet5', 'convlab-cpu', false).steps);
    for (const quick of [true, false]) assert.ok(roundPlan('cifar3', 'pytorch-cpu', quick).reps >= 2, 'two timed rounds to compare losses');
  });

  it('the ConvLab model of each workload checks and has the intended shapes', () => {
    const lenet = analyze(convlabModelText(PEER_WORKLOADS.lenet5));
    assert.deepEqual(lenet.diagnostics.filter((d) => d.severity === 'error'), []);
    assert.equal(lenet.totalParams, 61706);
    assert.equal(lenet.spec.train.batch, 64);
    const cifar = analyze(convlabModelText(PEER_WORKLOADS.cifar3));
    assert.deepEqual(cifar.diagnostics.filter((d) => d.severity === 'error'), []);
    assert.equal(cifar.totalParams, 896 + 18496 + 73856 + 20490);
  });

  describe('tfjs-wasm Conv2DBackpropFilter shim', function () {
    this.timeout(60_000);
    let tf: Tf;
    before(async () => {
      tf = runtimeRequire('@tensorflow/tfjs') as Tf;
      const wasm = runtimeRequire('@tensorflow/tfjs-backend-wasm') as { setWasmPaths(prefix: string): void };
      wasm.setWasmPaths(`${dirname(runtimeRequire.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      registerWasmFilterGradientShim(tf);
    });

    const filterGradient = async (backend: string, pad: 'same' | 'valid', stride: number) => {
      assert.ok(await tf.setBackend(backend));
      const values = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + seed));
      const x = tf.tensor4d(values(2 * 7 * 7 * 3, 1), [2, 7, 7, 3]);
      const w = tf.tensor4d(values(3 * 3 * 3 * 4, 2), [3, 3, 3, 4]);
      const probe = tf.conv2d(x, w, stride, pad);
      const dy = tf.tensor(values(probe.size, 3), probe.shape);
      const dw = tf.grad((f) => tf.sum(tf.mul(tf.conv2d(x, f as typeof w, stride, pad), dy)))(w);
      const result = await dw.data();
      tf.dispose([x, w, probe, dy, dw]);
      return result;
    };

    it('refuses strides it does not support', async () => {
      await assert.rejects(filterGradient('wasm', 'same', 2), /stride 1/);
    });

    for (const [pad, stride] of [['same', 1], ['valid', 1]] as const) {
      it(`matches tfjs-cpu (pad ${pad}, stride ${stride})`, async () => {
        const expected = await filterGradient('cpu', pad, stride);
        const actual = await filterGradient('wasm', pad, stride);
        assert.equal(actual.length, expected.length);
        for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i] - expected[i]) < 1e-3, `dw[${i}]: ${actual[i]} vs ${expected[i]}`);
      });
    }
  });
});
