// relu, max pooling and bias gradients of the CpuBackend's WebAssembly kernels against its TypeScript
// kernels: relu and pooling bit for bit (including NaN, −0 and ties), row sums to f32 rounding.
// pointwise.wat has no relaxed instructions, so its plain and relaxed builds are the same bytes.

import * as assert from 'node:assert/strict';
import { outputSize, type PoolGeometry, type Tensor } from '../../../src/engine/backend';
import { CpuBackend } from '../../../src/engine/cpu/backend';
import { assertClose, randomArray } from './helpers';

function upload(be: CpuBackend, data: ArrayLike<number>): Tensor {
  const t = be.zeros(data.length);
  be.write(t, data);
  return t;
}

function pool(n: number, c: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number): PoolGeometry {
  return { n, c, h, w, kh, kw, sh, sw, oh: outputSize(h, kh, sh, 0), ow: outputSize(w, kw, sw, 0) };
}

/** Random values with NaN, ±0 and repeated values (ties) sprinkled in. */
function awkward(length: number, seed: number): number[] {
  return Array.from(randomArray(length, seed), (v, i) => (i % 11 === 3 ? NaN : i % 7 === 2 ? -0 : i % 5 === 1 ? 0.5 : v));
}

const bits = (values: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(values).buffer));

describe('CpuBackend wasm-simd relu, max pooling and bias gradients vs the TypeScript kernels', () => {
  const ts = new CpuBackend({ kernels: 'typescript' });
  const wasm = new CpuBackend({ kernels: 'wasm-simd' });

  for (const length of [1, 3, 4, 17, 1000]) {
    it(`relu forward and backward, ${length} elements: the same bits`, async () => {
      const x = awkward(length, length), dy = awkward(length, length + 1);
      const out = [];
      for (const be of [ts, wasm]) {
        const y = be.zeros(length + 1), dx = be.zeros(length + 1);
        be.fill(y, 9); be.fill(dx, 9);
        be.activationForward('relu', upload(be, x), y, length);
        be.activationBackward('relu', y, upload(be, dy), dx, length);
        out.push([...await be.read(y), ...await be.read(dx)]);
      }
      assert.deepEqual(bits(out[1]), bits(out[0]));
    });
  }

  const pools: [string, PoolGeometry][] = [
    ['2×2 stride 2, even map', pool(3, 2, 8, 8, 2, 2, 2, 2)],
    ['2×2 stride 2, odd map (a dropped last row and column)', pool(2, 3, 11, 13, 2, 2, 2, 2)],
    ['2×2 stride 2, LeNet C1 output', pool(4, 6, 28, 28, 2, 2, 2, 2)],
    ['2×2 stride 2, 3 outputs per row (fewer than a vector: the scalar loop)', pool(2, 2, 6, 7, 2, 2, 2, 2)],
    ['2×2 stride 2, LeNet C3 output (5 per row: one vector, then one overlapping it)', pool(3, 16, 10, 10, 2, 2, 2, 2)],
    ['3×2 window, stride 2 in x (vector path with 3 window rows)', pool(2, 2, 9, 18, 3, 2, 3, 2)],
    ['3×3 stride 2, overlapping windows', pool(2, 3, 7, 9, 3, 3, 2, 2)],
    ['2×2 stride 1', pool(1, 2, 5, 6, 2, 2, 1, 1)],
    ['1×1 window', pool(1, 1, 3, 3, 1, 1, 1, 1)],
  ];
  for (const [name, g] of pools) {
    it(`max pooling forward and backward, ${name}: the same values, choices and gradients`, async () => {
      const inputs = g.c * g.n * g.h * g.w, outputs = g.c * g.n * g.oh * g.ow;
      const x = awkward(inputs, 5), dy = Array.from(randomArray(outputs, 6));
      const out = [];
      for (const be of [ts, wasm]) {
        const y = be.zeros(outputs), arg = be.indices(outputs), dx = upload(be, new Array(inputs + 1).fill(7));
        be.maxPoolForward(g, upload(be, x), y, arg);
        be.maxPoolBackward(g, upload(be, dy), arg, dx);
        out.push({ y: await be.read(y), arg: await be.readIndices(arg), dx: await be.read(dx) });
      }
      assert.deepEqual(bits(out[1].y), bits(out[0].y));
      assert.deepEqual(out[1].arg, out[0].arg);
      assert.deepEqual(bits(out[1].dx), bits(out[0].dx));
    });
  }

  it('bias gradients (row sums), overwriting and accumulating, on rows of 1 to 1001 columns', async () => {
    for (const [rows, cols] of [[1, 1], [3, 5], [7, 1001], [16, 64]]) {
      const dy = randomArray(rows * cols, rows), db0 = randomArray(rows, cols);
      for (const accumulate of [false, true]) {
        const out = [];
        for (const be of [ts, wasm]) {
          const db = upload(be, db0);
          be.biasGrad(upload(be, dy), db, rows, cols, accumulate);
          out.push(await be.read(db));
        }
        assertClose(out[1], out[0], `${rows}×${cols} accumulate=${accumulate}`, 1e-6, 1e-6);
      }
    }
  });
});
