// The gradient check on WebGPU: f32 finite differences plus the comparison of every analytic gradient
// with the f64 CPU's on the same weights and batch (the check `convlab gradcheck --backend webgpu` runs).

import * as assert from 'node:assert/strict';
import { CpuBackend } from '../../src/engine/cpu/backend';
import { gradientCheck } from '../../src/engine/gradcheck';
import * as L from '../unit/engine/specs';
import { gpuBackend } from './gpu-backend';

describe('webgpu gradient check', () => {
  it('agrees with finite differences and with the f64 cpu gradients (conv, pools, batch norm, dropout)', async () => {
    const spec = L.model([2, 9, 9], [
      L.conv(3, 3, { stride: 2, pad: 1 }), L.batchnorm, L.relu, L.maxpool(2, 1), L.conv(4, 2), L.tanh, L.avgpool(2),
      L.flatten, L.dense(8), L.relu, L.dropout(0.25), L.dense(3), L.softmax,
    ]);
    const reference = new CpuBackend({ precision: 'f64' });
    try {
      const r = await gradientCheck(await gpuBackend(), spec, { seed: 4, batch: 3, reference });
      assert.equal(r.precision, 'f32');
      assert.match(r.backend, /^webgpu/);
      const summary = r.tensors.map((t) => `${t.name}: fd ${t.maxRelativeError.toExponential(2)}, ref ${t.referenceError?.toExponential(2)}`).join('\n');
      assert.ok(r.passed, summary);
      for (const t of r.tensors) assert.ok(t.referenceError! < 1e-4, summary);
    } finally {
      reference.destroy();
    }
  });
});
