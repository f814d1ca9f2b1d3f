// The fused kernels of the WebGPU backend against the cpu oracle, which runs the same operations
// as separate calls (engine/layers/fused-ops.ts): bias + activation epilogues, the bias gradient as
// an extra GEMM column, the activation derivative in the data-gradient GEMM, the single-dispatch
// optimizer over the parameter arena, grids that spill past 65,535 workgroups, and pipelines built
// asynchronously.

import * as assert from 'node:assert/strict';
import type { Activation, Backend, ConvGeometry } from '../../src/engine/backend';
import { convForwardActivated, linearBackwardData, linearBackwardFilter, linearForward } from '../../src/engine/layers/fused-ops';
import { Network } from '../../src/engine/network';
import { createOptimizer } from '../../src/engine/optim/optimizer';
import type { ConvAlgorithmOption } from '../../src/engine/webgpu/backend';
import { tileGrid } from '../../src/engine/webgpu/gemm';
import { Kernel } from '../../src/engine/webgpu/kernel';
import { kernel, tileCols } from '../../src/engine/webgpu/kernels';
import { PipelineCache } from '../../src/engine/webgpu/pipeline-cache';
import { selectGemmTile, selectSplitK } from '../../src/engine/webgpu/kernel-select';
import { MAX_WORKGROUPS_PER_DIMENSION } from '../../src/engine/webgpu/recorder';
import * as L from '../unit/engine/specs';
import { suiteWebGpu } from '../backends';
import { assertNear, cpuBackend, randomValues, Twins } from './twins';

const KINDS: readonly Activation[] = ['relu', 'sigmoid', 'tanh'];
// exp/tanh in WGSL are accurate to a few ulps, not correctly rounded (as in elementwise.test.ts).
const ACTIVATION_RTOL = 3e-6;

