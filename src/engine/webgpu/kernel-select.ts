// Kernel selection as data: which GEMM tile, how much split-K, and which convolution algorithm per
// layer shape. The thresholds come from measurements on this project's reference adapter (Dawn +
// SwiftShader); docs/performance.md records them and how to re-measure.

import type { ConvGeometry } from '../backend';
import { GEMM_TK, tileCols, tileRows, type GemmTile } from './kernels';

// ── GEMM tiles ───────────────────────────────────────────────────────────────────────────────

export const GEMM_TILES = {
  /** 256 invocations, 64 × 64: most reuse per staged element, for big products with a long k. */
  large: { name: '64x64', wgX: 16, wgY: 16 },
  /** 64 invocations, 32 × 32: the general-purpose tile. */
  medium: { name: '32x32', wgX: 8, wgY: 8 },
  /** 64 invocations, 16 × 64: few rows (conv filters, dense outputs) over many columns. */
  wide: { name: '16x64', wgX: 16, wgY: 4 },
  /**
   * 16 invocations, 8 × 32: at most 8 rows (early-layer filter gradients, small-C data gradients),
   * where a taller tile multiplies mostly padding.
   */
  narrow: { name: '8x32', wgX: 8, wgY: 2 },
} as const satisfies Record<string, GemmTile>;

/** The large tile pays off only when its 256-invocation barriers are amortised over many k steps… */
const LARGE_TILE_MIN_K = 512;
/** …there are enough of its workgroups to keep every core busy… */
const LARGE_TILE_MIN_WORKGROUPS = 8;
/** …and little of it is padding. */
const LARGE_TILE_MAX_WASTE = 0.1;

/**
 * Measured (docs/performance.md): 8 × 32 for m ≤ 8 (1.5–2.5× faster than 16 × 64 there), 16 × 64
 * for m ≤ 16 (up to 3× faster than 32 × 32); 64 × 64 only for big, long-k products (1.3× faster at
 * 64 × 576 × 1024, slower at 256³); 32 × 32 otherwise.
 */
export function selectGemmTile(m: number, n: number, k: number): GemmTile {
  if (m <= 8) return GEMM_TILES.narrow;
  if (m <= 16) return GEMM_TILES.wide;
  const large = GEMM_TILES.large;
  const workgroups = Math.ceil(m / tileRows(large)) * Math.ceil(n / tileCols(large));
  if (k >= LARGE_TILE_MIN_K && workgroups >= LARGE_TILE_MIN_WORKGROUPS && paddingWaste(m, n, large) <= LARGE_TILE_MAX_WASTE) {
    return large;
  }
  return GEMM_TILES.medium;
}

function paddingWaste(m: number, n: number, t: GemmTile): number {
  const padded = Math.ceil(m / tileRows(t)) * tileRows(t) * Math.ceil(n / tileCols(t)) * tileCols(t);
  return 1 - (m * n) / padded;
}

// ── split-K ──────────────────────────────────────────────────────────────────────────────────

/** Split-K aims for at least this many workgroups in flight (the autotuner tries splits below it too)… */
export const SPLIT_TARGET_WORKGROUPS = 8;
/** …but never gives a split less than this much of k: each split adds m·n partial sums to reduce. */
const SPLIT_MIN_K = 512;
const SPLIT_MAX = 64;

export interface SplitK {
  /** Number of k ranges (1 = no split, no reduce pass). */
  readonly splits: number;
  /** k per split, a multiple of the staged k-slice. */
  readonly chunk: number;
}

/**
 * Small outputs with a long k (the filter gradient: a few hundred weights summed over N·OH·OW
 * pixels) would otherwise run as one or two workgroups, leaving a real GPU idle; split-K spreads k
 * over workgroups and adds one cheap reduce pass. Kept modest because on the software adapter
 * total work grows with the split count (neutral up to 8 splits, 1.5–7× the CPU time at 16–64).
 */
