import * as assert from 'node:assert/strict';
import { outputSize, type ConvGeometry } from '../../src/engine/backend';
import { GEMM_TK, tileCols, tileRows } from '../../src/engine/webgpu/kernels';
import {
  GEMM_TILES, IM2COL_BUDGET_BYTES, selectConvAlgorithm, selectGemmTile, selectRowSum, selectSplitK, unrolledBytes,
} from '../../src/engine/webgpu/kernel-select';

function geometry(n: number, c: number, h: number, m: number, k: number, stride = 1, pad = 0): ConvGeometry {
  const o = outputSize(h, k, stride, pad);
  return { n, c, h, w: h, m, kh: k, kw: k, sh: stride, sw: stride, ph: pad, pw: pad, oh: o, ow: o };
}

describe('kernel selection', () => {
  it('picks the measured convolution algorithm for LeNet-5 and deeper layers', () => {
    const c1 = geometry(64, 1, 28, 6, 5, 1, 2), c3 = geometry(64, 6, 14, 16, 5), deep = geometry(32, 64, 8, 64, 3, 1, 1);
    assert.deepEqual(['forward', 'dgrad', 'wgrad'].map((p) => selectConvAlgorithm(p as 'forward', c1)), ['direct', 'im2col', 'implicit']);
    assert.deepEqual(['forward', 'dgrad', 'wgrad'].map((p) => selectConvAlgorithm(p as 'forward', c3)), ['direct', 'im2col', 'implicit']);
    assert.deepEqual(['forward', 'dgrad', 'wgrad'].map((p) => selectConvAlgorithm(p as 'forward', deep)), ['implicit', 'implicit', 'implicit']);
    assert.equal(selectConvAlgorithm('dgrad', geometry(8, 16, 16, 32, 3, 2, 1)), 'im2col', 'strided dgrad');
    const pointwise = geometry(16, 32, 8, 64, 1);
    assert.deepEqual(['forward', 'dgrad', 'wgrad'].map((p) => selectConvAlgorithm(p as 'forward', pointwise)), ['pointwise', 'pointwise', 'pointwise']);
    assert.equal(selectConvAlgorithm('forward', geometry(16, 32, 8, 64, 1, 2)), 'implicit', 'a strided 1×1 is not a plain GEMM');
  });

  it('never materialises an unrolled matrix over the budget', () => {
    const huge = geometry(256, 4, 224, 64, 7, 2, 3);
    assert.ok(unrolledBytes(huge) > IM2COL_BUDGET_BYTES);
    assert.equal(selectConvAlgorithm('dgrad', huge), 'implicit');
  });

  it('chooses tiles by shape and keeps split-K chunks tile-aligned and covering k', () => {
    assert.equal(selectGemmTile(6, 5000, 25), GEMM_TILES.narrow);
    assert.equal(selectGemmTile(16, 5000, 25), GEMM_TILES.wide);
    assert.equal(selectGemmTile(256, 256, 256), GEMM_TILES.medium);
    assert.equal(selectGemmTile(128, 576, 1024), GEMM_TILES.large);
    for (const [m, n, k] of [[6, 25, 50176], [16, 150, 1600], [64, 288, 1024], [3, 3, 10], [5, 5, 0]]) {
      const tile = selectGemmTile(m, n, k);
      const { splits, chunk } = selectSplitK(m, n, k, tile);
      assert.equal(chunk % GEMM_TK, 0, `chunk ${chunk} for ${m}×${n}×${k}`);
      assert.ok(splits >= 1 && (splits - 1) * chunk < Math.max(k, 1) && splits * chunk >= k, `${splits} × ${chunk} for k = ${k}`);
      assert.ok(tileRows(tile) > 0 && tileCols(tile) > 0);
    }
    assert.ok(selectSplitK(6, 25, 50176, GEMM_TILES.narrow).splits > 1, 'filter gradient of a first layer splits k');
    assert.equal(selectSplitK(64, 288, 1024, GEMM_TILES.medium).splits, 1, 'enough workgroups already');
  });

  it('sums short rows serially and long rows with a workgroup', () => {
    assert.equal(selectRowSum(64), 'serial');
    assert.equal(selectRowSum(50176), 'workgroup');
  });
});
