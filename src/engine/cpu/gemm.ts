// General matrix multiply for the CPU backend, written the way BLAS libraries do it (Goto & van de
// Geijn): panels of A and B are packed into contiguous Float64 scratch, the loops are blocked over
// k (so a packed B micro-panel stays in L1 and the packed A block in L2), and a 4×4 register-tiled
// micro-kernel does the arithmetic with k innermost. Packing is also where transposes and implicit
// im2col happen: a PanelSource describes how to read an operand, so conv layers can pack straight
// from the image without ever materialising φ(pad(Z)).
//
// JS numbers are doubles, so packing f32 into Float64Array is exact and saves a conversion per load
// in the micro-kernel; results are rounded once when stored into C.

import type { FloatArray } from '../backend';

/** Rows of C per micro-tile (the A strip height). */
export const MR = 4;
/** Columns of C per micro-tile (the B strip width). */
export const NR = 4;
/** Depth of one k block: a packed MR×KC strip of A and KC×NR strip of B fit in L1 together. */
const KC = 256;
/** Rows of A packed at once (MC×KC doubles = 128 KiB, sized for L2). */
const MC = 64;
/** Columns of B packed at once (KC×NC doubles = 4 MiB, sized for L3). */
const NC = 2048;

/**
 * Writes op(X)[r0 .. r0+rows) × [k0 .. k0+kc) into `dst` as strips of `strip` rows: strip s at
 * s·strip·kc, element (r, p) at p·strip + (r mod strip). Rows past the end of the strip are zero.
 * For B, "rows" are the columns of op(B) (the n dimension).
 */
export type PanelSource = (dst: Float64Array, r0: number, rows: number, k0: number, kc: number, strip: number) => void;

/** Reusable packing buffers; one per backend keeps allocation out of the hot path. */
export class GemmWorkspace {
  readonly packedA = new Float64Array(MC * KC);
  readonly packedB = new Float64Array(KC * NC);
}

/**
 * Operand X whose op(X) is `rows × depth`, stored row-major in `data` from `offset` with leading
 * dimension `ld`: not transposed, element (r, p) is at offset + r·ld + p; transposed (X stored
 * depth × rows), at offset + p·ld + r.
 */
export function matrixSource(data: FloatArray, offset: number, ld: number, transposed: boolean): PanelSource {
  if (!transposed) {
    return (dst, r0, count, k0, kc, strip) => {
      for (let s = 0; s < count; s += strip) {
        const base = s * kc;
        const live = Math.min(strip, count - s);
        for (let i = 0; i < strip; i++) {
          if (i >= live) { for (let p = 0; p < kc; p++) dst[base + p * strip + i] = 0; continue; }
          let src = offset + (r0 + s + i) * ld + k0;
          for (let p = 0; p < kc; p++) dst[base + p * strip + i] = data[src++];
        }
      }
    };
  }
  return (dst, r0, count, k0, kc, strip) => {
    for (let s = 0; s < count; s += strip) {
      const base = s * kc;
      const live = Math.min(strip, count - s);
      for (let p = 0; p < kc; p++) {
        const src = offset + (k0 + p) * ld + r0 + s;
        const d = base + p * strip;
        let i = 0;
        for (; i < live; i++) dst[d + i] = data[src + i];
        for (; i < strip; i++) dst[d + i] = 0;
      }
    }
  };
}

/**
 * C (m×n, row-major from cOffset with leading dimension ldc) = alpha·op(A)·op(B) + beta·C, with
 * op(A) m×k and op(B) k×n described by their panel sources. beta = 0 overwrites C without reading
 * it, so NaN or garbage in C does not survive.
 */
export function gemmPacked(ws: GemmWorkspace, m: number, n: number, k: number, a: PanelSource, b: PanelSource,
  c: FloatArray, cOffset: number, ldc: number, alpha: number, beta: number): void {
  if (m === 0 || n === 0) return;
  if (k === 0 || alpha === 0) {
    for (let i = 0; i < m; i++) scaleRow(c, cOffset + i * ldc, n, beta);
    return;
  }
  const pa = ws.packedA, pb = ws.packedB;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      b(pb, jc, nc, pc, kc, NR);
      // The first k block applies beta; later blocks accumulate onto it.
      const betaHere = pc === 0 ? beta : 1;
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        a(pa, ic, mc, pc, kc, MR);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = Math.min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = Math.min(MR, mc - ir);
            microKernel4x4(kc, pa, ir * kc, pb, jr * kc, c, cOffset + (ic + ir) * ldc + jc + jr, ldc, mr, nr, alpha, betaHere);
          }
        }
      }
    }
  }
}

/** C = beta·C over `length` elements; beta = 0 writes zeros (so NaN/Inf in C do not survive). */
function scaleRow(c: FloatArray, offset: number, length: number, beta: number): void {
  if (beta === 1) return;
  if (beta === 0) c.fill(0, offset, offset + length);
  else for (let i = offset; i < offset + length; i++) c[i] *= beta;
}

