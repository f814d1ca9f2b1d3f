// Convolution in simpleNN's matrix form on top of the packed GEMM:
//   forward  S  = W · φ(pad(Z))                 (implicit im2col: φ is packed straight from Z)
//   wgrad    dW = Δ · φ(pad(Z))ᵀ                (implicit im2col again, on the other operand)
//   dgrad    dZ = vec(Wᵀ·Δ)ᵀ P_φ P_pad          (GEMM into a column chunk, then col2im scatter-add)
// φ(pad(Z)) has row (c·kh + i)·kw + j and column (n·OH + oh)·OW + ow; it is never stored whole.
// Implicit GEMM is used for every shape: a direct row-axpy convolution (f64 row accumulators,
// contiguous runs over ow) measured 1.1–1.9× slower on LeNet's conv1 (C·kh·kw = 25, the best case
// for it) and 2–4× slower on conv2 and 3×3 layers with 3–16 input channels, forward and filter gradient.

import type { ConvGeometry, FloatArray } from '../backend';
import { gemmPacked, GemmWorkspace, matrixSource, type PanelSource } from './gemm';

/** Output pixels of a panel: where each window starts in x and whether it lies inside the image. */
export interface Windows {
  readonly rowStart: Int32Array;
  readonly colStart: Int32Array;
  readonly imageBase: Int32Array;
  /** imageBase + rowStart·w + colStart: x offset of the window's top-left tap (before the channel). */
  readonly origin: Int32Array;
  /** 1 when the whole window is inside the (unpadded) image, so no tap needs a bounds check. */
  readonly inside: Uint8Array;
}

/** Taps (c, i, j) of a panel: channel offset and kernel position, and their sum channel + i·w + j. */
export interface Taps {
  readonly channelOffset: Int32Array;
  readonly tapRow: Int32Array;
  readonly tapCol: Int32Array;
  readonly tapOffset: Int32Array;
}

/** Scratch for the conv kernels, reused across calls. */
export class ConvWorkspace {
  readonly gemm = new GemmWorkspace();
  private win: Windows = allocWindows(0);
  private tap: Taps = allocTaps(0);
  private columns = new Float64Array(0);

  /** Window origins for output pixels [j0, j0 + count), indexed from 0. */
  windows(g: ConvGeometry, j0: number, count: number): Windows {
    if (this.win.origin.length < count) this.win = allocWindows(count);
    const { rowStart, colStart, imageBase, origin, inside } = this.win;
    const plane = g.oh * g.ow, hw = g.h * g.w;
    let image = Math.floor(j0 / plane);
    const rem = j0 - image * plane;
    let oh = Math.floor(rem / g.ow), ow = rem - oh * g.ow;
    for (let t = 0; t < count; t++) {
      const r = oh * g.sh - g.ph, c = ow * g.sw - g.pw;
      rowStart[t] = r; colStart[t] = c; imageBase[t] = image * hw;
      origin[t] = image * hw + r * g.w + c;
      inside[t] = r >= 0 && r + g.kh <= g.h && c >= 0 && c + g.kw <= g.w ? 1 : 0;
      if (++ow === g.ow) { ow = 0; if (++oh === g.oh) { oh = 0; image++; } }
    }
    return this.win;
  }

  /** Decoded taps [k0, k0 + count), indexed from 0. */
  taps(g: ConvGeometry, k0: number, count: number): Taps {
    if (this.tap.tapOffset.length < count) this.tap = allocTaps(count);
    const { channelOffset, tapRow, tapCol, tapOffset } = this.tap;
    const channelStride = g.n * g.h * g.w;
    for (let t = 0; t < count; t++) {
      const k = k0 + t;
      const c = Math.floor(k / (g.kh * g.kw));
      channelOffset[t] = c * channelStride;
      tapRow[t] = Math.floor(k / g.kw) % g.kh;
      tapCol[t] = k % g.kw;
      tapOffset[t] = channelOffset[t] + tapRow[t] * g.w + tapCol[t];
    }
    return this.tap;
  }

