// Live views on their own: one example's probabilities and feature maps, and the latest gradients,
// read correctly even when later work is queued right after the call.

import * as assert from 'node:assert/strict';
import { argmaxColumn } from '../../../../src/engine/argmax';
import { CpuBackend } from '../../../../src/engine/cpu/backend';
import { fillBatch, type Dataset } from '../../../../src/engine/data/dataset';
import { trackAllocations } from '../../../../src/engine/layers/allocations';
import { Network } from '../../../../src/engine/network';
import { Inspector } from '../../../../src/engine/train/inspection';
import * as L from '../specs';

const spec = L.model([2, 5, 5], [L.conv(3, 3, { pad: 1 }), L.relu, L.avgpool(2), L.flatten, L.dense(4), L.softmax]);

function images(count: number, offset: number) {
  const images = Uint8Array.from({ length: count * 50 }, (_, i) => (i * 37 + offset) % 256);
  return { count, images, labels: Uint8Array.from({ length: count }, (_, i) => (i + offset) % 4) };
}
const dataset: Dataset = { name: 'pattern', shape: [2, 5, 5], classes: 4, train: images(6, 1), test: images(3, 2) };

/** The same example through a fresh network with `net`'s weights, as a batch of 1. */
async function reference(net: Network, image: Float32Array) {
  const backend = new CpuBackend();
  const copy = new Network(backend, spec, { maxBatch: 1 });
  copy.writeState(await net.readState());
  backend.write(copy.input, image);
  const probabilities = await backend.read(copy.predict({ n: 1, training: false, seed: 0 }));
  return { probabilities, conv: (await copy.readFeatureMaps(0, 0)).data, pool: (await copy.readFeatureMaps(2, 0)).data };
}

describe('train: inspection', () => {
  it('shows one example: label, normalised image, probabilities, prediction and conv/pool maps', async () => {
    const backend = new CpuBackend();
    const net = new Network(backend, spec, { maxBatch: 8, seed: 4 });
    const seen = await new Inspector(backend, net, dataset).inspect('train', 4);
    const image = new Float32Array(50), label = new Uint32Array(1);
    fillBatch(dataset.train, dataset.shape, [4], image, label);
    assert.equal(seen.label, label[0]);
    assert.deepEqual(seen.image, image);
    const expected = await reference(net, image);
    assert.deepEqual([...seen.probabilities], [...expected.probabilities]);
    assert.equal(seen.predicted, argmaxColumn(seen.probabilities, 4));
    assert.deepEqual(seen.featureMaps.map((m) => [m.layer, ...m.shape]), [[0, 3, 5, 5], [2, 3, 2, 2]]);
    // Only this example's share of a tensor sized for 8 comes back.
    assert.deepEqual(seen.featureMaps[0].data, expected.conv);
    assert.deepEqual(seen.featureMaps[1].data, expected.pool);
  });

  it('is not disturbed by work queued right after the call', async () => {
    const backend = new CpuBackend();
    const net = new Network(backend, spec, { maxBatch: 8, seed: 4 });
    const inspector = new Inspector(backend, net, dataset);
    const undisturbed = await inspector.inspect('test', 1);
    const inspecting = inspector.inspect('test', 1);
    const gradients = inspector.gradients();
    // A training step on other examples (weights updated), enqueued before either read has resolved.
    const batch = new Float32Array(8 * 50), labels = new Uint32Array(8);
    fillBatch(dataset.train, dataset.shape, [0, 1, 2, 3, 4, 5, 0, 1], batch, labels);
    backend.write(net.input, batch);
    backend.write(net.labels, labels);
    const pass = { n: 8, training: true, seed: 1 };
    net.forward(pass);
    net.computeLoss(8, backend.zeros(3), true);
    net.backward(pass);
    for (const p of net.parameters) backend.axpy(-1, p.grad, p.value);
    const seen = await inspecting;
    assert.deepEqual(seen.featureMaps, undisturbed.featureMaps);
    assert.deepEqual(seen.probabilities, undisturbed.probabilities);
    assert.ok((await gradients).every((g) => g.data.every((v) => v === 0)), 'the gradients from before the step (none yet)');
    const after = await inspector.gradients();
    assert.deepEqual(after.map((g) => [g.name, g.shape]), net.parameters.map((p) => [p.name, p.shape]));
    assert.ok(after[0].data.some((v) => v !== 0));
  });

  it('refuses an example outside the split, as a rejection', async () => {
    const backend = new CpuBackend();
    const inspector = new Inspector(backend, new Network(backend, spec, { maxBatch: 2 }), dataset);
    await assert.rejects(inspector.inspect('test', 3), /example 3 is not in the test split \(3 examples\)/);
    await assert.rejects(inspector.inspect('train', 1.5), /example 1\.5 is not in the train split \(6 examples\)/);
  });

  it('allocates its snapshot tensors once, from the backend it was given', async () => {
    const cpu = new CpuBackend();
    const net = new Network(cpu, spec, { maxBatch: 2 });
    const tracked = trackAllocations(cpu);
    let allocations = 0;
    const counting = new Proxy(tracked.backend, {
      get: (target, key) => (key === 'zeros' ? (n: number) => { allocations++; return target.zeros(n); } : Reflect.get(target, key)),
    });
    const inspector = new Inspector(counting, net, dataset);
    await inspector.inspect('test', 0);
    await inspector.inspect('test', 2);
    assert.equal(allocations, 3, 'two feature-map layers and the output');
    tracked.release();
    await assert.rejects(inspector.inspect('test', 0), /was disposed/);
  });
});
