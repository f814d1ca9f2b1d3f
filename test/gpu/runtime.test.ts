import * as assert from 'node:assert/strict';
import { createWebGpuBackend, NoWebGpuError, type WebGpuBackend } from '../../src/engine/webgpu/backend';
import { suiteWebGpu } from '../backends';
import { cpuBackend } from './twins';

describe('webgpu runtime', () => {
  let gpu: WebGpuBackend;
  const suiteGpu = suiteWebGpu();
  before(() => { gpu = suiteGpu(); });

  it('describes its adapter and whether it is a fallback adapter', () => {
    assert.match(gpu.description, /^webgpu \(.+\)$/);
    assert.equal(gpu.description.includes('fallback adapter'), gpu.isFallbackAdapter);
  });

  it('handles zero-length tensors in every memory operation', async () => {
    const empty = gpu.zeros(0), none = gpu.indices(0);
    gpu.write(empty, []);
    gpu.fill(empty, 1);
    gpu.scale(empty, 2);
    gpu.axpy(1, empty, empty);
    gpu.copy(empty, empty);
    gpu.gemm(empty, empty, empty, 0, 0, 0);
    assert.equal((await gpu.read(empty)).length, 0);
    assert.equal((await gpu.readIndices(none)).length, 0);
    gpu.dispose(empty);
    gpu.dispose(none);
  });

  it('writes at an offset, and u32 tensors round-trip exactly', async () => {
    const t = gpu.zeros(5), u = gpu.indices(4);
    gpu.write(t, [1.5, -2], 3);
    gpu.write(u, [0, 1, 0xffffffff, 7]);
    gpu.fill(u, 9, 2);
    assert.deepEqual(Array.from(await gpu.read(t)), [0, 0, 0, 1.5, -2]);
    assert.deepEqual(Array.from(await gpu.readIndices(u)), [9, 9, 0xffffffff, 7]);
    assert.throws(() => gpu.write(t, [1, 2], 4), RangeError);
    gpu.dispose(t);
    gpu.dispose(u);
  });

  it('keeps host writes in call order with the recorded work around them', async () => {
    const a = gpu.zeros(3), b = gpu.zeros(3);
    gpu.fill(a, 1);
    gpu.axpy(1, a, b);          // b = 1
    gpu.write(a, [5, 5, 5]);    // after the first axpy, before the second
    gpu.axpy(1, a, b);          // b = 6
    assert.deepEqual(Array.from(await gpu.read(b)), [6, 6, 6]);
    gpu.dispose(a);
    gpu.dispose(b);
  });

  it('read() captures the value at the time of the call and does not hold back later work', async () => {
    const a = gpu.zeros(4);
    gpu.fill(a, 1);
    const first = gpu.read(a);
    gpu.fill(a, 2);
    gpu.flush();
    const second = gpu.read(a);
    assert.deepEqual(Array.from(await first), [1, 1, 1, 1]);
    assert.deepEqual(Array.from(await second), [2, 2, 2, 2]);
    gpu.dispose(a);
  });

  it('records a whole step into one submit and reuses pipelines', async () => {
    const x = gpu.zeros(256), y = gpu.zeros(256);
    const step = () => {
      for (let i = 0; i < 10; i++) {
        gpu.axpy(0.5, x, y);
        gpu.activationForward('relu', y, x, 256);
      }
      gpu.flush();
    };
    step();
    const before = gpu.stats;
    step();
    const after = gpu.stats;
    assert.equal(after.dispatches - before.dispatches, 20);
    assert.equal(after.submits - before.submits, 1);
    assert.equal(after.pipelines, before.pipelines);
    gpu.dispose(x);
    gpu.dispose(y);
  });

  it('rejects disposed and foreign tensors with a clear message', () => {
    const t = gpu.zeros(2);
    gpu.dispose(t);
    assert.throws(() => gpu.fill(t, 0), /disposed/);
    const foreign = cpuBackend().zeros(2);
    assert.throws(() => gpu.fill(foreign, 0), /not created by this webgpu backend/);
  });

  it('explains why there is no WebGPU', async () => {
    await assert.rejects(createWebGpuBackend(undefined), (e: unknown) => e instanceof NoWebGpuError && e.reason === 'no-api');
    const noAdapter = { requestAdapter: async () => null } as unknown as GPU;
    await assert.rejects(createWebGpuBackend(noAdapter),
      (e: unknown) => e instanceof NoWebGpuError && e.reason === 'no-adapter' && /returned null/.test(e.message));
  });
});