  /** A Float64 scratch of at least `length` elements (contents undefined). */
  scratch(length: number): Float64Array {
    if (this.columns.length < length) this.columns = new Float64Array(length);
    return this.columns;
  }
}

function allocWindows(n: number): Windows {
  return { rowStart: new Int32Array(n), colStart: new Int32Array(n), imageBase: new Int32Array(n), origin: new Int32Array(n), inside: new Uint8Array(n) };
}

function allocTaps(n: number): Taps {
  return { channelOffset: new Int32Array(n), tapRow: new Int32Array(n), tapCol: new Int32Array(n), tapOffset: new Int32Array(n) };
}

/**
 * Panel source for φ(pad(x)) seen with output pixels as "rows" and taps (c, i, j) as depth: packs
 * the columns of φ, which is what GEMM needs for B in the forward pass (op(B) = φ).
 */
function phiByPixel(ws: ConvWorkspace, g: ConvGeometry, x: FloatArray): PanelSource {
  const { h, w } = g;
  return (dst, r0, count, k0, kc, strip) => {
    const { rowStart, colStart, imageBase, origin, inside } = ws.windows(g, r0, count);
    const { channelOffset, tapRow, tapCol, tapOffset } = ws.taps(g, k0, kc);
    for (let s = 0; s < count; s += strip) {
      const base = s * kc;
      const live = Math.min(strip, count - s);
      // Windows entirely inside the image need no bounds checks (every window when pad = 0).
      if (strip === 4 && live === 4 && inside[s] & inside[s + 1] & inside[s + 2] & inside[s + 3]) {
        const o0 = origin[s], o1 = origin[s + 1], o2 = origin[s + 2], o3 = origin[s + 3];
        for (let p = 0, d = base; p < kc; p++, d += 4) {
          const tap = tapOffset[p];
          dst[d] = x[o0 + tap]; dst[d + 1] = x[o1 + tap]; dst[d + 2] = x[o2 + tap]; dst[d + 3] = x[o3 + tap];
        }
        continue;
      }
      for (let p = 0; p < kc; p++) {
        const channel = channelOffset[p], i = tapRow[p], j = tapCol[p];
        const d = base + p * strip;
        let u = 0;
        for (; u < live; u++) {
          const t = s + u;
          const r = rowStart[t] + i, q = colStart[t] + j;
          dst[d + u] = r >= 0 && r < h && q >= 0 && q < w ? x[channel + imageBase[t] + r * w + q] : 0;
        }
        for (; u < strip; u++) dst[d + u] = 0;
      }
    }
  };
}

/**
 * Panel source for φ(pad(x))ᵀ seen with taps (c, i, j) as "rows" and output pixels as depth: what
 * GEMM needs for B in the filter gradient (op(B) = φᵀ).
 */
function phiByTap(ws: ConvWorkspace, g: ConvGeometry, x: FloatArray): PanelSource {
  const { h, w } = g;
  return (dst, r0, count, k0, kc, strip) => {
    const { rowStart, colStart, imageBase, origin, inside } = ws.windows(g, k0, kc);
    const { channelOffset, tapRow, tapCol, tapOffset } = ws.taps(g, r0, count);
    for (let s = 0; s < count; s += strip) {
      const base = s * kc;
      const live = Math.min(strip, count - s);
      if (strip === 4 && live === 4) {
        const t0 = tapOffset[s], t1 = tapOffset[s + 1], t2 = tapOffset[s + 2], t3 = tapOffset[s + 3];
        for (let p = 0, d = base; p < kc; p++, d += 4) {
          if (inside[p]) {
            const o = origin[p];
            dst[d] = x[o + t0]; dst[d + 1] = x[o + t1]; dst[d + 2] = x[o + t2]; dst[d + 3] = x[o + t3];
            continue;
          }
          for (let u = 0; u < 4; u++) {
            const r = rowStart[p] + tapRow[s + u], q = colStart[p] + tapCol[s + u];
            dst[d + u] = r >= 0 && r < h && q >= 0 && q < w ? x[channelOffset[s + u] + imageBase[p] + r * w + q] : 0;
          }
        }
        continue;
      }
      for (let u = 0; u < strip; u++) {
        if (u >= live) { for (let p = 0; p < kc; p++) dst[base + p * strip + u] = 0; continue; }
        const channel = channelOffset[s + u], i = tapRow[s + u], j = tapCol[s + u];
        for (let p = 0; p < kc; p++) {
          const r = rowStart[p] + i, q = colStart[p] + j;
          dst[base + p * strip + u] = r >= 0 && r < h && q >= 0 && q < w ? x[channel + imageBase[p] + r * w + q] : 0;
        }
      }
    }
  };
}

