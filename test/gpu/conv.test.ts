import * as assert from 'node:assert/strict';
import { outputSize, type ConvGeometry } from '../../src/engine/backend';
import type { WebGpuBackend } from '../../src/engine/webgpu/backend';
import type { ConvAlgorithm } from '../../src/engine/webgpu/kernel-select';
import { suiteWebGpu } from '../backends';
import { cpuBackend, Twins, type Pair } from './twins';

// Conv sums run over C·kh·kw (forward), M·kh·kw (dgrad) or N·OH·OW (wgrad, up to ~1,600 here)
// products of values in [−1, 1]; 5e-5 of the tensor's magnitude leaves room for √k rounding growth.
const CONV_RTOL = 5e-5;

/** Forward, data gradient and filter gradient on both twins, each output compared with the cpu's. */
async function forwardAndBackward(t: Twins, g: ConvGeometry, v: Record<'x' | 'w' | 'bias' | 'dy' | 'y' | 'dx' | 'dw' | 'db', Pair>): Promise<void> {
  t.run((b, on) => {
    b.convForward(g, on(v.x), on(v.w), on(v.bias), on(v.y));
    b.convBackwardData(g, on(v.dy), on(v.w), on(v.dx));
    b.convBackwardFilter(g, on(v.x), on(v.dy), on(v.dw), on(v.db));
  });
  await t.expectClose(v.y, 'y', CONV_RTOL);
  await t.expectClose(v.dx, 'dx', CONV_RTOL);
  await t.expectClose(v.dw, 'dw', CONV_RTOL);
  await t.expectClose(v.db, 'dbias', CONV_RTOL);
}

function geometry(n: number, c: number, h: number, w: number, m: number, k: number, stride = 1, pad = 0): ConvGeometry {
  return { n, c, h, w, m, kh: k, kw: k, sh: stride, sw: stride, ph: pad, pw: pad,
    oh: outputSize(h, k, stride, pad), ow: outputSize(w, k, stride, pad) };
}

const SHAPES: [string, ConvGeometry][] = [
  ['LeNet C1-like 1→6, 5×5', geometry(2, 1, 12, 12, 6, 5)],
  ['odd sizes 3→5, 3×3 pad 1', geometry(3, 3, 7, 9, 5, 3, 1, 1)],
  ['stride 2, pad 1, non-square kernel input', geometry(2, 4, 9, 8, 7, 3, 2, 1)],
  ['batch 1, 1×1 kernel', geometry(1, 6, 5, 5, 3, 1)],
  ['batch 65, stride 2, 2×2', geometry(65, 2, 6, 6, 3, 2, 2, 0)],
  ['more filters than a tile row, kernel = input', geometry(2, 3, 5, 5, 70, 5)],
];

for (const algorithm of ['im2col', 'implicit', 'direct'] as ConvAlgorithm[]) {
  describe(`webgpu conv (${algorithm})`, () => {
    let t: Twins;
    let gpu: WebGpuBackend;
    const suiteGpu = suiteWebGpu();
    beforeEach(() => {
      gpu = suiteGpu();
      gpu.convAlgorithm = algorithm;
      t = new Twins(cpuBackend(), gpu);
    });
    afterEach(() => { gpu.convAlgorithm = 'auto'; t.dispose(); });

    for (const [label, g] of SHAPES) {
      it(`forward, data and filter gradients match the cpu: ${label}`, async () => {
        const x = t.random(g.c * g.n * g.h * g.w, 1), w = t.random(g.m * g.c * g.kh * g.kw, 2, 0.5);
        const bias = t.random(g.m, 3), dy = t.random(g.m * g.n * g.oh * g.ow, 4);
        const y = t.zeros(g.m * g.n * g.oh * g.ow), dx = t.random(x.length, 5), dw = t.random(w.length, 6), db = t.random(g.m, 7);
        await forwardAndBackward(t, g, { x, w, bias, dy, y, dx, dw, db });
      });
    }

    it('works on a partial batch (g.n smaller than the tensors were allocated for) and without bias', async () => {
      const full = geometry(8, 3, 6, 6, 4, 3, 1, 1), g = { ...full, n: 5 };
      const x = t.random(full.c * full.n * full.h * full.w, 11), w = t.random(full.m * full.c * 9, 12);
      const dy = t.random(full.m * full.n * full.oh * full.ow, 13);
      const y = t.zeros(dy.length), dx = t.zeros(x.length), dw = t.zeros(w.length);
      t.run((b, on) => {
        b.convForward(g, on(x), on(w), null, on(y));
        b.convBackwardData(g, on(dy), on(w), on(dx));
        b.convBackwardFilter(g, on(x), on(dy), on(dw), null);
      });
      await t.expectClose(y, 'y (tail must stay zero)', CONV_RTOL);
      await t.expectClose(dx, 'dx (tail must stay zero)', CONV_RTOL);
      await t.expectClose(dw, 'dw', CONV_RTOL);
    });
  });
}