describe('webgpu fused epilogues', () => {
  let t: Twins;
  const gpu = suiteWebGpu();
  beforeEach(() => { t = new Twins(cpuBackend(), gpu()); });
  afterEach(() => t.dispose());

  for (const kind of KINDS) {
    it(`dense: W·x + bias then ${kind} in one dispatch, pre-activation kept`, async () => {
      const m = 13, n = 7, k = 21;
      const w = t.random(m * k, 1), x = t.random(k * n, 2), bias = t.random(m, 3), y = t.zeros(m * n), out = t.zeros(m * n);
      const before = t.gpu.stats.dispatches;
      t.run((be, on) => linearForward(be, on(w), on(x), on(bias), on(y), m, n, k, { kind, out: on(out) }));
      assert.equal(t.gpu.stats.dispatches - before, 1, 'one dispatch');
      await t.expectClose(y, 'pre-activation');
      await t.expectClose(out, `${kind}(y)`, ACTIVATION_RTOL);
    });

    it(`dense backward: dx = Wᵀ·Δ ⊙ ${kind}'(x) in one dispatch`, async () => {
      const m = 9, n = 6, k = 17;
      const w = t.random(m * k, 4), dy = t.random(m * n, 5), dx = t.zeros(k * n), scratch = t.zeros(k * n);
      // An activation output: relu ≥ 0 with exact zeros, sigmoid in (0, 1), tanh in (−1, 1).
      const raw = randomValues(k * n, 6);
      const y = t.values(raw.map((v) => (kind === 'relu' ? Math.max(v, 0) : kind === 'sigmoid' ? 1 / (1 + Math.exp(-v)) : Math.tanh(v))));
      const before = t.gpu.stats.dispatches;
      t.run((be, on) => linearBackwardData(be, on(w), on(dy), on(dx), m, n, k, { kind, y: on(y), scratch: on(scratch) }));
      assert.equal(t.gpu.stats.dispatches - before, 1, 'one dispatch');
      await t.expectClose(dx, `gated dx (${kind})`);
    });
  }

  it('dense backward: the gate also applies after a split-K reduction (1,100 output units)', async () => {
    const m = 1100, n = 3, k = 4;
    const { splits } = selectSplitK(k, n, m, selectGemmTile(k, n, m));
    assert.ok(splits > 1, `split-K with ${splits} splits`);
    const w = t.random(m * k, 14), dy = t.random(m * n, 15), dx = t.zeros(k * n), scratch = t.zeros(k * n);
    const y = t.values(randomValues(k * n, 16).map((v) => Math.max(v, 0)));
    t.run((be, on) => linearBackwardData(be, on(w), on(dy), on(dx), m, n, k, { kind: 'relu', y: on(y), scratch: on(scratch) }));
    await t.expectClose(dx, 'gated dx after split-K', 2e-5);
  });

  for (const [m, n, k] of [[10, 33, 8], [7, 1100, 5]] as const) {
    it(`dense backward: dW = Δ·xᵀ and dbias = Δ·1 from one product (${m}×${k}, batch ${n})`, async () => {
      // The product is m × (k + 1) over the batch; the long batch is summed in split-K slabs.
      const { splits } = selectSplitK(m, k + 1, n, selectGemmTile(m, k + 1, n));
      assert.equal(splits > 1, n > 1000, `split-K with ${splits} splits`);
      const dy = t.random(m * n, 7), x = t.random(k * n, 8), dw = t.random(m * k, 9), db = t.random(m, 10);
      t.run((be, on) => linearBackwardFilter(be, on(dy), on(x), on(dw), on(db), m, n, k));
      // Sums over up to 1,100 terms in another order (split-K at batch 1,100): 2e-5.
      await t.expectClose(dw, 'dW', 2e-5);
      await t.expectClose(db, 'dbias', 2e-5);
    });
  }

  const conv: ConvGeometry = { n: 2, c: 3, h: 7, w: 6, m: 5, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, oh: 7, ow: 6 };
  const pointwise: ConvGeometry = { ...conv, kh: 1, kw: 1, ph: 0, pw: 0 };
  for (const [algorithm, g] of [['direct', conv], ['implicit', conv], ['im2col', conv], ['pointwise', pointwise]] as const) {
    for (const kind of KINDS) {
      it(`conv (${algorithm}) + bias + ${kind} in the conv kernel`, async () => {
        t.gpu.convAlgorithm = algorithm as ConvAlgorithmOption;
        const size = g.m * g.n * g.oh * g.ow;
        const x = t.random(g.c * g.n * g.h * g.w, 11), w = t.random(g.m * g.c * g.kh * g.kw, 12), bias = t.random(g.m, 13);
        const y = t.zeros(size), out = t.zeros(size);
        t.run((be, on) => convForwardActivated(be, g, on(x), on(w), on(bias), on(y), { kind, out: on(out) }));
        await t.expectClose(y, 'pre-activation');
        await t.expectClose(out, `${kind}(conv)`, ACTIVATION_RTOL);
        t.gpu.convAlgorithm = 'auto';
      });
    }
  }
});

describe('webgpu grids past 65,535 workgroups per dimension', () => {
  let t: Twins;
  const gpu = suiteWebGpu();
  beforeEach(() => { t = new Twins(cpuBackend(), gpu()); });
  afterEach(() => t.dispose());

  it('tile grids spill columns and rows into z, keeping every dimension in range', () => {
    const max = MAX_WORKGROUPS_PER_DIMENSION;
    assert.deepEqual(tileGrid(10, 3, 2), { workgroups: [10, 3, 2], colSpill: 1 });
    const wide = tileGrid(max + 1, 1, 3);
    assert.deepEqual(wide, { workgroups: [Math.ceil((max + 1) / 2), 1, 6], colSpill: 2 });
    const tall = tileGrid(5, 2 * max + 7, 1);
    assert.deepEqual(tall, { workgroups: [5, Math.ceil((2 * max + 7) / 3), 3], colSpill: 1 });
    assert.throws(() => tileGrid(max * max, max, 2), /do not fit/);
  });

  it('an elementwise op over 65,536·256 + 3 elements (a y-spilled grid) reaches every element, as on the cpu', async () => {
    const length = 65536 * 256 + 3;  // more than 65,535 workgroups of 256
    const y = t.zeros(length);
    t.run((be, on) => { be.fill(on(y), 1.5, length - 1); be.scale(on(y), 2, length); });
    await t.expectClose(y, 'fill then scale');
  });

  it('a GEMM with more than 65,535 tile columns (a z-spilled grid) matches the cpu', async () => {
    const m = 1, k = 1;
    const n = (MAX_WORKGROUPS_PER_DIMENSION + 5) * tileCols(selectGemmTile(m, (MAX_WORKGROUPS_PER_DIMENSION + 5) * 256, k));
    assert.ok(tileGrid(Math.ceil(n / tileCols(selectGemmTile(m, n, k))), 1, 1).colSpill > 1, 'the grid must spill');
    const a = t.random(m * k, 23), b = t.random(k * n, 24), c = t.zeros(m * n);
    t.run((be, on) => be.gemm(on(a), on(b), on(c), m, n, k));
    await t.expectClose(c, 'C');
  });
});

