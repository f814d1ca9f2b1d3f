// The bench's cifar3 model (3×32×32, convs of 32/64/128 channels): wider layers than LeNet-5 take
// other kernel paths (split-K, larger tiles, fused epilogues at more channels). Three SGD steps on
// WebGPU follow the CPU engine: the same loss each step and the same gradients within f32 noise.

import * as assert from 'node:assert/strict';
import type { Backend } from '../../src/engine/backend';
import { Network } from '../../src/engine/network';
import { createOptimizer } from '../../src/engine/optim/optimizer';
import * as L from '../unit/engine/specs';
import { suiteWebGpu } from '../backends';
import { assertNear, cpuBackend, randomValues } from './twins';

const CIFAR3 = L.model([3, 32, 32], [
  L.conv(32, 3, { pad: 1 }), L.relu, L.maxpool(2), L.conv(64, 3, { pad: 1 }), L.relu, L.maxpool(2),
  L.conv(128, 3, { pad: 1 }), L.relu, L.maxpool(2), L.flatten, L.dense(10), L.softmax,
], 'cross_entropy', { optimizer: 'sgd', lr: 0.01, momentum: 0.9 });
const BATCH = 16;

function trainer(backend: Backend) {
  const net = new Network(backend, CIFAR3, { maxBatch: BATCH, seed: 1 });
  net.initialize(1);
  const optimizer = createOptimizer(backend, net.parameters, CIFAR3.train);
  const metrics = backend.zeros(3);
  const step = (t: number) => {
    const pass = { n: BATCH, training: true, seed: t };
    backend.fill(metrics, 0, 3);
    net.forward(pass);
    net.computeLoss(BATCH, metrics, true);
    net.backward(pass);
    optimizer.step(0.01);
    backend.flush();
  };
  return { net, metrics, step };
}

describe('webgpu cifar3-shaped training steps', () => {
  const suiteGpu = suiteWebGpu();
  it('follow the cpu: the same loss and gradients for three steps', async function () {
    this.timeout(120_000);
    const gpu = suiteGpu(), cpu = cpuBackend();
    const a = trainer(cpu), b = trainer(gpu);
    const images = randomValues(BATCH * 3 * 32 * 32, 7), labels = Array.from({ length: BATCH }, (_, i) => (i * 3) % 10);
    for (const [backend, t] of [[cpu, a], [gpu, b]] as const) {
      backend.write(t.net.input, images);
      backend.write(t.net.labels, labels);
    }
    for (let t = 1; t <= 3; t++) {
      a.step(t);
      b.step(t);
      assertNear(await gpu.read(b.metrics), await cpu.read(a.metrics), `metrics after step ${t}`, 1e-5);
      for (let i = 0; i < a.net.parameters.length; i++) {
        const p = a.net.parameters[i]!;
        assertNear(await gpu.read(b.net.parameters[i]!.grad), await cpu.read(p.grad), `${p.name} gradient at step ${t}`, 1e-4);
      }
    }
    assert.ok(a.net.parameters.length === 8, 'four weighted layers');
    a.net.dispose();
    b.net.dispose();
  });
});
