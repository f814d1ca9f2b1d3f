// Kernel selection as data: which GEMM tile, how much split-K, and which convolution algorithm per
// layer shape. The thresholds come from measurements on this project's reference adapter (Dawn +
// SwiftShader); docs/performance.md records them and how to re-measure.

import type { ConvGeometry } from '../backend';
import { GEMM_TK, tileCols, tileRows, type GemmTile } from './kernels';

// ── GEMM tiles ───────────────────────────────────────────────────────────────────────────────

export const GEMM_TILES = {
  /** 256 invocations, 64 × 64: most reuse per staged element, for big products. */
  large: { name: '64x64', wgX: 16, wgY: 16 },
  /** 64 invocations, 32 × 32: less padding waste and more workgroups for mid-sized products. */
  medium: { name: '32x32', wgX: 8, wgY: 8 },
  /** 64 invocations, 16 × 64: few rows (conv filters, dense outputs) over many columns. */
  wide: { name: '16x64', wgX: 16, wgY: 4 },
} as const satisfies Record<string, GemmTile>;

/** Below this many multiply-adds per 64 × 64 workgroup the large tile leaves the adapter idle. */
const LARGE_TILE_MIN_WORKGROUPS = 8;

/** Picks the tile that wastes least work on padding, preferring bigger tiles on near-ties. */
export function selectGemmTile(m: number, n: number): GemmTile {
  if (m <= 16) return GEMM_TILES.wide;
  const large = GEMM_TILES.large;
  const workgroups = Math.ceil(m / tileRows(large)) * Math.ceil(n / tileCols(large));
  if (workgroups >= LARGE_TILE_MIN_WORKGROUPS && paddingWaste(m, n, large) <= 0.25) return large;
  return GEMM_TILES.medium;
}

function paddingWaste(m: number, n: number, t: GemmTile): number {
  const padded = Math.ceil(m / tileRows(t)) * tileRows(t) * Math.ceil(n / tileCols(t)) * tileCols(t);
  return 1 - (m * n) / padded;
}

// ── split-K ──────────────────────────────────────────────────────────────────────────────────

/** Split-K aims for at least this many workgroups in flight. */
const SPLIT_TARGET_WORKGROUPS = 16;
/** Never give a split less than this much of k: each split adds m·n partial sums to reduce. */
const SPLIT_MIN_K = 256;
const SPLIT_MAX = 64;

export interface SplitK {
  /** Number of k ranges (1 = no split, no reduce pass). */
  readonly splits: number;
  /** k per split, a multiple of the staged k-slice. */
  readonly chunk: number;
}

/**
 * Small outputs with a long k (the filter gradient: a few hundred weights summed over N·OH·OW
 * pixels) would otherwise run as a handful of workgroups; split-K spreads k over workgroups and
 * adds one cheap reduce pass.
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

// ── convolution ──────────────────────────────────────────────────────────────────────────────

export type ConvAlgorithm = 'im2col' | 'implicit';
export type ConvAlgorithmOption = 'auto' | ConvAlgorithm;
export type ConvPass = 'forward' | 'dgrad' | 'wgrad';

/** Largest unrolled matrix the explicit path may materialise (bytes). */
export const IM2COL_BUDGET_BYTES = 64 << 20;

/** Bytes of φ(pad(x)), the (C·kh·kw) × (N·OH·OW) matrix the explicit path writes (and dgrad's col matrix). */
export function unrolledBytes(g: ConvGeometry): number {
  return g.c * g.kh * g.kw * g.n * g.oh * g.ow * 4;
}

/**
 * Measured rule (docs/performance.md): implicit GEMM for forward and filter gradient (the gather
 * costs less than writing and re-reading φ); for the data gradient the implicit form multiplies
 * by zeros at (s² − 1)/s² of the taps when strided, so strided layers use GEMM + col2im.
 */
export function selectConvAlgorithm(pass: ConvPass, g: ConvGeometry): ConvAlgorithm {
  const strided = g.sh > 1 || g.sw > 1;
  if (pass === 'dgrad' && strided && unrolledBytes(g) <= IM2COL_BUDGET_BYTES) return 'im2col';
  return 'implicit';
}
