// Every CpuBackend op against naive direct loops (the lecture's sequential code, extended with
// stride, padding and the d × (N·H·W) layout) on awkward shapes and partial batches.

import * as assert from 'node:assert/strict';
import { outputSize, type Backend, type ConvGeometry, type PoolGeometry, type Tensor } from '../../../src/engine/backend';
import { CpuBackend } from '../../../src/engine/cpu/backend';
import { dropoutHash, dropoutThreshold } from '../../../src/engine/random';
import { assertClose, randomArray, randomLabels } from './helpers';

function upload(be: Backend, data: ArrayLike<number>, length = data.length): Tensor {
  const t = be.zeros(length);
  be.write(t, data);
  return t;
}

function conv(n: number, c: number, h: number, w: number, m: number, kh: number, kw: number,
  sh: number, sw: number, ph: number, pw: number): ConvGeometry {
  return { n, c, h, w, m, kh, kw, sh, sw, ph, pw, oh: outputSize(h, kh, sh, ph), ow: outputSize(w, kw, sw, pw) };
}

function pool(n: number, c: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number): PoolGeometry {
  return { n, c, h, w, kh, kw, sh, sw, oh: outputSize(h, kh, sh, 0), ow: outputSize(w, kw, sw, 0) };
}

// Direct loops over (b, m, oh, ow, c, p, q), indexing the engine's layout explicitly.
function at(c: number, b: number, y: number, x: number, n: number, h: number, w: number): number {
  return ((c * n + b) * h + y) * w + x;
}

function directConv(g: ConvGeometry, x: Float64Array, w: Float64Array, bias: Float64Array | null): Float64Array {
  const y = new Float64Array(g.m * g.n * g.oh * g.ow);
  for (let b = 0; b < g.n; b++) for (let m = 0; m < g.m; m++) for (let oh = 0; oh < g.oh; oh++) for (let ow = 0; ow < g.ow; ow++) {
    let s = bias ? bias[m] : 0;
    for (let c = 0; c < g.c; c++) for (let p = 0; p < g.kh; p++) for (let q = 0; q < g.kw; q++) {
      const ih = oh * g.sh - g.ph + p, iw = ow * g.sw - g.pw + q;
      if (ih >= 0 && ih < g.h && iw >= 0 && iw < g.w) s += x[at(c, b, ih, iw, g.n, g.h, g.w)] * w[((m * g.c + c) * g.kh + p) * g.kw + q];
    }
    y[at(m, b, oh, ow, g.n, g.oh, g.ow)] = s;
  }
  return y;
}

function directConvGrads(g: ConvGeometry, x: Float64Array, w: Float64Array, dy: Float64Array) {
  const dx = new Float64Array(g.c * g.n * g.h * g.w), dw = new Float64Array(w.length), db = new Float64Array(g.m);
  for (let b = 0; b < g.n; b++) for (let m = 0; m < g.m; m++) for (let oh = 0; oh < g.oh; oh++) for (let ow = 0; ow < g.ow; ow++) {
    const d = dy[at(m, b, oh, ow, g.n, g.oh, g.ow)];
    db[m] += d;
    for (let c = 0; c < g.c; c++) for (let p = 0; p < g.kh; p++) for (let q = 0; q < g.kw; q++) {
      const ih = oh * g.sh - g.ph + p, iw = ow * g.sw - g.pw + q;
      if (ih < 0 || ih >= g.h || iw < 0 || iw >= g.w) continue;
      const xi = at(c, b, ih, iw, g.n, g.h, g.w), wi = ((m * g.c + c) * g.kh + p) * g.kw + q;
      dx[xi] += d * w[wi];
      dw[wi] += d * x[xi];
    }
  }
  return { dx, dw, db };
}