describe('webgpu optimizer over the parameter arena', () => {
  const gpu = suiteWebGpu();
  const spec = L.model([1, 6, 6], [L.conv(3, 3), L.relu, L.flatten, L.dense(5), L.tanh, L.dense(4)], 'cross_entropy',
    { optimizer: 'adam', lr: 0.01, weightDecay: 0.01 });

  for (const optimizer of ['sgd', 'adam'] as const) {
    it(`${optimizer}: one dispatch per step for all parameters, equal to the cpu's per-tensor updates`, async () => {
      const backends: Backend[] = [cpuBackend(), gpu()];
      const runs = backends.map((be) => {
        const net = new Network(be, spec, { maxBatch: 3, seed: 2 });
        const rule = createOptimizer(be, net.parameters, { optimizer, momentum: 0.9, weightDecay: 0.01 });
        net.parameters.forEach((p, i) => be.write(p.grad, randomValues(p.length, 30 + i)));
        return { be, net, rule };
      });
      const g = gpu();
      const before = g.stats.dispatches;
      for (let step = 0; step < 3; step++) for (const r of runs) r.rule.step(0.05);
      assert.equal(g.stats.dispatches - before, 3, 'one dispatch per step');
      for (const [i, p] of runs[0].net.parameters.entries()) {
        const q = runs[1].net.parameters[i];
        assert.ok(q.packed, `${q.name} is packed`);
        assertNear(await g.read(q.value), await runs[0].be.read(p.value), p.name, 1e-5);
        for (const [s, slot] of runs[0].rule.slots.entries()) {
          assertNear(await g.read(runs[1].rule.slots[s].tensor), await runs[0].be.read(slot.tensor), slot.name, 1e-5);
        }
      }
      for (const r of runs) r.net.dispose();
    });
  }
});

describe('webgpu pipelines built asynchronously', () => {
  const gpu = suiteWebGpu();

  it('compile() builds every listed kernel with createComputePipelineAsync, and get() then creates none', async () => {
    const device = gpu().device;
    const cache = new PipelineCache(device, (m) => assert.fail(m));
    const kernels = [kernel('axpy'), kernel('scale'), kernel('axpy')];
    await cache.compile(kernels);
    assert.equal(cache.size, 2);
    cache.get(kernel('scale'));
    assert.equal(cache.size, 2);
  });

  it('reports a kernel that does not compile with the compiler\'s line and column', async () => {
    const device = gpu().device;
    const errors: string[] = [];
    const cache = new PipelineCache(device, (m) => errors.push(m));
    const broken = new Kernel({
      name: 'broken-async-kernel', workgroupSize: [1], buffers: [{ name: 'out', type: 'f32', access: 'read_write' }], params: { n: 'u32' },
      sources: ['@compute @workgroup_size(WG_X, 1, 1)\nfn main() {\n  out[0] = undefined_name;\n}\n'],
    });
    await cache.compile([broken]);
    assert.equal(errors.length, 1);
    assert.match(errors[0], /^kernel broken-async-kernel: /);
    assert.match(errors[0], /WGSL \d+:\d+: .*undefined_name/);
    assert.equal(cache.size, 0, 'a failed kernel is not cached');
  });
});
