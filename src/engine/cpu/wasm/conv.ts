// Convolution on the wasm GEMM, in simpleNN's matrix form like ../conv.ts:
//   forward  y  = W · φ(pad(x)) + bias   (φ packed straight from the padded image, bias in the epilogue)
//   wgrad    dW = Δ · φ(pad(x))ᵀ           (for few filters or taps: a direct reduction over output rows)
//   dgrad    dx = col2im(Wᵀ · Δ)         (per column chunk, scattered into a padded dx, then cropped)
//            or, for a stride-1 layer whose output is as large as its input ('same' padding), the
//            forward convolution of Δ with the flipped, transposed filters (dataGradientAsForward).
// A padded layer first copies x into a zero-bordered image, so no packer needs bounds checks.
// Arguments are byte offsets of tensors in the backend's heap; the backend has checked their sizes.

import type { ConvGeometry } from '../../backend';
import { blockedGemm, matrixA, matrixB } from './gemm';
import type { KernelExports } from './modules';
import type { Scratch } from './scratch';

/** Elements of Wᵀ·Δ per column chunk (256 KiB), so col2im reads the chunk while it is in cache. */
export const COLUMN_CHUNK_ELEMENTS = 1 << 16;

/** Elements of dy per chunk of output rows in the direct filter gradient: its chunk of dy and x stays in L1. */
export const WGRAD_CHUNK_ELEMENTS = 512;

/** The padded image's geometry and the offset tables of φ over it. */
export interface PhiTables {
  readonly taps: number; readonly pixels: number;
  /** Float planes (channels × batch) and the padded plane's size. */
  readonly planes: number; readonly hp: number; readonly wp: number;
  /** Byte offsets of the pixel-origin table (0 when not asked for) and the tap-offset table. */
  readonly pix: number; readonly tap: number;
}

export function isPadded(g: ConvGeometry): boolean {
  return g.ph > 0 || g.pw > 0;
}

/** Reserves and fills the tap-offset and (unless withPixels is false) pixel-origin tables of φ over the padded image. */
export function phiTables(x: KernelExports, scratch: Scratch, g: ConvGeometry, withPixels = true): PhiTables {
  const taps = g.c * g.kh * g.kw, pixels = g.n * g.oh * g.ow;
  const hp = g.h + 2 * g.ph, wp = g.w + 2 * g.pw;
  const pix = withPixels ? scratch.reserve('conv.pixels', 4 * pixels) : 0, tap = scratch.reserve('conv.taps', 4 * taps);
  if (withPixels) x.pixel_origins(pix, g.n, g.oh, g.ow, 4 * hp * wp, 4 * g.sh * wp, 4 * g.sw);
  x.tap_offsets(tap, g.c, g.kh, g.kw, 4 * g.n * hp * wp, 4 * wp);
  return { taps, pixels, planes: g.c * g.n, hp, wp, pix, tap };
}

/** Copies `planes` planes of h × w at x into zero-bordered ones at xp (pad_copy's arguments). */
export type PadCopy = (x: number, xp: number, planes: number, h: number, w: number, ph: number, pw: number) => void;

/** x itself, or its zero-padded copy (made by `copy`: this thread's pad_copy, or the threads'). */
export function paddedInput(x: KernelExports, scratch: Scratch, g: ConvGeometry, t: PhiTables, input: number,
  copy: PadCopy = x.pad_copy): number {
  if (!isPadded(g)) return input;
  const xp = scratch.reserve('conv.padded', 4 * t.planes * t.hp * t.wp);
  copy(input, xp, t.planes, g.h, g.w, g.ph, g.pw);
  return xp;
}

/** y (m × N·OH·OW) = W · φ(pad(x)) (+ bias per row; bias 0 = none), and relu(y) into `relu` unless 0. */
export function convForward(x: KernelExports, scratch: Scratch, g: ConvGeometry,
  input: number, w: number, bias: number, y: number, relu = 0): void {
  const t = phiTables(x, scratch, g);
  const xp = paddedInput(x, scratch, g, t, input);
  blockedGemm(x, scratch, {
    m: g.m, n: t.pixels, k: t.taps, a: matrixA(x, w, t.taps, false),
    b: (dst, j0, count, k0, kc) => x.pack_phi_pixels(xp, t.pix + 4 * j0, t.tap + 4 * k0, count, kc, dst),
    c: y, ldc: t.pixels, alpha: 1, beta: 0, bias, relu,
  });
}

