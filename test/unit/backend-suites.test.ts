// The every-backend test helper (test/backends.ts): when a missing WebGPU is a failure, what the
// factory it hands each suite gives, and that a device's error stays inside its suite.

import * as assert from 'node:assert/strict';
import { forEachBackend, suiteWebGpu, webGpuRequired } from '../backends';

describe('test backends: when WebGPU is required', () => {
  it('is required when asked for, or when VK_ICD_FILENAMES names a driver file that exists', () => {
    assert.equal(webGpuRequired({ CONVLAB_REQUIRE_WEBGPU: '1' }), true);
    assert.equal(webGpuRequired({ VK_ICD_FILENAMES: __filename }), true);
    assert.equal(webGpuRequired({ VK_ICD_FILENAMES: `/nonexistent/icd.json:${__filename}` }), true);
  });

  it('is optional without either, or when the named driver file does not exist', () => {
    assert.equal(webGpuRequired({}), false);
    assert.equal(webGpuRequired({ VK_ICD_FILENAMES: '' }), false);
    assert.equal(webGpuRequired({ VK_ICD_FILENAMES: '/nonexistent/icd.json' }), false);
    assert.equal(webGpuRequired({ CONVLAB_REQUIRE_WEBGPU: '0' }), false);
  });
});

forEachBackend('test backends: the factory', (backend) => {
  it('creates working backends of its kind; destroying one leaves the next one usable', async () => {
    const first = backend.create();
    assert.equal(first.name, backend.name);
    const t = first.zeros(3);
    first.fill(t, 2);
    assert.deepEqual(Array.from(await first.read(t)), [2, 2, 2]);
    first.destroy();
    const second = backend.create();
    const u = second.zeros(2);
    second.fill(u, 5);
    assert.deepEqual(Array.from(await second.read(u)), [5, 5]);
  });
});

describe('test backends: one device per suite', () => {
  describe('a suite whose device reported a validation error', () => {
    const gpu = suiteWebGpu();
    it('fails every later call on that device', async () => {
      gpu().device.createBuffer({ size: 4, usage: 0 });  // invalid: a buffer must have a usage
      await gpu().device.queue.onSubmittedWorkDone();
      assert.throws(() => gpu().zeros(1), /WebGPU reported an error/);
    });
  });

  describe('the suite after it', () => {
    const gpu = suiteWebGpu();
    it('works on a device of its own', async () => {
      const t = gpu().zeros(2);
      gpu().fill(t, 3);
      assert.deepEqual(Array.from(await gpu().read(t)), [3, 3]);
    });
  });
});
