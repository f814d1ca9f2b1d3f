// What the device is asked for and what it says when a kernel is wrong: the adapter's own limits
// (not WebGPU's defaults), and WGSL compile errors with their line and column.

import * as assert from 'node:assert/strict';
import { wantedLimits } from '../../src/engine/webgpu/device';
import { Kernel } from '../../src/engine/webgpu/kernel';
import { PipelineCache } from '../../src/engine/webgpu/pipeline-cache';
import { suiteWebGpu } from '../backends';

describe('webgpu device setup', () => {
  const gpu = suiteWebGpu();

  it('asks for the adapter\'s limits that decide which models fit', () => {
    const adapter = { maxStorageBufferBindingSize: 2 ** 31, maxBufferSize: 2 ** 32, maxComputeWorkgroupStorageSize: 32768, maxTextureDimension2D: 8192 };
    const wanted = wantedLimits(adapter as unknown as GPUSupportedLimits);
    assert.equal(wanted.maxStorageBufferBindingSize, 2 ** 31);
    assert.equal(wanted.maxBufferSize, 2 ** 32);
    assert.equal(wanted.maxComputeWorkgroupStorageSize, 32768);
    assert.equal(wanted.maxTextureDimension2D, undefined, 'limits training does not use are left at their defaults');
  });

  it('gets a device with the raised limits', () => {
    const backend = gpu();
    // WebGPU's default storage binding limit is 128 MiB; SwiftShader and real GPUs offer more.
    assert.ok(backend.device.limits.maxStorageBufferBindingSize > 128 * 1024 * 1024,
      `maxStorageBufferBindingSize ${backend.device.limits.maxStorageBufferBindingSize}`);
  });

  it('reports a kernel that does not compile with the compiler\'s line and column', async () => {
    const device = gpu().device;
    const errors: string[] = [];
    const cache = new PipelineCache(device, (m) => errors.push(m));
    const broken = new Kernel({
      name: 'broken-test-kernel', workgroupSize: [1], buffers: [{ name: 'out', type: 'f32', access: 'read_write' }], params: { n: 'u32' },
      sources: ['@compute @workgroup_size(WG_X, 1, 1)\nfn main() {\n  out[0] = undefined_name;\n}\n'],
    });
    cache.get(broken);
    for (let i = 0; i < 100 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(errors.length, 1);
    assert.match(errors[0], /^kernel broken-test-kernel: /);
    assert.match(errors[0], /WGSL \d+:\d+: .*undefined_name/);
  });
});

describe('webgpu labels filled or copied on the device', () => {
  const gpu = suiteWebGpu();

  it('checks labels filled or copied into a tensor as it checks written ones', () => {
    const b = gpu();
    const labels = b.indices(2), other = b.indices(2);
    const logits = b.zeros(6), probs = b.zeros(6), metrics = b.zeros(3);
    b.fill(labels, 5);
    assert.throws(() => b.softmaxCrossEntropy(logits, labels, probs, null, metrics, 3, 2), /label 5 of example 0 is not below 3 classes/);
    b.write(other, [0, 1]);
    b.copy(other, labels);
    b.softmaxCrossEntropy(logits, labels, probs, null, metrics, 3, 2);
    assert.throws(() => b.fill(labels, -1), /value -1 at index 0 is not a u32/);
  });
});
