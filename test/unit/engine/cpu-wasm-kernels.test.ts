// The CpuBackend's WebAssembly kernels against its TypeScript kernels (the oracle) on awkward shapes:
// sizes of 1, non-multiples of the 4 × 8 tile and of the k/m/n blocks, every transpose, alpha/beta
// accumulation, LeNet-5's layers, strides, asymmetric padding, partial batches; and determinism.
// Runs the plain-SIMD kernels always and the relaxed-SIMD ones where the runtime validates them;
// where it does not (Node 20), this file runs again in a child Node with --experimental-wasm-relaxed-simd.

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { outputSize, type ConvGeometry, type Tensor } from '../../../src/engine/backend';
import { CpuBackend } from '../../../src/engine/cpu/backend';
import type { CpuKernels } from '../../../src/engine/cpu/kernel-choice';
import { bestSimdLevel } from '../../../src/engine/cpu/wasm/modules';
import { assertClose, randomArray } from './helpers';

const wasmFlavours: CpuKernels[] = bestSimdLevel() === 'relaxed' ? ['wasm-simd', 'wasm-relaxed'] : ['wasm-simd'];

function upload(be: CpuBackend, data: ArrayLike<number>, length = data.length): Tensor {
  const t = be.zeros(length);
  be.write(t, data);
  return t;
}

function conv(n: number, c: number, h: number, w: number, m: number, kh: number, kw: number,
  sh: number, sw: number, ph: number, pw: number): ConvGeometry {
  return { n, c, h, w, m, kh, kw, sh, sw, ph, pw, oh: outputSize(h, kh, sh, ph), ow: outputSize(w, kw, sw, pw) };
}

/** f32 results of an accumulation of `depth` products of values in [-1, 1] agree to about depth·1e-6. */
function tolerance(depth: number): number {
  return 2e-6 * Math.max(1, depth);
}

