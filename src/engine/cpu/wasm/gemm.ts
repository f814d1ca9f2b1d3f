// The blocking of the wasm GEMM (Goto & van de Geijn, like ../gemm.ts): loops over k blocks and
// column/row blocks in TypeScript, packing and the 4 × 8 micro-kernel in gemm.wat. A Packer says
// how to pack one operand, so convolutions pack φ(pad(x)) straight from the image (im2col.wat).

import type { KernelExports } from './modules';
import type { Scratch } from './scratch';

/** Depth of a k block: a 4 × KC strip of Ã and a KC × 8 strip of B̃ (48 KiB at 256) stay in L1/L2. */
const KC = 256;
/** Rows of op(A) packed at once: MC × KC floats = 128 KiB, for L2. */
const MC = 128;
/** Floats of one packed B̃ block (256 KiB); a shallow k gets proportionally more columns. */
const B_BLOCK_FLOATS = 65536;
/** Columns per B̃ block at the most (when k is tiny). */
const MAX_NC = 8192;
/** Bytes of the 4 × 8 edge tile the kernel computes into before storing the live corner. */
const EDGE_BYTES = 4 * 8 * 4;

/**
 * Packs op(X)[start .. start+count) × [k0 .. k0+kc) into dst (layouts in gemm.wat): rows of op(A)
 * as 4-row strips, or columns of op(B) as 8-column strips.
 */
export type Packer = (dst: number, start: number, count: number, k0: number, kc: number) => void;

/** op(A) of a row-major matrix at byte offset `ptr` with leading dimension `ld` (transposed: A is k × m). */
export function matrixA(x: KernelExports, ptr: number, ld: number, transposed: boolean): Packer {
  return transposed
    ? (dst, r0, rows, k0, kc) => x.pack_a(ptr + 4 * (k0 * ld + r0), ld, 1, rows, kc, dst)
    : (dst, r0, rows, k0, kc) => x.pack_a(ptr + 4 * (r0 * ld + k0), ld, 0, rows, kc, dst);
}

/** op(B) of a row-major matrix at byte offset `ptr` with leading dimension `ld` (transposed: B is n × k). */
export function matrixB(x: KernelExports, ptr: number, ld: number, transposed: boolean): Packer {
  return transposed
    ? (dst, j0, cols, k0, kc) => x.pack_b(ptr + 4 * (j0 * ld + k0), ld, 1, cols, kc, dst)
    : (dst, j0, cols, k0, kc) => x.pack_b(ptr + 4 * (k0 * ld + j0), ld, 0, cols, kc, dst);
}

export interface GemmCall {
  readonly m: number; readonly n: number; readonly k: number;
  readonly a: Packer; readonly b: Packer;
  /** Byte offset of C and its leading dimension in elements. */
  readonly c: number; readonly ldc: number;
  readonly alpha: number; readonly beta: number;
  /** Byte offset of m floats added to the rows of C, or 0 for none. */
  readonly bias: number;
  /**
   * Byte offset of a matrix laid out like C (leading dimension ldc) that receives relu(C) as each
   * block of C is finished, while it is in cache; 0 or absent for none.
   */
  readonly relu?: number;
}

/**
 * C = alpha·op(A)·op(B) + beta·C (+ bias per row), for m, n ≥ 0 and k ≥ 1 (k = 0 has nothing to
 * multiply: the caller scales C itself). beta = 0 never reads C.
 */
export function blockedGemm(x: KernelExports, scratch: Scratch, call: GemmCall): void {
  const { m, n, k, a, b, c, ldc, alpha, beta, bias } = call;
  const relu = call.relu ?? 0;
  if (m === 0 || n === 0) return;
  const kcMax = Math.min(KC, k);
  const ncMax = Math.min(MAX_NC, Math.max(8, Math.floor(B_BLOCK_FLOATS / kcMax / 8) * 8));
  const pa = scratch.reserve('gemm.packedA', 4 * Math.min(MC, roundUp(m, 4)) * kcMax);
  const pb = scratch.reserve('gemm.packedB', 4 * Math.min(ncMax, roundUp(n, 8)) * kcMax);
  const edge = scratch.reserve('gemm.edge', EDGE_BYTES);
  // op(A) in one block is packed once, not once per column block.
  const aOnce = m <= MC && k <= KC;
  if (aOnce) a(pa, 0, m, 0, k);
  for (let jc = 0; jc < n; jc += ncMax) {
    const nc = Math.min(ncMax, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      b(pb, jc, nc, pc, kc);
      // The first k block applies beta, later blocks accumulate onto it, and the last adds the bias
      // (so C gets the bias after the whole sum, as a separate addBias would) and the relu.
      const first = pc === 0, last = pc + kc >= k;
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        if (!aOnce) a(pa, ic, mc, pc, kc);
        const at = 4 * (ic * ldc + jc);
        x.macro_kernel(mc, nc, kc, pa, pb, c + at, ldc, alpha, first ? beta : 1,
          last && bias !== 0 ? bias + 4 * ic : 0, edge);
        if (last && relu !== 0) x.relu_rows(c + at, relu + at, mc, nc, ldc);
      }
    }
  }
}

function roundUp(v: number, multiple: number): number {
  return Math.ceil(v / multiple) * multiple;
}
