// The panel's plot readbacks on the CPU backend: gradient histograms, the chosen image's feature maps
// and prediction, the first conv layer's filters; one read per kind in flight; failures as events.

import * as assert from 'node:assert/strict';
import type { Backend } from '../../../src/engine/backend';
import { CpuBackend } from '../../../src/engine/cpu/backend';
import type { Dataset, Split } from '../../../src/engine/data/dataset';
import { Network } from '../../../src/engine/network';
import type { EngineEvent } from '../../../src/webview/engine-protocol';
import { HISTOGRAM_BINS, Telemetry } from '../../../src/webview/telemetry';
import * as L from '../engine/specs';

const spec = L.model([1, 4, 4], [L.conv(2, 3, { pad: 1 }), L.relu, L.maxpool(2), L.flatten, L.dense(3), L.softmax]);

function split(count: number, offset: number): Split {
  return {
    count,
    images: Uint8Array.from({ length: count * 16 }, (_, i) => (i * 29 + offset) % 256),
    labels: Uint8Array.from({ length: count }, (_, i) => (i + offset) % 3),
  };
}
const dataset: Dataset = { name: 'pattern', shape: [1, 4, 4], classes: 3, train: split(5, 1), test: split(3, 2) };

function setup(data = dataset, wrap: (b: Backend) => Backend = (b) => b) {
  const backend = wrap(new CpuBackend());
  const net = new Network(backend, spec, { maxBatch: 4, seed: 2 });
  const events: EngineEvent[] = [];
  const telemetry = new Telemetry(backend, net, data, (e) => events.push(e));
  const of = <T extends EngineEvent['type']>(type: T) => events.filter((e): e is Extract<EngineEvent, { type: T }> => e.type === type);
  return { telemetry, net, events, of };
}

describe('webview: telemetry', () => {
  it('reports one image: input, prediction with its confidence, and the conv/pool maps by kind', async () => {
    const { telemetry, of } = setup();
    await telemetry.features(1, 7);
    const [f] = of('features');
    assert.deepEqual([f.globalStep, f.example, f.label], [7, 1, dataset.test.labels[1]]);
    assert.deepEqual(f.input.shape, [1, 4, 4]);
    assert.ok(Math.abs(f.input.data[3] - dataset.test.images[16 + 3] / 255) < 1e-7);
    assert.deepEqual(f.maps.map((m) => [m.layer, m.kind, m.shape]), [[0, 'conv', [2, 4, 4]], [2, 'maxpool', [2, 2, 2]]]);
    assert.ok(f.predicted >= 0 && f.predicted < 3 && f.confidence > 1 / 3 - 1e-6 && f.confidence <= 1);
  });

  it('clamps the example to the test split, and draws from the training split when there is no test split', async () => {
    const clamped = setup();
    await clamped.telemetry.features(99, 0);
    assert.equal(clamped.of('features')[0].example, 2);
    const noTest = setup({ ...dataset, test: { count: 0, images: new Uint8Array(0), labels: new Uint8Array(0) } });
    await noTest.telemetry.features(4, 0);
    const f = noTest.of('features')[0];
    assert.deepEqual([f.example, f.label], [4, dataset.train.labels[4]]);
  });

  it('joins a capture still in flight instead of reading twice', async () => {
    const { telemetry, of } = setup();
    const first = telemetry.features(0, 1), second = telemetry.features(2, 2);
    assert.equal(first, second);
    assert.equal(telemetry.gradients(1), telemetry.gradients(2));
    await Promise.all([first, telemetry.inFlight.gradients]);
    assert.deepEqual(of('features').map((f) => f.globalStep), [1]);
    assert.deepEqual(of('gradients').map((g) => g.globalStep), [1]);
    assert.equal(telemetry.inFlight.features, null);
  });

  it('bins every gradient value and reads the first conv layer\'s filters', async () => {
    const { telemetry, of } = setup();
    await telemetry.gradients(3);
    await telemetry.filters(3);
    const g = of('gradients')[0];
    assert.deepEqual(g.tensors.map((t) => t.name), ['layers.0.weight', 'layers.0.bias', 'layers.4.weight', 'layers.4.bias']);
    g.tensors.forEach((t, i) => {
      assert.equal(t.counts.length, HISTOGRAM_BINS);
      assert.equal(t.counts.reduce((a, b) => a + b, 0), [18, 2, 24, 3][i]);
    });
    const f = of('filters')[0];
    assert.deepEqual([f.layer, f.shape, f.data.length], [0, [2, 1, 3, 3], 18]);
  });

  it('turns a failed read into a `failed` event, and reports nothing once disposed', async () => {
    let failReads = false;
    const { telemetry, events, of } = setup(dataset, (cpu) => new Proxy(cpu, {
      get(target, key) {
        const v = Reflect.get(target, key, target);
        if (key === 'read') return (t: Parameters<Backend['read']>[0]) => (failReads ? Promise.reject(new Error('device lost')) : target.read(t));
        return typeof v === 'function' ? v.bind(target) : v;
      },
    }));
    failReads = true;
    await telemetry.gradients(1);
    assert.deepEqual(of('failed').map((e) => e.message), ['reading gradients: device lost']);
    telemetry.dispose();
    failReads = false;
    await Promise.all([telemetry.gradients(2), telemetry.features(0, 2), telemetry.filters(2)]);
    assert.equal(events.length, 1);
  });
});
