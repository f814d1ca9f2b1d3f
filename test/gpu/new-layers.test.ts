// The layers added through their definitions alone (globalavgpool, batchnorm after dense) on WebGPU:
// gradients against finite differences and against the f64 cpu's on the same weights and batch.
// The dense before the batchnorm has no bias: batchnorm removes the mean, so its true gradient is 0.

import * as assert from 'node:assert/strict';
import { CpuBackend } from '../../src/engine/cpu/backend';
import { gradientCheck } from '../../src/engine/gradcheck';
import * as L from '../unit/engine/specs';
import { gpuBackend } from './gpu-backend';

describe('webgpu: globalavgpool and batchnorm on vectors', () => {
  it('agree with the f64 cpu gradients', async () => {
    const spec = L.model([2, 6, 5], [
      L.conv(3, 3, { pad: 1 }), L.relu, L.globalavgpool, L.dense(6, false), L.batchnorm, L.tanh, L.dense(3),
    ]);
    const reference = new CpuBackend({ precision: 'f64' });
    try {
      const r = await gradientCheck(await gpuBackend(), spec, { seed: 8, batch: 4, reference });
      const summary = r.tensors.map((t) => `${t.name}: fd ${t.maxRelativeError.toExponential(2)}, ref ${t.referenceError?.toExponential(2)}`).join('\n');
      assert.ok(r.passed, summary);
      for (const t of r.tensors) assert.ok(t.referenceError! < 1e-4, summary);
    } finally {
      reference.destroy();
    }
  });
});