export function selectSplitK(m: number, n: number, k: number, tile: GemmTile): SplitK {
  const workgroups = Math.ceil(m / tileRows(tile)) * Math.ceil(n / tileCols(tile));
  let splits = 1;
  if (workgroups < SPLIT_TARGET_WORKGROUPS) {
    splits = Math.min(SPLIT_MAX, Math.ceil(SPLIT_TARGET_WORKGROUPS / workgroups), Math.floor(k / SPLIT_MIN_K));
  }
  splits = Math.max(1, splits);
  const chunk = Math.max(GEMM_TK, Math.ceil(k / splits / GEMM_TK) * GEMM_TK);
  return { splits: Math.max(1, Math.ceil(k / chunk)), chunk };
}

// ── row sums (bias gradients) ────────────────────────────────────────────────────────────

/**
 * Rows up to this long are summed by one invocation each, longer ones by a workgroup. Here the
 * serial kernel wins up to ~50k columns (15× at 120 × 64), but a GPU needs the parallel reduction
 * for long rows, so only short (dense-layer) rows go serial.
 */
export const ROW_SUM_SERIAL_MAX_COLS = 1024;

export function selectRowSum(cols: number): 'serial' | 'workgroup' {
  return cols <= ROW_SUM_SERIAL_MAX_COLS ? 'serial' : 'workgroup';
}

// ── convolution ──────────────────────────────────────────────────────────────────────────────

/** 'direct' is forward-only. */
export type ConvAlgorithm = 'im2col' | 'implicit' | 'direct' | 'pointwise';
export type ConvAlgorithmOption = 'auto' | ConvAlgorithm;
export type ConvPass = 'forward' | 'dgrad' | 'wgrad';

/** Largest unrolled matrix the explicit path may materialise (bytes). */
export const IM2COL_BUDGET_BYTES = 64 << 20;

/** Bytes of φ(pad(x)), the (C·kh·kw) × (N·OH·OW) matrix the explicit path writes (and dgrad's col matrix). */
export function unrolledBytes(g: ConvGeometry): number {
  return g.c * g.kh * g.kw * g.n * g.oh * g.ow * 4;
}

/** A 1×1 kernel with stride 1 and no padding: φ(pad(x)) is x itself (C × N·H·W), so each pass is
 *  one plain GEMM on the feature maps, with no unrolling, gather or col2im. */
export function isPointwise(g: ConvGeometry): boolean {
  return g.kh === 1 && g.kw === 1 && g.sh === 1 && g.sw === 1 && g.ph === 0 && g.pw === 0;
}

/** Input channels up to which the direct kernel beats the tiled ones (forward pass). */
const DIRECT_MAX_CHANNELS = 8;
const DIRECT_MAX_TAPS = 200;
/** Below this many input channels implicit dgrad's GEMM (C rows) is mostly padding. */
const IMPLICIT_DGRAD_MIN_CHANNELS = 8;

/**
 * Measured rule (docs/performance.md), CPU time relative to im2col + GEMM on SwiftShader:
 *  - forward: direct for C ≤ 8 and C·kh·kw ≤ 200 (0.17–0.64, and 0.3–0.45 vs implicit for LeNet's 6→16 with
 *    the stride-1 strip kernel: no barriers and no staging when there
 *    are few taps; from 16 channels on it loses, 1.1–2.2), else implicit GEMM (0.62–0.94: the gather
 *    costs less than writing and re-reading φ);
 *  - dgrad: implicit (0.48–0.68) except for C < 8, where its GEMM has only C rows (1.2–1.9), and
 *    for strided layers, where (s² − 1)/s² of its taps multiply zeros (1.8);
 *  - wgrad: implicit always (0.65–0.91), split-K for long k.
 * The explicit path is also bounded by IM2COL_BUDGET_BYTES.
 */
export function selectConvAlgorithm(pass: ConvPass, g: ConvGeometry): ConvAlgorithm {
  if (isPointwise(g)) return 'pointwise';
  const fitsUnrolled = unrolledBytes(g) <= IM2COL_BUDGET_BYTES;
  switch (pass) {
    case 'forward':
      return g.c <= DIRECT_MAX_CHANNELS && g.c * g.kh * g.kw <= DIRECT_MAX_TAPS ? 'direct' : 'implicit';
    case 'dgrad': {
      const strided = g.sh > 1 || g.sw > 1;
      return (strided || g.c < IMPLICIT_DGRAD_MIN_CHANNELS) && fitsUnrolled ? 'im2col' : 'implicit';
    }
    case 'wgrad':
      return 'implicit';
  }
}
