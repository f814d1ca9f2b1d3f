// Kernel autotuning on a real device (SwiftShader here): the timestamp stopwatch measures GPU time,
// the whole tuning path runs within compilePipelines, and a network trained with tuned (non-rule)
// kernels matches the rule-based one within f32 tolerance.

import * as assert from 'node:assert/strict';
import type { Backend } from '../../src/engine/backend';
import { Network } from '../../src/engine/network';
import { createOptimizer } from '../../src/engine/optim/optimizer';
import { convCandidates, gemmCandidates, type Candidate } from '../../src/engine/webgpu/autotune/candidates';
import { KernelChoiceTable, type KernelChoiceRecord } from '../../src/engine/webgpu/autotune/choice-table';
import { TimestampStopwatch } from '../../src/engine/webgpu/autotune/timestamp-stopwatch';
import { median, type CandidateTimer } from '../../src/engine/webgpu/autotune/tuner';
import type { WebGpuBackend } from '../../src/engine/webgpu/backend';
import { openDevice } from '../../src/engine/webgpu/device';
import { encodeGemm } from '../../src/engine/webgpu/gemm';
import type { GemmTile } from '../../src/engine/webgpu/kernels';
import { GEMM_TILES } from '../../src/engine/webgpu/kernel-select';
import { createNodeWebGpuBackend, getNodeGpu } from '../../src/engine/webgpu/node-gpu';
import { CommandRecorder } from '../../src/engine/webgpu/recorder';
import { STORAGE } from '../../src/engine/webgpu/tensor-memory';
import * as L from '../unit/engine/specs';
import { assertNear, randomValues } from './twins';

// Tiny, but with every decision kind: a direct-or-implicit forward, dgrad, wgrad, dense GEMMs.
const MODEL = L.model([2, 8, 8], [
  L.conv(4, 3, { pad: 1 }), L.relu, L.maxpool(2), L.conv(8, 3), L.relu, L.flatten, L.dense(10), L.softmax,
], 'cross_entropy', { optimizer: 'sgd', lr: 0.05, momentum: 0.9 });
const BATCH = 4;

/** Prefers the last candidate of every decision (never the rule's pick, which comes first). */
const lastCandidateWins: CandidateTimer & { calls: number } = {
  calls: 0,
  async time(decision, candidate: Candidate, repeats) {
    this.calls++;
    const all: Candidate[] = decision.kind === 'gemm' ? gemmCandidates(decision) : convCandidates(decision);
    const rank = all.findIndex((c) => c.name === candidate.name);
    return Array.from({ length: repeats }, () => 1000 * (all.length - rank));
  },
};

async function trainedWeights(backend: Backend): Promise<Float32Array[]> {
  const net = new Network(backend, MODEL, { maxBatch: BATCH, seed: 1 });
  net.initialize(1);
  const optimizer = createOptimizer(backend, net.parameters, MODEL.train);
  const metrics = backend.zeros(3);
  await net.compilePipelines(metrics, () => optimizer.step(0.05));
  backend.write(net.input, randomValues(BATCH * 2 * 8 * 8, 5));
  backend.write(net.labels, Array.from({ length: BATCH }, (_, i) => (i * 3) % 10));
  for (let t = 1; t <= 2; t++) {
    const pass = { n: BATCH, training: true, seed: t };
    net.forward(pass);
    net.computeLoss(BATCH, metrics, true);
    net.backward(pass);
    optimizer.step(0.05);
    backend.flush();
  }
  const weights = await Promise.all(net.parameters.map((p) => backend.read(p.value)));
  net.dispose();
  return weights as Float32Array[];
}