function directPool(g: PoolGeometry, x: Float64Array, kind: 'max' | 'avg') {
  const y = new Float64Array(g.c * g.n * g.oh * g.ow), arg = new Uint32Array(y.length);
  for (let c = 0; c < g.c; c++) for (let b = 0; b < g.n; b++) for (let oh = 0; oh < g.oh; oh++) for (let ow = 0; ow < g.ow; ow++) {
    let best = -Infinity, bestAt = -1, sum = 0;
    for (let p = 0; p < g.kh; p++) for (let q = 0; q < g.kw; q++) {
      const i = at(c, b, oh * g.sh + p, ow * g.sw + q, g.n, g.h, g.w);
      sum += x[i];
      if (x[i] > best) { best = x[i]; bestAt = i; }
    }
    const o = at(c, b, oh, ow, g.n, g.oh, g.ow);
    y[o] = kind === 'max' ? best : sum / (g.kh * g.kw);
    arg[o] = bestAt;
  }
  return { y, arg };
}

describe('CpuBackend', () => {
  const f64 = new CpuBackend({ precision: 'f64' });
  const f32 = new CpuBackend();

  describe('gemm', () => {
    const shapes: [number, number, number][] = [[1, 1, 1], [5, 7, 3], [33, 65, 17], [70, 9, 300], [3, 2100, 5], [66, 67, 259]];
    for (const [m, n, k] of shapes) {
      for (const transA of [false, true]) for (const transB of [false, true]) {
        it(`${m}×${n}×${k} transA=${transA} transB=${transB} with alpha and beta`, async () => {
          const a = randomArray(m * k, 1), b = randomArray(k * n, 2), c0 = randomArray(m * n, 3);
          const alpha = 0.75, beta = -0.5;
          const expected = new Float64Array(m * n);
          for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
            let s = 0;
            for (let p = 0; p < k; p++) s += (transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]);
            expected[i * n + j] = alpha * s + beta * c0[i * n + j];
          }
          const c = upload(f64, c0);
          f64.gemm(upload(f64, a), upload(f64, b), c, m, n, k, { transA, transB, alpha, beta });
          assertClose(await f64.read(c), expected, 'C', 1e-12, 1e-12);
        });
      }
    }

    it('beta = 0 overwrites NaN in C and leaves elements past m·n alone', async () => {
      const c = upload(f32, [NaN, NaN, NaN, NaN, 7]);
      f32.gemm(upload(f32, [1, 2]), upload(f32, [3, 4]), c, 2, 2, 1);
      assert.deepEqual(Array.from(await f32.read(c)), [3, 4, 6, 8, 7]);
    });

    it('k = 0 gives beta·C', async () => {
      const c = upload(f64, [1, 2, 3, 4]);
      f64.gemm(f64.zeros(1), f64.zeros(1), c, 2, 2, 0, { beta: 2 });
      assert.deepEqual(Array.from(await f64.read(c)), [2, 4, 6, 8]);
    });

    it('rejects operands that are too small, naming the operand', () => {
      assert.throws(() => f64.gemm(f64.zeros(5), f64.zeros(6), f64.zeros(4), 2, 2, 3), /gemm: a has 5 elements but the call needs 6/);
    });
  });

  describe('convolution', () => {
    const cases: [string, ConvGeometry][] = [
      ['batch 1, 1 channel, 5×5, 3×3', conv(1, 1, 5, 5, 1, 3, 3, 1, 1, 0, 0)],
      ['odd sizes, stride 2×1, pad 1×0, rectangular kernel', conv(3, 2, 7, 6, 3, 3, 2, 2, 1, 1, 0)],
      ['pad 2 on a 5×5 kernel (same), 3 channels', conv(2, 3, 9, 8, 5, 5, 5, 1, 1, 2, 2)],
      ['stride 2 with pad, window not tiling the input', conv(4, 2, 8, 9, 6, 3, 3, 2, 2, 1, 1)],
      ['batch 65 (non-multiple of every block size)', conv(65, 2, 6, 6, 3, 3, 3, 1, 1, 1, 1)],
      ['many taps: k spans two GEMM k-blocks', conv(2, 30, 5, 5, 7, 3, 3, 1, 1, 0, 0)],
    ];
    for (const [name, g] of cases) {
      it(`forward, data and filter gradients match direct loops: ${name}`, async () => {
        const x = randomArray(g.c * g.n * g.h * g.w, 11), w = randomArray(g.m * g.c * g.kh * g.kw, 12);
        const bias = randomArray(g.m, 13), dy = randomArray(g.m * g.n * g.oh * g.ow, 14);
        const y = f64.zeros(dy.length), dx = f64.zeros(x.length), dw = f64.zeros(w.length), db = f64.zeros(g.m);
        const xt = upload(f64, x), wt = upload(f64, w);
        f64.convForward(g, xt, wt, upload(f64, bias), y);
        assertClose(await f64.read(y), directConv(g, x, w, bias), 'y', 1e-12, 1e-12);
        f64.convBackwardData(g, upload(f64, dy), wt, dx);
        f64.convBackwardFilter(g, xt, upload(f64, dy), dw, db);
        const ref = directConvGrads(g, x, w, dy);
        assertClose(await f64.read(dx), ref.dx, 'dx', 1e-12, 1e-12);
        assertClose(await f64.read(dw), ref.dw, 'dw', 1e-12, 1e-12);
        assertClose(await f64.read(db), ref.db, 'dbias', 1e-12, 1e-12);
      });
    }

    it('honours a partial batch: tensors sized for 5 examples, call with n = 3', async () => {
      const full = conv(5, 2, 6, 7, 3, 3, 3, 2, 1, 1, 1), g = { ...full, n: 3 };
      const x = randomArray(g.c * g.n * g.h * g.w, 21), w = randomArray(g.m * g.c * 9, 22);
      const dy = randomArray(g.m * g.n * g.oh * g.ow, 23);
      const sentinel = 12345;
      const y = upload(f32, new Array(full.m * full.n * full.oh * full.ow).fill(sentinel));
      const dx = upload(f32, new Array(full.c * full.n * full.h * full.w).fill(sentinel));
      const xt = f32.zeros(full.c * full.n * full.h * full.w);
      f32.write(xt, x);
      const wt = upload(f32, w);
      f32.convForward(g, xt, wt, null, y);
      f32.convBackwardData(g, upload(f32, dy, full.m * full.n * full.oh * full.ow), wt, dx);
      const ys = await f32.read(y), dxs = await f32.read(dx);
      assertClose(ys, directConv(g, x, w, null), 'y', 1e-5, 1e-5);
      assertClose(dxs, directConvGrads(g, x, w, dy).dx, 'dx', 1e-5, 1e-5);
      assert.equal(ys[dy.length], sentinel, 'y past the partial batch must be untouched');
      assert.equal(dxs[x.length], sentinel, 'dx past the partial batch must be untouched');
    });

    it('rejects a geometry whose output size is wrong', () => {
      const g = { ...conv(1, 1, 5, 5, 1, 3, 3, 1, 1, 0, 0), oh: 4 };
      assert.throws(() => f64.convForward(g, f64.zeros(25), f64.zeros(9), null, f64.zeros(16)), /output size 4×3 does not match the geometry, which gives 3×3/);
    });
  });

  describe('pooling', () => {
    const cases: [string, PoolGeometry][] = [
      ['2×2 stride 2 on an even map', pool(3, 2, 8, 8, 2, 2, 2, 2)],
      ['3×3 stride 2 overlapping windows on an odd map', pool(2, 3, 7, 9, 3, 3, 2, 2)],
      ['rectangular window, stride larger than window', pool(65, 1, 5, 7, 2, 1, 3, 2)],
    ];
    for (const [name, g] of cases) {
      it(`max and average pooling match direct loops: ${name}`, async () => {
        const x = randomArray(g.c * g.n * g.h * g.w, 31), dy = randomArray(g.c * g.n * g.oh * g.ow, 32);
        const xt = upload(f64, x), y = f64.zeros(dy.length), arg = f64.indices(dy.length), dx = f64.zeros(x.length);
        f64.maxPoolForward(g, xt, y, arg);
        const ref = directPool(g, x, 'max');
        assertClose(await f64.read(y), ref.y, 'max y');
        assert.deepEqual(await f64.readIndices(arg), ref.arg);
        f64.maxPoolBackward(g, upload(f64, dy), arg, dx);
        const dxRef = new Float64Array(x.length);
        for (let o = 0; o < dy.length; o++) dxRef[ref.arg[o]] += dy[o];
        assertClose(await f64.read(dx), dxRef, 'max dx');

        f64.avgPoolForward(g, xt, y);
        assertClose(await f64.read(y), directPool(g, x, 'avg').y, 'avg y', 1e-14, 1e-12);
        f64.avgPoolBackward(g, upload(f64, dy), dx);
        // The adjoint identity ⟨avgpool(x), dy⟩ = ⟨x, avgpool_backward(dy)⟩ checks every weight.
        const yAvg = directPool(g, x, 'avg').y, dxs = await f64.read(dx);
        let lhs = 0, rhs = 0;
        for (let i = 0; i < dy.length; i++) lhs += yAvg[i] * dy[i];
        for (let i = 0; i < x.length; i++) rhs += x[i] * dxs[i];
        assert.ok(Math.abs(lhs - rhs) < 1e-12, `adjoint mismatch ${lhs} vs ${rhs}`);
      });
    }

    it('honours a partial batch: tensors sized for 4 examples, call with n = 3', async () => {
      const g = pool(3, 2, 6, 5, 2, 2, 2, 2), sentinel = 777;
      const outputs = g.c * g.n * g.oh * g.ow, inputs = g.c * g.n * g.h * g.w;
      const x = randomArray(inputs, 33), dy = randomArray(outputs, 34);
      const y = upload(f32, new Array(outputs + 2 * 3 * 2).fill(sentinel)), arg = f32.indices(outputs + 12);
      const dx = upload(f32, new Array(inputs + 2 * 30).fill(sentinel));
      f32.maxPoolForward(g, upload(f32, x, inputs + 60), y, arg);
      f32.maxPoolBackward(g, upload(f32, dy, outputs + 12), arg, dx);
      const ys = await f32.read(y), dxs = await f32.read(dx), ref = directPool(g, x, 'max');
      assertClose(ys, ref.y, 'y', 1e-6, 1e-6);
      assert.equal(ys[outputs], sentinel);
      assert.equal(dxs[inputs], sentinel);
      f32.avgPoolBackward(g, upload(f32, dy, outputs + 12), dx);
      assert.equal((await f32.read(dx))[inputs], sentinel);
    });

    it('ties choose the first element of the window', async () => {
      const g = pool(1, 1, 2, 2, 2, 2, 2, 2), arg = f64.indices(1);
      f64.maxPoolForward(g, upload(f64, [1, 3, 3, 2]), f64.zeros(1), arg);
      assert.deepEqual(Array.from(await f64.readIndices(arg)), [1]);
    });
  });

  describe('elementwise', () => {
    it('activations and their backward passes (from the output y)', async () => {
      const x = randomArray(37, 41, 3), dy = randomArray(37, 42);
      const defs = {
        relu: [(v: number) => Math.max(0, v), (v: number) => (v > 0 ? 1 : 0)],
        sigmoid: [(v: number) => 1 / (1 + Math.exp(-v)), (v: number) => Math.exp(-v) / (1 + Math.exp(-v)) ** 2],
        tanh: [(v: number) => Math.tanh(v), (v: number) => 1 / Math.cosh(v) ** 2],
      } as const;
      for (const kind of ['relu', 'sigmoid', 'tanh'] as const) {
        const y = f64.zeros(40), dx = f64.zeros(40);
        f64.activationForward(kind, upload(f64, x), y, 37);
        assertClose(await f64.read(y), x.map(defs[kind][0]), `${kind} y`, 1e-14, 1e-12);
        f64.activationBackward(kind, y, upload(f64, dy), dx, 37);
        assertClose(await f64.read(dx), x.map((v, i) => defs[kind][1](v) * dy[i]), `${kind} dx`, 1e-14, 1e-10);
      }
    });

    it('addBias, biasGrad (overwrite and accumulate), axpy, scale, fill, copy', async () => {
      const y = upload(f64, [1, 2, 3, 4, 5, 6]);
      f64.addBias(y, upload(f64, [10, 20]), 2, 3);
      assert.deepEqual(Array.from(await f64.read(y)), [11, 12, 13, 24, 25, 26]);
      const db = upload(f64, [100, 100]);
      f64.biasGrad(y, db, 2, 3);
      assert.deepEqual(Array.from(await f64.read(db)), [36, 75]);
      f64.biasGrad(y, db, 2, 3, true);
      assert.deepEqual(Array.from(await f64.read(db)), [72, 150]);
      f64.axpy(2, upload(f64, [1, 1, 1]), y, 2);
      f64.scale(y, 0.5, 1);
      assert.deepEqual(Array.from(await f64.read(y)), [6.5, 14, 13, 24, 25, 26]);
      f64.fill(y, -1, 4);
      const z = f64.zeros(6);
      f64.copy(y, z, 5);
      assert.deepEqual(Array.from(await f64.read(z)), [-1, -1, -1, -1, 25, 0]);
    });

    it('flatten maps c × (n·hw) to (c·hw) × n and back', async () => {
      const c = 3, n = 2, hw = 4, x = randomArray(c * n * hw, 51);
      const y = f64.zeros(x.length), back = f64.zeros(x.length);
      f64.flattenForward(upload(f64, x), y, c, n, hw);
      const ys = await f64.read(y);
      for (let ch = 0; ch < c; ch++) for (let b = 0; b < n; b++) for (let s = 0; s < hw; s++) {
        assert.equal(ys[(ch * hw + s) * n + b], x[(ch * n + b) * hw + s]);
      }
      f64.flattenBackward(y, back, c, n, hw);
      assert.deepEqual(await f64.read(back), x);
    });

    it('dropout keeps exactly the units the shared hash keeps, scaled by 1/(1−p)', async () => {
      const p = 0.4, seed = 99, length = 1000, x = randomArray(length, 61), dy = randomArray(length, 62);
      const y = f64.zeros(length), mask = f64.zeros(length), dx = f64.zeros(length);
      f64.dropoutForward(upload(f64, x), y, mask, length, p, seed);
      f64.dropoutBackward(upload(f64, dy), mask, dx, length);
      const ys = await f64.read(y), dxs = await f64.read(dx), threshold = dropoutThreshold(p);
      for (let i = 0; i < length; i++) {
        const keep = dropoutHash(seed, i) >= threshold ? 1 / (1 - p) : 0;
        assert.equal(ys[i], x[i] * keep);
        assert.equal(dxs[i], dy[i] * keep);
      }
    });
  });

  describe('batch norm', () => {
    it('training forward normalises rows and updates running stats; backward matches the closed form', async () => {
      const rows = 3, cols = 10, x = randomArray(rows * cols, 71, 2), dy = randomArray(rows * cols, 72);
      const gamma = [1.5, -0.5, 2], beta = [0.1, 0.2, -0.3];
      const t = {
        gamma: upload(f64, gamma), beta: upload(f64, beta), runningMean: upload(f64, [0, 1, 2]),
        runningVar: upload(f64, [1, 1, 1]), saveMean: f64.zeros(rows), saveInvStd: f64.zeros(rows),
      };
      const y = f64.zeros(rows * cols), dx = f64.zeros(rows * cols), dg = f64.zeros(rows), dbeta = f64.zeros(rows);
      f64.batchNormForward(upload(f64, x), y, rows, cols, t, true, 0.1, 1e-5);
      f64.batchNormBackward(upload(f64, x), upload(f64, dy), dx, rows, cols, t, dg, dbeta);
      const ys = await f64.read(y), rm = await f64.read(t.runningMean), rv = await f64.read(t.runningVar);
      const dxs = await f64.read(dx), dgs = await f64.read(dg), dbs = await f64.read(dbeta);
      for (let r = 0; r < rows; r++) {
        const xr = x.subarray(r * cols, (r + 1) * cols), dyr = dy.subarray(r * cols, (r + 1) * cols);
        const mean = xr.reduce((s, v) => s + v, 0) / cols;
        const variance = xr.reduce((s, v) => s + (v - mean) ** 2, 0) / cols;
        const inv = 1 / Math.sqrt(variance + 1e-5), xhat = xr.map((v) => (v - mean) * inv);
        assertClose(ys.subarray(r * cols), xhat.map((v) => gamma[r] * v + beta[r]), `y row ${r}`, 1e-12, 1e-12);
        assertClose([rm[r], rv[r]], [0.9 * [0, 1, 2][r] + 0.1 * mean, 0.9 + 0.1 * variance * cols / (cols - 1)], `running row ${r}`);
        const sumDy = dyr.reduce((s, v) => s + v, 0), sumDyXhat = dyr.reduce((s, v, i) => s + v * xhat[i], 0);
        assertClose([dgs[r], dbs[r]], [sumDyXhat, sumDy], `dgamma/dbeta row ${r}`, 1e-12, 1e-12);
        assertClose(dxs.subarray(r * cols), dyr.map((v, i) => gamma[r] * inv / cols * (cols * v - sumDy - xhat[i] * sumDyXhat)),
          `dx row ${r}`, 1e-12, 1e-10);
      }
    });

    it('eval mode uses the running statistics and leaves them unchanged', async () => {
      const t = {
        gamma: upload(f64, [2]), beta: upload(f64, [1]), runningMean: upload(f64, [3]),
        runningVar: upload(f64, [4]), saveMean: f64.zeros(1), saveInvStd: f64.zeros(1),
      };
      const y = f64.zeros(2);
      f64.batchNormForward(upload(f64, [3, 5]), y, 1, 2, t, false, 0.1, 1e-12);
      assertClose(await f64.read(y), [1, 3], 'y', 1e-9);
      assert.deepEqual(Array.from(await f64.read(t.runningMean)), [3]);
    });
  });

  describe('softmax and losses', () => {
    const classes = 4, n = 5;
    const logits = randomArray(classes * n, 81, 3), labels = randomLabels(n, classes, 82);
    const col = (x: ArrayLike<number>, b: number) => Array.from({ length: classes }, (_, f) => x[f * n + b]);
    const softmax = (v: number[]) => { const m = Math.max(...v), e = v.map((z) => Math.exp(z - m)), s = e.reduce((a, b) => a + b); return e.map((z) => z / s); };
    const argmax = (v: number[]) => v.indexOf(Math.max(...v));

    it('softmax forward and backward (the Jacobian k_i(δ_im − k_m) applied to dy)', async () => {
      const dy = randomArray(classes * n, 83), y = f64.zeros(classes * n), dx = f64.zeros(classes * n);
      f64.softmaxForward(upload(f64, logits), y, classes, n);
      f64.softmaxBackward(y, upload(f64, dy), dx, classes, n);
      const ys = await f64.read(y), dxs = await f64.read(dx);
      for (let b = 0; b < n; b++) {
        const k = softmax(col(logits, b)), d = col(dy, b);
        assertClose(col(ys, b), k, `y column ${b}`, 1e-15, 1e-12);
        const expected = k.map((_, i) => k.reduce((s, km, mIdx) => s + d[mIdx] * km * ((i === mIdx ? 1 : 0) - k[i]), 0));
        assertClose(col(dxs, b), expected, `dx column ${b}`, 1e-15, 1e-12);
      }
    });

    it('softmax cross-entropy: probabilities, gradient (p − onehot)/n, accumulated metrics', async () => {
      const probs = f64.zeros(classes * n), d = f64.zeros(classes * n), metrics = upload(f64, [1, 2, 3]);
      const lt = f64.indices(n);
      f64.write(lt, labels);
      f64.softmaxCrossEntropy(upload(f64, logits), lt, probs, d, metrics, classes, n);
      const ps = await f64.read(probs), ds = await f64.read(d), ms = await f64.read(metrics);
      let loss = 0, correct = 0;
      for (let b = 0; b < n; b++) {
        const k = softmax(col(logits, b));
        loss -= Math.log(k[labels[b]]);
        if (argmax(col(logits, b)) === labels[b]) correct++;
        assertClose(col(ps, b), k, `probs column ${b}`, 1e-15, 1e-12);
        assertClose(col(ds, b), k.map((v, f) => (v - (f === labels[b] ? 1 : 0)) / n), `dlogits column ${b}`, 1e-15, 1e-12);
      }
      assertClose(ms, [1 + loss, 2 + correct, 3 + n], 'metrics', 1e-12, 1e-12);
    });

    it('cross-entropy stays finite for extreme logits', async () => {
      const metrics = f64.zeros(3), lt = f64.indices(1);
      f64.write(lt, [1]);
      f64.softmaxCrossEntropy(upload(f64, [1000, -1000]), lt, f64.zeros(2), null, metrics, 2, 1);
      assertClose(await f64.read(metrics), [2000, 0, 1], 'metrics');
    });

    it('MSE: Σ (out − onehot)², gradient 2(out − onehot)/n', async () => {
      const dout = f64.zeros(classes * n), metrics = f64.zeros(3), lt = f64.indices(n);
      f64.write(lt, labels);
      f64.mseLoss(upload(f64, logits), lt, dout, metrics, classes, n);
      const ds = await f64.read(dout), ms = await f64.read(metrics);
      let loss = 0, correct = 0;
      for (let b = 0; b < n; b++) {
        const o = col(logits, b), diff = o.map((v, f) => v - (f === labels[b] ? 1 : 0));
        loss += diff.reduce((s, v) => s + v * v, 0);
        if (argmax(o) === labels[b]) correct++;
        assertClose(col(ds, b), diff.map((v) => 2 * v / n), `dout column ${b}`, 1e-15, 1e-12);
      }
      assertClose(ms, [loss, correct, n], 'metrics', 1e-12, 1e-12);
    });

    it('rejects a label outside the classes', () => {
      const lt = f64.indices(1);
      f64.write(lt, [4]);
      assert.throws(() => f64.mseLoss(f64.zeros(4), lt, null, f64.zeros(3), 4, 1), /label 4 of example 0 is not below 4 classes/);
    });
  });

  describe('optimizers', () => {
    it('sgd with momentum and weight decay', async () => {
      const w = upload(f64, [1, -2]), g = upload(f64, [0.5, 0.25]), v = upload(f64, [0.1, 0]);
      f64.sgdStep(w, g, v, 2, 0.1, 0.9, 0.01);
      const v0 = 0.9 * 0.1 - 0.1 * (0.5 + 0.01 * 1), v1 = -0.1 * (0.25 + 0.01 * -2);
      assertClose(await f64.read(v), [v0, v1], 'v', 1e-15);
      assertClose(await f64.read(w), [1 + v0, -2 + v1], 'w', 1e-15);
    });

    it('adam with bias correction over two steps', async () => {
      const w = upload(f64, [1]), m = f64.zeros(1), v = f64.zeros(1);
      let wr = 1, mr = 0, vr = 0;
      for (const [t, grad] of [[1, 0.3], [2, -0.2]]) {
        f64.adamStep(w, upload(f64, [grad]), m, v, 1, 0.01, 0.9, 0.999, 1e-8, t, 0.1);
        const gi = grad + 0.1 * wr;
        mr = 0.9 * mr + 0.1 * gi; vr = 0.999 * vr + 0.001 * gi * gi;
        wr -= 0.01 * (mr / (1 - 0.9 ** t)) / (Math.sqrt(vr / (1 - 0.999 ** t)) + 1e-8);
      }
      assertClose(await f64.read(w), [wr], 'w', 1e-15, 1e-13);
    });
  });

  describe('misuse', () => {
    it('gives clear errors for foreign, disposed or wrongly typed tensors', () => {
      const other = new CpuBackend();
      assert.throws(() => f64.fill(other.zeros(1), 0), /fill: t is not a tensor of this backend/);
      const t = f64.zeros(2);
      f64.dispose(t);
      assert.throws(() => f64.fill(t, 0), /fill: t was disposed/);
      assert.throws(() => f64.scale(f64.indices(2), 2), /scale: t must be an f32 tensor/);
      assert.throws(() => f64.write(f64.indices(1), [-1]), /value -1 at index 0 is not a u32/);
      assert.throws(() => new CpuBackend({ precision: 'f16' as never }), /precision must be 'f32' or 'f64'/);
    });

    it('read rejects (instead of throwing) for a bad tensor', async () => {
      await assert.rejects(f64.read(f64.indices(1)), /read: t must be an f32 tensor/);
    });
  });
});