/**
 * conv-direct.wat instead of the GEMM: stride 1, one k block (C·kh·kw ≤ 256 taps, so the sums run
 * in the GEMM's order and give its bits), rows of at least 8 outputs of which the 8-wide blocks
 * recompute at most a quarter. Measured 1.11–1.23× the GEMM's speed from 25 taps (LeNet-5's first
 * layer) to 216 and from 6 to 128 filters, as fast at rows of 12 (a third recomputed).
 */
export function directForward(g: ConvGeometry): boolean {
  return g.sh === 1 && g.sw === 1 && g.c * g.kh * g.kw <= 256 && g.ow >= 8 && 8 * Math.ceil(g.ow / 8) <= 1.25 * g.ow;
}

/** The direct kernel's operands: the padded image and the filters regrouped as groups × taps × 4. */
export interface DirectForwardPlan {
  readonly xp: number; readonly filters: number;
  readonly groups: number; readonly taps: number; readonly hp: number; readonly wp: number;
}

/** Pads the image (when the layer pads) and regroups the filters; `memory` is the heap's. */
export function planDirectForward(x: KernelExports, memory: WebAssembly.Memory, scratch: Scratch,
  g: ConvGeometry, input: number, w: number, copy: PadCopy = x.pad_copy): DirectForwardPlan {
  const taps = g.c * g.kh * g.kw, groups = Math.ceil(g.m / 4);
  const filters = scratch.reserve('conv.directFilters', 4 * groups * taps * 4);
  const hp = g.h + 2 * g.ph, wp = g.w + 2 * g.pw;
  let xp = input;
  if (isPadded(g)) {
    xp = scratch.reserve('conv.padded', 4 * g.c * g.n * hp * wp);
    copy(input, xp, g.c * g.n, g.h, g.w, g.ph, g.pw);
  }
  const from = new Float32Array(memory.buffer, w, g.m * taps), to = new Float32Array(memory.buffer, filters, groups * taps * 4);
  to.fill(0);
  for (let f = 0; f < g.m; f++) {
    const base = (f >> 2) * taps * 4 + (f & 3);
    for (let t = 0; t < taps; t++) to[base + 4 * t] = from[f * taps + t];
  }
  return { xp, filters, groups, taps, hp, wp };
}

/** Images [n0, n1) of the direct forward: every filter group in turn. */
export function runDirectForward(x: KernelExports, g: ConvGeometry, p: DirectForwardPlan, bias: number, y: number, relu: number,
  n0: number, n1: number): void {
  const plane = 4 * g.n * g.oh * g.ow;
  for (let group = 0; group < p.groups; group++) {
    const first = 4 * group;
    x.conv_direct(p.xp, p.filters + 4 * group * p.taps * 4, bias === 0 ? 0 : bias + 4 * first, y + first * plane,
      relu === 0 ? 0 : 1, relu === 0 ? 0 : relu - y, n0, n1, g.n, g.c, p.hp, p.wp, g.oh, g.ow, g.kh, g.kw, Math.min(4, g.m - first));
  }
}

/**
 * The direct filter gradient wins where the GEMM's packing of φᵀ is paid for by few filters or
 * taps: measured 11–12 GFLOP/s against the GEMM's 6–9 at 1→6 28² 5×5 and 3→16 32² 3×3, but 9–11
 * against 11–17 at 16 filters × 72 taps or more (6→16 14² 5×5, 8→16 12² 3×3, 16→32 16², 32→64 8²).
 */
export function directFilterGradient(g: ConvGeometry): boolean {
  return g.sw === 1 && (g.m < 16 || g.c * g.kh * g.kw < 32);
}

/**
 * dw (m × C·kh·kw) = dy · φ(pad(x))ᵀ: a direct reduction over output rows (wgrad.wat), which needs
 * no packing, or the GEMM with φᵀ packed from the image.
 */