function defineWasmKernelTests(kernels: CpuKernels): void {
  describe(`CpuBackend ${kernels} kernels vs the TypeScript kernels`, () => {
    const ts = new CpuBackend({ kernels: 'typescript' });
    const wasm = new CpuBackend({ kernels });

    it(`reports them: kernels = ${kernels}`, () => {
      assert.equal(wasm.kernels, kernels);
    });

    describe('gemm', () => {
      // m > 128 (two row blocks), k > 256 (two k blocks), n > 256 at k = 256 and n > 8192 at tiny k
      // (two column blocks), exact tiles, and sizes that leave a partial tile on every edge.
      const shapes: [number, number, number][] = [
        [1, 1, 1], [1, 9, 3], [3, 17, 33], [17, 33, 5], [33, 3, 257], [4, 8, 256], [8, 16, 512],
        [130, 19, 7], [66, 300, 259], [2, 8200, 3], [6, 25, 600],
        // n = 1 runs the matrix-vector kernel.
        [5, 1, 1], [17, 1, 33], [130, 1, 401],
      ];
      const scalings: [number, number][] = [[1, 0], [0.75, -0.5], [1, 1]];
      for (const [m, n, k] of shapes) {
        for (const transA of [false, true]) for (const transB of [false, true]) {
          it(`${m}×${n}×${k} transA=${transA} transB=${transB}, alpha/beta ${scalings.map((s) => s.join('/')).join(', ')}`, async () => {
            const a = randomArray(m * k, 1), b = randomArray(k * n, 2), c0 = randomArray(m * n, 3);
            for (const [alpha, beta] of scalings) {
              const results = [];
              for (const be of [ts, wasm]) {
                // One extra element past m·n must stay untouched.
                const c = upload(be, [...c0, 42]);
                be.gemm(upload(be, a), upload(be, b), c, m, n, k, { transA, transB, alpha, beta });
                results.push(await be.read(c));
              }
              assertClose(results[1], results[0], `C (alpha ${alpha}, beta ${beta})`, tolerance(k), 1e-5);
              assert.equal(results[1][m * n], 42, 'the element past C');
            }
          });
        }
      }

      it('beta = 0 overwrites NaN in C', async () => {
        const c = upload(wasm, new Array(5 * 9).fill(NaN));
        wasm.gemm(upload(wasm, randomArray(5 * 3, 4)), upload(wasm, randomArray(3 * 9, 5)), c, 5, 9, 3);
        assert.ok((await wasm.read(c)).every((v) => Number.isFinite(v)));
      });

      it('k = 0 and alpha = 0 scale C by beta', async () => {
        for (const [k, alpha] of [[0, 1], [2, 0]]) {
          const c = upload(wasm, [1, 2, 3, 4]);
          wasm.gemm(upload(wasm, [1, 1, 1, 1]), upload(wasm, [1, 1, 1, 1]), c, 2, 2, k, { alpha, beta: 2 });
          assert.deepEqual(Array.from(await wasm.read(c)), [2, 4, 6, 8]);
        }
      });
    });

    describe('convolution', () => {
      const cases: [string, ConvGeometry][] = [
        ['LeNet-5 C1: 1→6, 28×28, 5×5, pad 2, batch 8', conv(8, 1, 28, 28, 6, 5, 5, 1, 1, 2, 2)],
        ['LeNet-5 C3: 6→16, 14×14, 5×5, batch 8', conv(8, 6, 14, 14, 16, 5, 5, 1, 1, 0, 0)],
        ['batch 1, 1 channel, 5×5 input, 3×3', conv(1, 1, 5, 5, 1, 3, 3, 1, 1, 0, 0)],
        ['odd sizes, stride 2×1, pad 1×0, rectangular kernel', conv(3, 2, 7, 6, 3, 3, 2, 2, 1, 1, 0)],
        ['pad 2×1, 17 filters, 3 channels', conv(2, 3, 9, 8, 17, 5, 3, 1, 1, 2, 1)],
        ['stride 2 with pad, windows not tiling the input', conv(4, 2, 8, 9, 6, 3, 3, 2, 2, 1, 1)],
        ['batch 33 (non-multiple of every block)', conv(33, 2, 6, 6, 3, 3, 3, 1, 1, 1, 1)],
        ['many taps: k spans two k blocks (30·3·3 = 270)', conv(2, 30, 5, 5, 7, 3, 3, 1, 1, 0, 0)],
        ['1×1 kernel (φ is the image itself)', conv(3, 5, 4, 7, 9, 1, 1, 1, 1, 0, 0)],
        ['1×9 kernel: a run of 8 contiguous taps', conv(2, 2, 3, 12, 5, 1, 9, 1, 1, 0, 1)],
        ['kernel as large as the padded input', conv(2, 2, 3, 3, 4, 5, 5, 1, 1, 1, 1)],
        // The filter gradient runs a direct reduction for few filters or taps, else the GEMM (wasm/conv.ts).
        ['GEMM filter gradient: 18 filters × 36 taps, pad 1, 7×9', conv(3, 4, 7, 9, 18, 3, 3, 1, 1, 1, 1)],
        ['direct filter gradient: 5 filters, ow = 13 (a masked tail), vertical stride 2', conv(2, 3, 9, 15, 5, 3, 3, 2, 1, 0, 0)],
      ];
      for (const [name, g] of cases) {
        it(`forward, data and filter gradients and bias gradient: ${name}`, async () => {
          const x = randomArray(g.c * g.n * g.h * g.w, 11), w = randomArray(g.m * g.c * g.kh * g.kw, 12);
          const bias = randomArray(g.m, 13), dy = randomArray(g.m * g.n * g.oh * g.ow, 14);
          const out = [];
          for (const be of [ts, wasm]) {
            const y = be.zeros(dy.length), dx = upload(be, new Array(x.length).fill(NaN)), dw = be.zeros(w.length), db = be.zeros(g.m);
            const xt = upload(be, x), wt = upload(be, w), dyt = upload(be, dy);
            be.convForward(g, xt, wt, upload(be, bias), y);
            be.convBackwardData(g, dyt, wt, dx);
            be.convBackwardFilter(g, xt, dyt, dw, db);
            out.push({ y: await be.read(y), dx: await be.read(dx), dw: await be.read(dw), db: await be.read(db) });
          }
          const [ref, got] = out;
          assertClose(got.y, ref.y, 'y', tolerance(g.c * g.kh * g.kw), 1e-5);
          assertClose(got.dx, ref.dx, 'dx', tolerance(g.m * g.kh * g.kw), 1e-5);
          assertClose(got.dw, ref.dw, 'dw', tolerance(g.n * g.oh * g.ow), 1e-5);
          assertClose(got.db, ref.db, 'dbias', tolerance(g.n * g.oh * g.ow), 1e-5);
        });
      }

      it('honours a partial batch: tensors sized for 5 examples, call with n = 3', async () => {
        const full = conv(5, 2, 6, 7, 3, 3, 3, 2, 1, 1, 1), g = { ...full, n: 3 };
        const sentinel = 12345, ySize = full.m * full.n * full.oh * full.ow, xSize = full.c * full.n * full.h * full.w;
        const x = randomArray(xSize, 21), w = randomArray(g.m * g.c * 9, 22), dy = randomArray(ySize, 23);
        const out = [];
        for (const be of [ts, wasm]) {
          const y = upload(be, new Array(ySize).fill(sentinel)), dx = upload(be, new Array(xSize).fill(sentinel));
          const dw = be.zeros(w.length), xt = upload(be, x), wt = upload(be, w), dyt = upload(be, dy);
          be.convForward(g, xt, wt, null, y);
          be.convBackwardData(g, dyt, wt, dx);
          be.convBackwardFilter(g, xt, dyt, dw, null);
          out.push({ y: await be.read(y), dx: await be.read(dx), dw: await be.read(dw) });
        }
        const used = { y: g.m * g.n * g.oh * g.ow, x: g.c * g.n * g.h * g.w };
        assertClose(out[1].y, out[0].y, 'y', 1e-5, 1e-5);
        assertClose(out[1].dx, out[0].dx, 'dx', 1e-5, 1e-5);
        assertClose(out[1].dw, out[0].dw, 'dw', 1e-4, 1e-5);
        assert.equal(out[1].y[used.y], sentinel, 'y past the partial batch must be untouched');
        assert.equal(out[1].dx[used.x], sentinel, 'dx past the partial batch must be untouched');
      });

      it('a batch of 0 gives dw = 0 and dbias = 0', async () => {
        const g = conv(0, 2, 5, 5, 3, 3, 3, 1, 1, 0, 0);
        const dw = upload(wasm, new Array(3 * 2 * 9).fill(7)), db = upload(wasm, [7, 7, 7]);
        wasm.convBackwardFilter(g, wasm.zeros(1), wasm.zeros(1), dw, db);
        assert.ok((await wasm.read(dw)).every((v) => v === 0));
        assert.deepEqual(Array.from(await wasm.read(db)), [0, 0, 0]);
      });
    });

    it('is deterministic: the same inputs give the same bits, on this backend and a fresh one', async () => {
      const g = conv(16, 6, 14, 14, 16, 5, 5, 1, 1, 0, 0);
      const x = randomArray(g.c * g.n * g.h * g.w, 31), w = randomArray(g.m * g.c * 25, 32), dy = randomArray(g.m * g.n * 100, 33);
      const run = async (be: CpuBackend) => {
        const y = be.zeros(dy.length), dx = be.zeros(x.length), dw = be.zeros(w.length), xt = upload(be, x), wt = upload(be, w);
        be.convForward(g, xt, wt, null, y);
        be.convBackwardData(g, upload(be, dy), wt, dx);
        be.convBackwardFilter(g, xt, upload(be, dy), dw, null);
        return [await be.read(y), await be.read(dx), await be.read(dw)];
      };
      const first = await run(wasm), again = await run(wasm), fresh = await run(new CpuBackend({ kernels }));
      assert.deepEqual(again, first);
      assert.deepEqual(fresh, first);
    });
  });
}

for (const kernels of wasmFlavours) defineWasmKernelTests(kernels);

if (bestSimdLevel() !== 'relaxed') {
  describe('CpuBackend wasm-relaxed kernels under --experimental-wasm-relaxed-simd', () => {
    it('pass the same tests in a child Node', function () {
      this.timeout(300_000);
      const child = spawnSync(process.execPath, [require.resolve('mocha/bin/mocha.js'), '--node-option', 'experimental-wasm-relaxed-simd',
        '--timeout', '60000', '--grep', 'wasm-relaxed kernels vs', __filename], { encoding: 'utf8' });
      const output = `${child.stdout}${child.stderr}`;
      const passing = Number(/(\d+) passing/.exec(output)?.[1] ?? 0);
      if (child.status === 0 && passing === 0) {
        this.skip(); // WebAssembly.validate rejects relaxed SIMD even with the flag: nothing to run.
      }
      assert.equal(child.status, 0, output);
      assert.ok(passing > 0, output);
    });
  });
}
