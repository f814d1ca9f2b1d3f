// The CPU backend's fused forms (relu in the wasm GEMM's epilogue) against the separate calls they
// replace, on the wasm and TypeScript kernels, and their checks.

import * as assert from 'node:assert/strict';
import { outputSize, type Activation, type ConvGeometry, type Tensor } from '../../../src/engine/backend';
import { CpuBackend } from '../../../src/engine/cpu/backend';
import { randomArray } from './helpers';

function upload(be: CpuBackend, data: ArrayLike<number>): Tensor {
  const t = be.zeros(data.length);
  be.write(t, data);
  return t;
}

const g: ConvGeometry = { n: 5, c: 3, h: 11, w: 9, m: 7, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, oh: outputSize(11, 3, 1, 1), ow: outputSize(9, 3, 1, 1) };

describe('CpuBackend fused conv/dense + activation', () => {
  const backends = [new CpuBackend(), new CpuBackend({ kernels: 'typescript' })];
  after(() => backends.forEach((b) => b.destroy()));

  for (const be of backends) {
    for (const kind of ['relu', 'sigmoid', 'tanh'] as Activation[]) {
      it(`${be.kernels} kernels, ${kind}: conv gives the separate calls' y bit for bit and f(y)`, async () => {
        const outputs = g.m * g.n * g.oh * g.ow;
        const x = upload(be, randomArray(g.c * g.n * g.h * g.w, 1)), w = upload(be, randomArray(g.m * g.c * 9, 2));
        const bias = upload(be, randomArray(g.m, 3));
        const y = be.zeros(outputs), out = be.zeros(outputs), y2 = be.zeros(outputs), out2 = be.zeros(outputs);
        be.convForwardActivated(g, x, w, bias, y, { kind, out });
        be.convForward(g, x, w, bias, y2);
        be.activationForward(kind, y2, out2, outputs);
        assert.deepEqual(await be.read(y), await be.read(y2));
        assert.deepEqual(await be.read(out), await be.read(out2));
      });

      it(`${be.kernels} kernels, ${kind}: dense (k beyond one k block) matches gemm + addBias + activation`, async () => {
        const [m, n, k] = [13, 37, 300];
        const w = upload(be, randomArray(m * k, 4)), x = upload(be, randomArray(k * n, 5)), bias = upload(be, randomArray(m, 6));
        const y = be.zeros(m * n), out = be.zeros(m * n), y2 = be.zeros(m * n), out2 = be.zeros(m * n);
        be.linearForward(w, x, bias, y, m, n, k, { kind, out });
        be.gemm(w, x, y2, m, n, k);
        be.addBias(y2, bias, m, n);
        be.activationForward(kind, y2, out2, m * n);
        // The epilogue adds the bias after the last k block, as addBias does: the same bits.
        assert.deepEqual(await be.read(y), await be.read(y2));
        assert.deepEqual(await be.read(out), await be.read(out2));
      });
    }

    it(`${be.kernels} kernels: dense without bias or activation, and with one column, is the plain product`, async () => {
      for (const n of [1, 9]) {
        const [m, k] = [6, 20];
        const w = upload(be, randomArray(m * k, 7)), x = upload(be, randomArray(k * n, 8));
        const y = be.zeros(m * n), y2 = be.zeros(m * n), out = be.zeros(m * n);
        be.linearForward(w, x, null, y, m, n, k, null);
        be.gemm(w, x, y2, m, n, k);
        assert.deepEqual(await be.read(y), await be.read(y2));
        be.linearForward(w, x, null, y, m, n, k, { kind: 'relu', out });
        const ys = await be.read(y), outs = await be.read(out);
        ys.forEach((v, i) => assert.equal(outs[i], v > 0 ? v : 0));
      }
    });

    it(`${be.kernels} kernels: a too-small output or activation tensor is refused, naming it`, () => {
      const w = upload(be, randomArray(12, 9)), x = upload(be, randomArray(12, 10));
      assert.throws(() => be.linearForward(w, x, null, be.zeros(8), 3, 3, 4, { kind: 'relu', out: be.zeros(9) }), /y has 8 elements but the call needs 9/);
      assert.throws(() => be.linearForward(w, x, null, be.zeros(9), 3, 3, 4, { kind: 'relu', out: be.zeros(4) }), /activation\.out has 4 elements|y has 4 elements/);
      const outputs = g.m * g.n * g.oh * g.ow;
      const cx = upload(be, randomArray(g.c * g.n * g.h * g.w, 1)), cw = upload(be, randomArray(g.m * g.c * 9, 2));
      assert.throws(() => be.convForwardActivated(g, cx, cw, null, be.zeros(outputs), { kind: 'relu', out: be.zeros(outputs - 1) }),
        /has \d+ elements but the call needs \d+/);
    });
  }
});