describe('webgpu kernel autotuning', function () {
  this.timeout(300_000);
  const backends: WebGpuBackend[] = [];
  after(() => { for (const b of backends) b.destroy(); });
  async function backend(options: Parameters<typeof createNodeWebGpuBackend>[0] = {}): Promise<WebGpuBackend> {
    const b = await createNodeWebGpuBackend(options);
    backends.push(b);
    return b;
  }

  it('asks for timestamp-query and times a GEMM with it: positive, plausible durations', async () => {
    const { device, hasTimestamps, adapterIdentity } = await openDevice(getNodeGpu());
    try {
      assert.ok(hasTimestamps, 'SwiftShader offers timestamp-query');
      assert.ok(device.features.has('timestamp-query'));
      assert.match(adapterIdentity, /swiftshader/i);
      const errors: string[] = [];
      const recorder = new CommandRecorder(device, (m) => errors.push(m));
      const buffer = (floats: number) => device.createBuffer({ size: floats * 4, usage: STORAGE });
      const unused = { unusedInput: buffer(4), unusedOutput: buffer(4), unusedAux: buffer(4) };
      // Long enough (~10 ms on SwiftShader) to stand well above its coarse timestamps (multiples of 65.536 µs).
      const [m, n, k] = [96, 128, 128];
      const a = buffer(m * k), b = buffer(k * n), c = buffer(m * n);
      const record = (tile: GemmTile = GEMM_TILES.medium) => encodeGemm({ recorder, ...unused }, {
        operands: 'matrix', m, n, k, a, b, c, tile, operandParams: { trans_a: 0, trans_b: 0 },
      });
      await recorder.compileFor(() => { record(); record(GEMM_TILES.narrow); });
      const stopwatch = new TimestampStopwatch(device, recorder);
      try {
        const times = await stopwatch.time(() => record(), 3);
        assert.equal(times.length, 3);
        for (const ns of times) assert.ok(ns > 0 && ns < 10e9, `${ns} ns`);
        // Four times the work takes longer (a sanity check that the spans cover the dispatches).
        const single = median(await stopwatch.time(() => record(), 3));
        const four = median(await stopwatch.time(() => { for (let i = 0; i < 4; i++) record(); }, 3));
        assert.ok(four > single, `4 GEMMs ${four} ns vs 1 GEMM ${single} ns`);
      } finally {
        stopwatch.destroy();
      }
      assert.deepEqual(errors, []);
    } finally {
      device.destroy();
    }
  });

  it('tunes a network during compilePipelines with the real timer, within its budget, and stores the choices', async () => {
    const saved: KernelChoiceRecord[] = [];
    const cache = { load: async () => undefined, save: async (r: KernelChoiceRecord) => { saved.push(r); } };
    const gpu = await backend({ autotune: { cache, budgetMs: 60_000, repeats: 2 } });
    assert.ok(gpu.autotunes);
    const started = performance.now();
    await trainedWeights(gpu);
    const report = gpu.kernelChoices;
    assert.ok(report.length >= 6, `${report.length} decisions`);
    assert.ok(report.some((r) => r.source === 'measured'), JSON.stringify(report));
    assert.equal(saved.length, 1, 'saved once, after tuning');
    const table = KernelChoiceTable.fromRecord(saved[0], saved[0].kernelSet, assert.fail);
    // A small kernel can finish within one timestamp tick (65.536 µs on SwiftShader) and time at 0;
    // the measured decisions together still took time.
    let total = 0;
    for (const r of report.filter((x) => x.source === 'measured')) {
      const stored = table.get(Object.keys(saved[0].adapters)[0], r.key);
      assert.ok(stored && stored.micros >= 0 && stored.ruleMicros >= 0 && stored.micros <= stored.ruleMicros,
        `${r.key}: ${JSON.stringify(stored)}`);
      total += stored.ruleMicros;
    }
    assert.ok(total > 0, 'the measured decisions took no time at all');
    console.log(`      tuned ${report.filter((r) => r.source === 'measured').length} of ${report.length} decisions in ${Math.round(performance.now() - started)} ms; ` +
      `differing from the rules: ${report.filter((r) => r.choice !== r.rule).map((r) => `${r.key} ${r.rule}→${r.choice}`).join('; ') || 'none'}`);
  });

  it('past its budget starts no new decision, and the next compile continues where it stopped', async () => {
    const gpu = await backend({ autotune: { timer: { time: async (_d, _c, repeats) => Array(repeats).fill(1000) as number[] }, budgetMs: 0 } });
    const net = new Network(gpu, MODEL, { maxBatch: BATCH, seed: 1 });
    const metrics = gpu.zeros(3);
    const measured = () => gpu.kernelChoices.filter((r) => r.source === 'measured').length;
    await net.compilePipelines(metrics);
    assert.equal(measured(), 1, 'one decision per compile at a zero budget');
    await net.compilePipelines(metrics);
    assert.equal(measured(), 2);
    net.dispose();
  });

  it('trains with tuned non-rule kernels to the same weights as the rules, within f32 tolerance', async () => {
    const rules = await backend();
    // A budget no loaded machine exhausts: the GEMM phase's collect builds the new algorithms' pipelines.
    const tuned = await backend({ autotune: { timer: lastCandidateWins, budgetMs: 600_000 } });
    const expected = await trainedWeights(rules);
    const actual = await trainedWeights(tuned);
    const report = tuned.kernelChoices;
    const differing = report.filter((r) => r.choice !== r.rule);
    assert.ok(lastCandidateWins.calls > 0);
    assert.ok(differing.some((r) => r.key.startsWith('conv:')) && differing.some((r) => r.key.startsWith('gemm:')),
      `tuned choices differ from the rules for convolutions and GEMMs: ${JSON.stringify(report)}`);
    assert.deepEqual(rules.kernelChoices, [], 'no autotuning asked for: no report');
    expected.forEach((w, i) => assertNear(actual[i], w, `parameter ${i}`, 1e-4));
  });
});
