import * as assert from 'node:assert/strict';
import { openDevice } from '../../../../src/engine/webgpu/device';

/** A GPU whose adapter offers `features`; records the device descriptor asked for. */
function fakeGpu(features: string[]) {
  const asked: GPUDeviceDescriptor[] = [];
  const adapter = {
    features: new Set(features), limits: {}, info: { vendor: 'acme', architecture: 'rdna9', device: '0x1', description: 'Acme X' },
    async requestDevice(descriptor: GPUDeviceDescriptor) {
      asked.push(descriptor);
      return { features: new Set(descriptor.requiredFeatures ?? []), lost: new Promise(() => {}) };
    },
  };
  return { gpu: { requestAdapter: async () => adapter } as unknown as GPU, asked };
}

describe('device features for autotuning', () => {
  it('asks for timestamp-query when the adapter offers it, and reports it with the adapter identity', async () => {
    const { gpu, asked } = fakeGpu(['timestamp-query', 'shader-f16']);
    const opened = await openDevice(gpu);
    assert.deepEqual(asked[0].requiredFeatures, ['timestamp-query']);
    assert.equal(opened.hasTimestamps, true);
    assert.equal(opened.adapterIdentity, 'acme|rdna9|0x1|Acme X');
  });

  it('asks for no feature the adapter lacks, and then cannot time', async () => {
    const { gpu, asked } = fakeGpu([]);
    const opened = await openDevice(gpu);
    assert.deepEqual(asked[0].requiredFeatures, []);
    assert.equal(opened.hasTimestamps, false);
  });
});
