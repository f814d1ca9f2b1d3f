import * as assert from 'node:assert/strict';
import type { GemmOptions } from '../../src/engine/backend';
import { GEMM_TILES, selectGemmTile, selectSplitK } from '../../src/engine/webgpu/kernel-select';
import { suiteWebGpu } from '../backends';
import { cpuBackend, Twins } from './twins';

// Sums of k products of values in [−1, 1]: rounding grows like √k ulps, 4e-5 covers k ≤ 1,100.
const GEMM_RTOL = 4e-5;

describe('webgpu gemm', () => {
  let t: Twins;
  const gpu = suiteWebGpu();
  beforeEach(() => { t = new Twins(cpuBackend(), gpu()); });
  afterEach(() => t.dispose());

  async function check(m: number, n: number, k: number, opts: GemmOptions = {}, seed = 1): Promise<void> {
    const a = t.random(m * k, seed), b = t.random(k * n, seed + 1), c = t.random(m * n, seed + 2);
    t.run((be, on) => be.gemm(on(a), on(b), on(c), m, n, k, opts));
    await t.expectClose(c, `gemm ${m}×${n}×${k} ${JSON.stringify(opts)}`, GEMM_RTOL);
  }

  it('matches the cpu for every transpose combination, with alpha and beta, on odd sizes', async () => {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        await check(7, 13, 5, { transA, transB });
        await check(37, 29, 19, { transA, transB, alpha: -0.5, beta: 0.75 });
      }
    }
  });

  it('covers each workgroup tile, with ragged edges', async () => {
    const shapes: [number, number, number, string][] = [
      [6, 150, 33, GEMM_TILES.narrow.name], [13, 150, 33, GEMM_TILES.wide.name], [45, 70, 21, GEMM_TILES.medium.name], [128, 256, 520, GEMM_TILES.large.name],
      [130, 250, 9, GEMM_TILES.medium.name],
    ];
    for (const [m, n, k, tile] of shapes) {
      assert.equal(selectGemmTile(m, n, k).name, tile, `tile chosen for ${m}×${n}×${k}`);
      await check(m, n, k, { transB: true, beta: 1 });
    }
  });

  it('splits a long k across workgroups and reduces the partial sums (split-K)', async () => {
    const [m, n, k] = [5, 12, 1100];
    assert.ok(selectSplitK(m, n, k, selectGemmTile(m, n, k)).splits > 1, 'this shape should use split-K');
    await check(m, n, k, { alpha: 2, beta: -1 });
    await check(m, n, k, { transA: true, transB: true });
  });

  it('handles k = 0 (C = beta·C) and empty outputs', async () => {
    await check(4, 3, 0, { beta: 0.5 });
    await check(0, 3, 4);
    await check(3, 0, 4);
  });

  it('does not read C when beta is 0 (NaN in C is overwritten)', async () => {
    const a = t.random(6, 3), b = t.random(6, 4), c = t.values(new Float32Array(4).fill(NaN));
    t.run((be, on) => be.gemm(on(a), on(b), on(c), 2, 2, 3));
    const out = await t.gpu.read(c.gpu);
    assert.ok(out.every(Number.isFinite), `C = ${out}`);
    await t.expectClose(c, 'gemm over NaN');
  });
});
