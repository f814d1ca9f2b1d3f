// The direct convolution kernels, for layers with few input channels where a tiled GEMM spends
// most of its time staging: conv-direct.wgsl (any stride, one pixel × 4 filters per invocation)
// and conv-direct-strip.wgsl (stride 1, 2 rows × 4 pixels × 4 channels per invocation), which also
// runs the data gradient as the transposed convolution of Δ; and the stride-1 filter gradient as
// chunked partial sums (conv-wgrad-direct.wgsl) that gemm-split-reduce.wgsl adds up.

import type { ConvGeometry } from '../backend';
import type { EncodeContext } from './context';
import { epilogueCode, type EpilogueActivation } from './gemm';
import { DIRECT_STRIP_WORKGROUP, kernel, LINEAR_WORKGROUP } from './kernels';
import type { BufferSlice } from './gpu-tensor';
import { linearGrid } from './recorder';

/** Stride 1 in both directions: the strip kernel's sliding window needs it. */
export function hasUnitStride(g: ConvGeometry): boolean {
  return g.sh === 1 && g.sw === 1;
}

/** y = W·φ(pad(x)) + bias (and activation.out = f(y)) without a GEMM. */
export function encodeDirectForward(ctx: EncodeContext, g: ConvGeometry, params: Record<string, number>,
  x: BufferSlice, w: BufferSlice, bias: BufferSlice | null, y: BufferSlice, activation: EpilogueActivation | null): void {
  const epilogue = { has_bias: bias ? 1 : 0, epilogue: epilogueCode(activation) };
  const buffers = [x, w, bias ?? ctx.unusedInput, y, activation?.out ?? ctx.unusedAux];
  if (!hasUnitStride(g)) {
    ctx.recorder.dispatch(kernel('convDirect'), buffers, { ...params, ...epilogue },
      linearGrid(Math.ceil(g.m / 4) * g.n * g.oh * g.ow, LINEAR_WORKGROUP));
    return;
  }
  const taps = g.kh * g.kw;
  dispatchStrip(ctx, buffers, {
    batch: g.n, in_c: g.c, in_h: g.h, in_w: g.w, out_c: g.m, out_h: g.oh, out_w: g.ow, k_h: g.kh, k_w: g.kw,
    pad_h: g.ph, pad_w: g.pw, ch_stride: taps, out_stride: g.c * taps, flip: 0, ...epilogue,
  });
}

/**
 * dx as the transposed convolution of Δ (stride 1 only): Δ's F channels in, the C channels of dx
 * out, the kernel flipped and padded by k − 1 − pad.
 */
export function encodeDirectBackwardData(ctx: EncodeContext, g: ConvGeometry, dy: BufferSlice, w: BufferSlice,
  dx: BufferSlice): void {
  if (!hasUnitStride(g)) throw new RangeError(`direct data gradient needs stride 1; this layer has ${g.sh}×${g.sw}`);
  const taps = g.kh * g.kw;
  dispatchStrip(ctx, [dy, w, ctx.unusedInput, dx, ctx.unusedAux], {
    batch: g.n, in_c: g.m, in_h: g.oh, in_w: g.ow, out_c: g.c, out_h: g.h, out_w: g.w, k_h: g.kh, k_w: g.kw,
    pad_h: g.kh - 1 - g.ph, pad_w: g.kw - 1 - g.pw, ch_stride: g.c * taps, out_stride: taps, flip: 1, has_bias: 0, epilogue: 0,
  });
}

function dispatchStrip(ctx: EncodeContext, buffers: BufferSlice[], params: Record<string, number>): void {
  // One invocation per 2 rows × 4 pixels × 4 channels.
  const blocks = params.batch * Math.ceil(params.out_h / 2) * Math.ceil(params.out_w / 4);
  ctx.recorder.dispatch(kernel('convDirectStrip'), buffers, params,
    linearGrid(Math.ceil(params.out_c / 4) * blocks, DIRECT_STRIP_WORKGROUP));
}

/** The filter gradient's first pass aims for about this many invocations (chunks of output rows). */
const WGRAD_TARGET_INVOCATIONS = 4096;

/**
 * dW = Δ · φ(pad(x))ᵀ (and dbias = row sums of Δ, as the last column) for stride 1: partial sums
 * over chunks of output rows, then the split-K reduce.
 */
export function encodeDirectBackwardFilter(ctx: EncodeContext, g: ConvGeometry, x: BufferSlice, dy: BufferSlice,
  dw: BufferSlice, dbias: BufferSlice | null): void {
  if (!hasUnitStride(g)) throw new RangeError(`direct filter gradient needs stride 1; this layer has ${g.sh}×${g.sw}`);
  const nCols = g.c * g.kh * g.kw + (dbias ? 1 : 0);
  const owners = Math.ceil(g.m / 4) * g.c * g.kh * Math.ceil(g.kw / 4);
  const rows = g.n * g.oh;
  const rowsPerChunk = Math.max(1, Math.ceil((rows * owners) / WGRAD_TARGET_INVOCATIONS));
  const chunks = Math.ceil(rows / rowsPerChunk);
  const partial = ctx.recorder.workspace.get('split-k', chunks * g.m * nCols * 4);
  ctx.recorder.dispatch(kernel('convWgradDirect'), [x, dy, partial], {
    batch: g.n, in_c: g.c, in_h: g.h, in_w: g.w, out_c: g.m, out_h: g.oh, out_w: g.ow, k_h: g.kh, k_w: g.kw,
    pad_h: g.ph, pad_w: g.pw, rows_per_chunk: rowsPerChunk, chunks, n_cols: nCols, has_bias: dbias ? 1 : 0,
  }, linearGrid(owners * chunks, DIRECT_STRIP_WORKGROUP));
  ctx.recorder.dispatch(kernel('gemmSplitReduce'), [partial, ctx.unusedInput, dw, dbias ?? ctx.unusedAux], {
    m: g.m, n: nCols, k: 0, k_chunk: 0, num_splits: chunks, alpha: 1, beta: 0, has_bias: 0, epilogue: 0,
    row_sums: dbias ? 1 : 0, col_spill: 1,
  }, linearGrid(g.m * nCols, LINEAR_WORKGROUP));
}