/**
 * One 4×4 tile of C from a packed 4×kc strip of A and kc×4 strip of B: 16 accumulators in locals,
 * k innermost. Only the live mr×nr corner is stored (edge tiles are zero-padded in the packs).
 */
function microKernel4x4(kc: number, pa: Float64Array, ai: number, pb: Float64Array, bi: number,
  c: FloatArray, ci: number, ldc: number, mr: number, nr: number, alpha: number, beta: number): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let p = 0; p < kc; p++) {
    const a0 = pa[ai], a1 = pa[ai + 1], a2 = pa[ai + 2], a3 = pa[ai + 3];
    const b0 = pb[bi], b1 = pb[bi + 1], b2 = pb[bi + 2], b3 = pb[bi + 3];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
    ai += 4; bi += 4;
  }
  if (mr === 4 && nr === 4) {
    if (beta === 0) {
      c[ci] = alpha * c00; c[ci + 1] = alpha * c01; c[ci + 2] = alpha * c02; c[ci + 3] = alpha * c03; ci += ldc;
      c[ci] = alpha * c10; c[ci + 1] = alpha * c11; c[ci + 2] = alpha * c12; c[ci + 3] = alpha * c13; ci += ldc;
      c[ci] = alpha * c20; c[ci + 1] = alpha * c21; c[ci + 2] = alpha * c22; c[ci + 3] = alpha * c23; ci += ldc;
      c[ci] = alpha * c30; c[ci + 1] = alpha * c31; c[ci + 2] = alpha * c32; c[ci + 3] = alpha * c33;
    } else {
      c[ci] = alpha * c00 + beta * c[ci]; c[ci + 1] = alpha * c01 + beta * c[ci + 1];
      c[ci + 2] = alpha * c02 + beta * c[ci + 2]; c[ci + 3] = alpha * c03 + beta * c[ci + 3]; ci += ldc;
      c[ci] = alpha * c10 + beta * c[ci]; c[ci + 1] = alpha * c11 + beta * c[ci + 1];
      c[ci + 2] = alpha * c12 + beta * c[ci + 2]; c[ci + 3] = alpha * c13 + beta * c[ci + 3]; ci += ldc;
      c[ci] = alpha * c20 + beta * c[ci]; c[ci + 1] = alpha * c21 + beta * c[ci + 1];
      c[ci + 2] = alpha * c22 + beta * c[ci + 2]; c[ci + 3] = alpha * c23 + beta * c[ci + 3]; ci += ldc;
      c[ci] = alpha * c30 + beta * c[ci]; c[ci + 1] = alpha * c31 + beta * c[ci + 1];
      c[ci + 2] = alpha * c32 + beta * c[ci + 2]; c[ci + 3] = alpha * c33 + beta * c[ci + 3];
    }
    return;
  }
  storeRow(c, ci, nr, alpha, beta, c00, c01, c02, c03);
  if (mr > 1) storeRow(c, ci + ldc, nr, alpha, beta, c10, c11, c12, c13);
  if (mr > 2) storeRow(c, ci + 2 * ldc, nr, alpha, beta, c20, c21, c22, c23);
  if (mr > 3) storeRow(c, ci + 3 * ldc, nr, alpha, beta, c30, c31, c32, c33);
}

/** Stores the first nr of four accumulators of an edge tile's row. */
function storeRow(c: FloatArray, at: number, nr: number, alpha: number, beta: number,
  x0: number, x1: number, x2: number, x3: number): void {
  if (beta === 0) {
    c[at] = alpha * x0;
    if (nr > 1) c[at + 1] = alpha * x1;
    if (nr > 2) c[at + 2] = alpha * x2;
    if (nr > 3) c[at + 3] = alpha * x3;
  } else {
    c[at] = alpha * x0 + beta * c[at];
    if (nr > 1) c[at + 1] = alpha * x1 + beta * c[at + 1];
    if (nr > 2) c[at + 2] = alpha * x2 + beta * c[at + 2];
    if (nr > 3) c[at + 3] = alpha * x3 + beta * c[at + 3];
  }
}

/** Plain-matrix convenience: C = alpha·op(A)·op(B) + beta·C over arrays starting at offset 0. */
export function gemm(ws: GemmWorkspace, m: number, n: number, k: number, a: FloatArray, b: FloatArray, c: FloatArray,
  transA = false, transB = false, alpha = 1, beta = 0): void {
  // op(B) is packed by its columns, i.e. as op(B)ᵀ, which is B itself when transB is set.
  gemmPacked(ws, m, n, k, matrixSource(a, 0, transA ? m : k, transA), matrixSource(b, 0, transB ? k : n, !transB),
    c, 0, n, alpha, beta);
}