describe('webgpu conv (pointwise: a 1×1 conv is one plain GEMM)', () => {
  let t: Twins;
  let gpu: WebGpuBackend;
  const suiteGpu = suiteWebGpu();
  beforeEach(() => { gpu = suiteGpu(); t = new Twins(cpuBackend(), gpu); });
  afterEach(() => { gpu.convAlgorithm = 'auto'; t.dispose(); });

  for (const g of [geometry(3, 6, 5, 7, 9, 1), geometry(1, 1, 4, 4, 2, 1), geometry(2, 70, 3, 3, 5, 1)]) {
    it(`matches the cpu in all three passes, with no extra dispatches: ${g.c}→${g.m}, ${g.n}×${g.h}×${g.w}`, async () => {
      const x = t.random(g.c * g.n * g.h * g.w, 21), w = t.random(g.m * g.c, 22, 0.5);
      const bias = t.random(g.m, 23), dy = t.random(g.m * g.n * g.oh * g.ow, 24);
      const y = t.zeros(dy.length), dx = t.random(x.length, 25), dw = t.random(w.length, 26), db = t.random(g.m, 27);
      const before = gpu.stats.dispatches;
      await forwardAndBackward(t, g, { x, w, bias, dy, y, dx, dw, db });
      // forward GEMM (bias fused), dgrad GEMM, wgrad GEMM (+ split-K reduce when k is long), bias row sums.
      assert.ok(gpu.stats.dispatches - before <= 5, `${gpu.stats.dispatches - before} dispatches`);
    });
  }

  it('refuses pointwise for a layer that is not 1×1, stride 1, unpadded', () => {
    gpu.convAlgorithm = 'pointwise';
    const g = geometry(1, 2, 5, 5, 3, 3);
    assert.throws(() => gpu.convForward(g, gpu.zeros(50), gpu.zeros(54), null, gpu.zeros(27)), /'pointwise' needs a 1×1 kernel/);
  });
});

describe('webgpu conv (direct kernels chosen automatically for few-channel stride-1 layers)', () => {
  let t: Twins;
  let gpu: WebGpuBackend;
  const suiteGpu = suiteWebGpu();
  beforeEach(() => { gpu = suiteGpu(); t = new Twins(cpuBackend(), gpu); });
  afterEach(() => t.dispose());

  // LeNet-like: pad 2 (rows and columns read past the edge), 9 wide (a partial 4-pixel strip),
  // 6 and 3 channels (partial groups of 4), 5 taps per row (two blocks of 4), batch 3.
  for (const g of [geometry(3, 1, 9, 9, 6, 5, 1, 2), geometry(2, 6, 9, 11, 3, 5)]) {
    it(`matches the cpu in all three passes in 4 dispatches: ${g.c}→${g.m}, ${g.n}×${g.h}×${g.w}, pad ${g.ph}`, async () => {
      const x = t.random(g.c * g.n * g.h * g.w, 31), w = t.random(g.m * g.c * g.kh * g.kw, 32, 0.5);
      const bias = t.random(g.m, 33), dy = t.random(g.m * g.n * g.oh * g.ow, 34);
      const y = t.zeros(dy.length), dx = t.random(x.length, 35), dw = t.random(w.length, 36), db = t.random(g.m, 37);
      const before = gpu.stats.dispatches;
      await forwardAndBackward(t, g, { x, w, bias, dy, y, dx, dw, db });
      // forward strip kernel, dgrad strip kernel (transposed), wgrad partial sums + their reduce.
      assert.equal(gpu.stats.dispatches - before, 4);
    });
  }
});
