import * as assert from 'node:assert/strict';
import type { Activation } from '../../src/engine/backend';
import { suiteWebGpu } from '../backends';
import { cpuBackend, Twins } from './twins';

describe('webgpu elementwise, bias and reshapes', () => {
  let t: Twins;
  const gpu = suiteWebGpu();
  beforeEach(() => { t = new Twins(cpuBackend(), gpu()); });
  afterEach(() => t.dispose());

  it('fill, axpy, scale and copy respect the length argument', async () => {
    const a = t.random(1001, 1), b = t.random(1001, 2), c = t.random(1001, 3);
    t.run((be, on) => {
      be.axpy(-1.5, on(a), on(b));
      be.scale(on(a), 0.25, 999);
      be.fill(on(c), 3.5, 517);
      be.copy(on(b), on(c), 300);
    });
    await t.expectClose(a, 'scale');
    await t.expectClose(b, 'axpy');
    await t.expectClose(c, 'fill + copy');
  });

  for (const kind of ['relu', 'sigmoid', 'tanh'] as Activation[]) {
    it(`${kind} forward and backward, including saturating inputs`, async () => {
      const xs = Float32Array.from({ length: 997 }, (_, i) => (i % 2 ? 1 : -1) * (i % 50) * 0.9);
      xs[0] = 100; xs[1] = -100; xs[2] = 0;
      const x = t.values(xs), y = t.zeros(997), dy = t.random(997, 5), dx = t.zeros(997);
      t.run((be, on) => {
        be.activationForward(kind, on(x), on(y), 990);
        be.activationBackward(kind, on(y), on(dy), on(dx), 990);
      });
      // exp/tanh in WGSL are accurate to a few ulps, not correctly rounded: 3e-6 relative.
      await t.expectClose(y, `${kind} y`, 3e-6);
      await t.expectClose(dx, `${kind} dx`, 3e-6);
    });
  }

  it('in-place calls (the same tensor as input and output) behave as on the cpu', async () => {
    const y = t.random(300, 6), dy = t.random(300, 7), x = t.random(300, 8);
    t.run((be, on) => {
      be.activationForward('tanh', on(x), on(x), 300);
      be.activationBackward('relu', on(y), on(dy), on(dy), 300);
      be.axpy(2, on(y), on(y));
    });
    await t.expectClose(x, 'tanh in place', 3e-6);
    await t.expectClose(dy, 'relu backward in place');
    await t.expectClose(y, 'axpy onto itself');
  });

  // 1,013 columns sum serially, 2,500 through a workgroup reduction (kernel-select.ts).
  for (const [rows, cols] of [[7, 1013], [3, 2500]] as const) {
    it(`addBias and biasGrad (overwrite and accumulate) over ${rows} × ${cols}`, async () => {
      const y = t.random(rows * cols, 9), bias = t.random(rows, 10), db = t.random(rows, 11), db2 = t.random(rows, 12);
      t.run((be, on) => {
        be.addBias(on(y), on(bias), rows, cols);
        be.biasGrad(on(y), on(db), rows, cols);
        be.biasGrad(on(y), on(db2), rows, cols, true);
      });
      await t.expectClose(y, 'addBias');
      // Row sums of thousands of terms in a different order (tree or sequential f32 vs the cpu's f64).
      await t.expectClose(db, 'biasGrad', 1e-4);
      await t.expectClose(db2, 'biasGrad accumulate', 1e-4);
    });
  }

  it('flatten forward and backward are exact transposes', async () => {
    const [c, n, hw] = [5, 3, 7];
    const x = t.random(c * n * hw, 13), y = t.zeros(c * n * hw), back = t.zeros(c * n * hw);
    t.run((be, on) => {
      be.flattenForward(on(x), on(y), c, n, hw);
      be.flattenBackward(on(y), on(back), c, n, hw);
    });
    await t.expectClose(y, 'flatten', 0);
    await t.expectClose(back, 'unflatten', 0);
    assert.deepEqual(await t.gpu.read(back.gpu), await t.gpu.read(x.gpu));
  });
});
