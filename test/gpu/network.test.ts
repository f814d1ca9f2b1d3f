// A whole LeNet-5 training step through the shared Network code on both backends: the structural
// numbers that matter on a GPU (one submit per step, no readbacks) and the same training curve.

import * as assert from 'node:assert/strict';
import type { Backend, Tensor } from '../../src/engine/backend';
import { Network } from '../../src/engine/network';
import { createOptimizer } from '../../src/engine/optim/optimizer';
import * as L from '../unit/engine/specs';
import { suiteWebGpu } from '../backends';
import { assertNear, cpuBackend, randomValues } from './twins';

const LENET = L.model([1, 28, 28], [
  L.conv(6, 5, { pad: 2 }), L.relu, L.maxpool(2), L.conv(16, 5), L.relu, L.maxpool(2),
  L.flatten, L.dense(120), L.relu, L.dense(84), L.relu, L.dense(10), L.softmax,
], 'cross_entropy', { optimizer: 'sgd', lr: 0.05, momentum: 0.9 });
const BATCH = 8;

function trainer(backend: Backend) {
  const net = new Network(backend, LENET, { maxBatch: BATCH, seed: 1 });
  net.initialize(1);
  const optimizer = createOptimizer(backend, net.parameters, LENET.train);
  const metrics = backend.zeros(3);
  const step = (t: number, n: number) => {
    const pass = { n, training: true, seed: t };
    net.forward(pass);
    net.computeLoss(n, metrics, true);
    net.backward(pass);
    optimizer.step(0.05 / (1 + 0.1 * t));
    backend.flush();
  };
  return { net, metrics, step };
}

describe('webgpu LeNet-5 training step', () => {
  const suiteGpu = suiteWebGpu();
  it('builds every pipeline of a step up front (compilePipelines), so the first step compiles none', async () => {
    const gpu = suiteGpu();
    const t = trainer(gpu);
    const optimizer = createOptimizer(gpu, t.net.parameters, LENET.train);
    await t.net.compilePipelines(t.metrics, () => optimizer.step(0.01));
    const compiled = gpu.stats.pipelines, dispatches = gpu.stats.dispatches;
    assert.ok(compiled >= 10, `${compiled} pipelines`);
    assert.equal(dispatches, 0, 'the dry pass dispatches nothing');
    gpu.write(t.net.input, randomValues(BATCH * 28 * 28, 3));
    gpu.write(t.net.labels, Array.from({ length: BATCH }, (_, i) => i % 10));
    t.step(1, BATCH);
    assert.equal(gpu.stats.pipelines, compiled, 'no pipeline compiled by the first full-batch step');
    const [, , count] = await gpu.read(t.metrics);
    assert.equal(count, BATCH, 'the step ran');
    t.net.dispose();
  });

  it('is one submit with no readback, and follows the cpu for a few steps', async () => {
    const gpu = suiteGpu();
    const cpu = cpuBackend();
    const a = trainer(cpu), b = trainer(gpu);
    const images = randomValues(BATCH * 28 * 28, 7), labels = Array.from({ length: BATCH }, (_, i) => (i * 3) % 10);
    for (const [backend, t] of [[cpu, a], [gpu, b]] as const) {
      backend.write(t.net.input, images);
      backend.write(t.net.labels, labels);
    }
    a.step(1, BATCH);
    b.step(1, BATCH);  // compiles pipelines, creates bind groups
    const before = gpu.stats;
    for (let t = 2; t <= 3; t++) { a.step(t, BATCH - 3); b.step(t, BATCH - 3); }  // partial batches
    const after = gpu.stats;
    const dispatches = (after.dispatches - before.dispatches) / 2;
    assert.equal(after.submits - before.submits, 2, 'one submit per step');
    assert.equal(after.readbacks - before.readbacks, 0, 'no readbacks during training');
    assert.equal(after.pipelines, before.pipelines, 'no pipeline compiled after the first step');
    // Fused epilogues and the one-dispatch optimizer (docs/performance.md) keep a step at ≤ 30 (49 before).
    assert.ok(dispatches <= 30, `${dispatches} dispatches per step`);

    // Metrics (Σ loss, #correct, n) after three steps, then every weight.
    assertNear(await gpu.read(b.metrics), await cpu.read(a.metrics), 'metrics', 1e-4);
    for (let i = 0; i < a.net.parameters.length; i++) {
      const p = a.net.parameters[i];
      const read = (be: Backend, q: { value: Tensor }) => be.read(q.value);
      // Three SGD steps amplify f32 summation-order differences a little.
      assertNear(await read(gpu, b.net.parameters[i]), await read(cpu, p), p.name, 2e-4);
    }
  });
});