/** y (m × N·OH·OW) = W · φ(pad(x)) (+ bias per row). */
export function convForward(ws: ConvWorkspace, g: ConvGeometry, x: FloatArray, w: FloatArray,
  bias: FloatArray | null, y: FloatArray): void {
  const taps = g.c * g.kh * g.kw, pixels = g.n * g.oh * g.ow;
  gemmPacked(ws.gemm, g.m, pixels, taps, matrixSource(w, 0, taps, false), phiByPixel(ws, g, x), y, 0, pixels, 1, 0);
  if (bias) {
    for (let f = 0; f < g.m; f++) {
      const b = bias[f];
      if (b !== 0) for (let t = f * pixels, end = t + pixels; t < end; t++) y[t] += b;
    }
  }
}

/** dw = dy · φ(pad(x))ᵀ, dbias[f] = Σ dy[f, :]. */
export function convBackwardFilter(ws: ConvWorkspace, g: ConvGeometry, x: FloatArray, dy: FloatArray,
  dw: FloatArray, dbias: FloatArray | null): void {
  const taps = g.c * g.kh * g.kw, pixels = g.n * g.oh * g.ow;
  gemmPacked(ws.gemm, g.m, taps, pixels, matrixSource(dy, 0, pixels, false), phiByTap(ws, g, x), dw, 0, taps, 1, 0);
  if (dbias) {
    for (let f = 0; f < g.m; f++) {
      let s = 0;
      for (let t = f * pixels, end = t + pixels; t < end; t++) s += dy[t];
      dbias[f] = s;
    }
  }
}

/** Columns of Wᵀ·Δ computed per chunk, so the chunk is still in cache when col2im reads it. */
const COLUMN_CHUNK_ELEMENTS = 1 << 16;

/** dx = col2im(Wᵀ · dy): every column of Wᵀ·dy is scattered back onto the window it came from. */
export function convBackwardData(ws: ConvWorkspace, g: ConvGeometry, dy: FloatArray, w: FloatArray, dx: FloatArray): void {
  const { h, w: width, kh, kw } = g;
  const taps = g.c * kh * kw, pixels = g.n * g.oh * g.ow;
  const channelStride = g.n * h * width;
  dx.fill(0, 0, g.c * channelStride);
  const chunk = Math.max(4, Math.floor(COLUMN_CHUNK_ELEMENTS / taps / 4) * 4);
  const cols = ws.scratch(taps * chunk);
  const wT = matrixSource(w, 0, taps, true);
  for (let j0 = 0; j0 < pixels; j0 += chunk) {
    const count = Math.min(chunk, pixels - j0);
    // cols (taps × count) = Wᵀ (taps × m) · dy[:, j0 .. j0+count) (m × count)
    gemmPacked(ws.gemm, taps, count, g.m, wT, matrixSource(dy, j0, pixels, true), cols, 0, count, 1, 0);
    const { rowStart, colStart, imageBase, origin, inside } = ws.windows(g, j0, count);
    const { channelOffset, tapRow, tapCol, tapOffset } = ws.taps(g, 0, taps);
    for (let tap = 0; tap < taps; tap++) {
      const channel = channelOffset[tap], i = tapRow[tap], j = tapCol[tap], offset = tapOffset[tap], row = tap * count;
      for (let t = 0; t < count; t++) {
        if (inside[t]) { dx[origin[t] + offset] += cols[row + t]; continue; }
        const r = rowStart[t] + i, q = colStart[t] + j;
        if (r >= 0 && r < h && q >= 0 && q < width) dx[channel + imageBase[t] + r * width + q] += cols[row + t];
      }
    }
  }
}