export function convBackwardFilter(x: KernelExports, scratch: Scratch, g: ConvGeometry,
  input: number, dy: number, dw: number, zero: (ptr: number, bytes: number) => void): void {
  const direct = directFilterGradient(g);
  const t = phiTables(x, scratch, g, !direct);
  const xp = paddedInput(x, scratch, g, t, input);
  if (direct) {
    zero(dw, 4 * g.m * t.taps);
    const chunk = Math.max(1, Math.floor(WGRAD_CHUNK_ELEMENTS / g.ow));
    x.wgrad_direct(xp, dy, dw, g.m, t.taps, t.tap, g.n * g.oh, g.oh, g.ow, 4 * t.hp * t.wp, 4 * g.sh * t.wp, chunk);
    return;
  }
  blockedGemm(x, scratch, {
    m: g.m, n: t.taps, k: t.pixels, a: matrixA(x, dy, t.pixels, false),
    b: (dst, j0, count, k0, kc) => x.pack_phi_taps(xp, t.pix + 4 * k0, t.tap + 4 * j0, count, kc, dst),
    c: dw, ldc: t.taps, alpha: 1, beta: 0, bias: 0,
  });
}

/**
 * The forward convolution that computes a layer's data gradient, where that costs no more than
 * col2im(Wᵀ·Δ): stride 1 and an output at least as large as the input. Then
 *   dx[c][n][y][x] = Σ_f Σ_i Σ_j dy[f][n][y + ph − i][x + pw − j] · W[f][c][i][j]
 * is a convolution of dy (channels f, padded by kh − 1 − ph and kw − 1 − pw) with filters
 * W'[c][f][i][j] = W[f][c][kh − 1 − i][kw − 1 − j]: one GEMM with k = m·kh·kw and no scatter, no
 * zeroing of dx and no crop, split by output pixels like the forward pass (so bit-identical at
 * any thread count). Null where the layer needs col2im.
 */
export function dataGradientAsForward(g: ConvGeometry): ConvGeometry | null {
  const ph = g.kh - 1 - g.ph, pw = g.kw - 1 - g.pw;
  if (g.sh !== 1 || g.sw !== 1 || ph < 0 || pw < 0 || g.h * g.w > g.oh * g.ow) return null;
  return { n: g.n, c: g.m, h: g.oh, w: g.ow, m: g.c, kh: g.kh, kw: g.kw, sh: 1, sw: 1, ph, pw, oh: g.h, ow: g.w };
}

/** W' (c × m·kh·kw) of dataGradientAsForward from W (m × c·kh·kw), both Float32Arrays over the heap. */
export function flipFilters(g: ConvGeometry, w: Float32Array, flipped: Float32Array): void {
  const taps = g.kh * g.kw;
  for (let f = 0; f < g.m; f++) {
    for (let c = 0; c < g.c; c++) {
      const from = (f * g.c + c) * taps, to = (c * g.m + f) * taps;
      for (let t = 0; t < taps; t++) flipped[to + taps - 1 - t] = w[from + t];
    }
  }
}

/**
 * dx (c × N·H·W) = col2im(Wᵀ · dy), overwriting dx. `zero(ptr, bytes)` clears heap bytes (the
 * backend's typed-array fill, faster than a wasm loop).
 */
export function convBackwardData(x: KernelExports, scratch: Scratch, g: ConvGeometry,
  dy: number, w: number, dx: number, zero: (ptr: number, bytes: number) => void): void {
  const t = phiTables(x, scratch, g);
  const chunk = Math.max(8, Math.floor(COLUMN_CHUNK_ELEMENTS / t.taps / 8) * 8);
  const cols = scratch.reserve('conv.columns', 4 * t.taps * Math.min(chunk, t.pixels));
  const padded = isPadded(g);
  const dxp = padded ? scratch.reserve('conv.padded', 4 * t.planes * t.hp * t.wp) : dx;
  zero(dxp, 4 * t.planes * t.hp * t.wp);
  const wT = matrixA(x, w, t.taps, true);
  for (let j0 = 0; j0 < t.pixels; j0 += chunk) {
    const count = Math.min(chunk, t.pixels - j0);
    // cols (taps × count) = Wᵀ (taps × m) · dy[:, j0 .. j0+count) (m × count)
    blockedGemm(x, scratch, {
      m: t.taps, n: count, k: g.m, a: wT, b: matrixB(x, dy + 4 * j0, t.pixels, false),
      c: cols, ldc: count, alpha: 1, beta: 0, bias: 0,
    });
    x.col2im(cols, count, t.taps, t.pix + 4 * j0, t.tap, dxp);
  }
  if (padded) x.crop_copy(dxp, dx, t.planes, g.h, g.w, g.ph, g.pw);
}
