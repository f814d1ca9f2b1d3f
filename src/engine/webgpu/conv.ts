// Convolution in simpleNN's matrix form, each pass either explicitly (materialise the unrolled
// matrix, then a plain GEMM) or implicitly (one GEMM whose tile loads do the unrolling):
//   forward  S  = W · φ(pad(x))           im2col + GEMM          | implicit GEMM, fused bias
//   dgrad    dx = col2im(Wᵀ · Δ)          GEMM(Aᵀ) + col2im      | implicit GEMM straight into dx
//   wgrad    dW = Δ · φ(pad(x))ᵀ          im2col + GEMM(Bᵀ)      | implicit GEMM, split-K
// plus dbias = row sums of Δ, and direct (untiled) kernels for layers with few channels: the
// forward pass, and at stride 1 the data gradient as a transposed convolution (conv-direct.ts).

import type { ConvGeometry } from '../backend';
import type { EncodeContext } from './context';
import { encodeDirectBackwardData, encodeDirectBackwardFilter, encodeDirectForward, hasUnitStride } from './conv-direct';
import { encodeGemm, type EpilogueActivation } from './gemm';
import { kernel, LINEAR_WORKGROUP } from './kernels';
import {
  IM2COL_BUDGET_BYTES, isPointwise, selectConvAlgorithm, selectRowSum, unrolledBytes, type ConvAlgorithm, type ConvAlgorithmOption, type ConvPass,
} from './kernel-select';
import type { BufferSlice } from './gpu-tensor';
import { linearGrid } from './recorder';

export function convParams(g: ConvGeometry): Record<string, number> {
  return {
    batch: g.n, channels: g.c, in_h: g.h, in_w: g.w, filters: g.m, k_h: g.kh, k_w: g.kw,
    stride_h: g.sh, stride_w: g.sw, pad_h: g.ph, pad_w: g.pw, out_h: g.oh, out_w: g.ow,
  };
}

const NO_TRANSPOSE = { trans_a: 0, trans_b: 0 };

/** What the pass's epilogue writes besides the product, for the autotuner to replay the call alike. */
interface PassExtras {
  readonly hasBias: boolean;
  readonly activation: EpilogueActivation | null;
}

function algorithmFor(ctx: EncodeContext, option: ConvAlgorithmOption, pass: ConvPass, g: ConvGeometry, extras: PassExtras): ConvAlgorithm {
  // 'direct' exists for the forward pass and, at stride 1, both gradients; elsewhere the
  // automatic choice: a measured one for this adapter and geometry (autotune/), else the rule.
  if (option === 'direct' && pass !== 'forward' && hasUnitStride(g)) return 'direct';
  if (option === 'auto' || (option === 'direct' && pass !== 'forward')) {
    return ctx.choices?.convChoice(pass, g, extras.hasBias, extras.activation?.kind ?? null) ?? ruleFor(pass, g);
  }
  if (option === 'pointwise' && !isPointwise(g)) {
    throw new RangeError(`convAlgorithm 'pointwise' needs a 1×1 kernel, stride 1 and no padding; this layer has ${g.kh}×${g.kw}, stride ${g.sh}×${g.sw}, pad ${g.ph}×${g.pw}`);
  }
  if (option === 'im2col' && unrolledBytes(g) > IM2COL_BUDGET_BYTES) {
    throw new RangeError(`convAlgorithm 'im2col': the unrolled matrix needs ${unrolledBytes(g)} bytes, ` +
      `over the ${IM2COL_BUDGET_BYTES}-byte budget; use 'auto' or 'implicit' for this layer`);
  }
  return option;
}

/**
 * kernel-select.ts's rule, except at stride 1 for the layers whose forward pass it runs direct (few
 * input channels and taps): there both gradients run direct too, the data gradient in one pass
 * with no unrolled matrix and no col2im, the filter gradient with no staging and no barriers
 * (docs/performance.md, "One LeNet-5 training step").
 */
export function ruleFor(pass: ConvPass, g: ConvGeometry): ConvAlgorithm {
  const chosen = selectConvAlgorithm(pass, g);
  const directLayer = hasUnitStride(g) && !isPointwise(g) && selectConvAlgorithm('forward', g) === 'direct';
  return pass !== 'forward' && directLayer ? 'direct' : chosen;
}

/** cols = φ(pad(x)) in the shared 'im2col' workspace slot. */
function unroll(ctx: EncodeContext, g: ConvGeometry, x: BufferSlice): BufferSlice {
  const cols = ctx.recorder.workspace.get('im2col', unrolledBytes(g));
  const count = g.c * g.kh * g.kw * g.n * g.oh * g.ow;
  ctx.recorder.dispatch(kernel('im2col'), [x, cols], convParams(g), linearGrid(count, LINEAR_WORKGROUP));
  return cols;
}

/** y = W·φ(pad(x)) + bias; with `activation`, also activation.out = f(y) from the same kernel. */
export function encodeConvForward(ctx: EncodeContext, option: ConvAlgorithmOption, g: ConvGeometry,
  x: BufferSlice, w: BufferSlice, bias: BufferSlice | null, y: BufferSlice, activation: EpilogueActivation | null = null): void {
  const taps = g.c * g.kh * g.kw, pixels = g.n * g.oh * g.ow;
  switch (algorithmFor(ctx, option, 'forward', g, { hasBias: bias !== null, activation })) {
    case 'implicit':
      encodeGemm(ctx, { operands: 'convForward', a: w, b: x, c: y, bias, activation, m: g.m, n: pixels, k: taps,
        operandParams: convParams(g) });
      return;
    case 'im2col':
      encodeGemm(ctx, { operands: 'matrix', a: w, b: unroll(ctx, g, x), c: y, bias, activation, m: g.m, n: pixels, k: taps,
        operandParams: NO_TRANSPOSE });
      return;
    case 'pointwise':
      encodeGemm(ctx, { operands: 'matrix', a: w, b: x, c: y, bias, activation, m: g.m, n: pixels, k: taps,
        operandParams: NO_TRANSPOSE });
      return;
    case 'direct':
      encodeDirectForward(ctx, g, convParams(g), x, w, bias, y, activation);
      return;
  }
}

export function encodeConvBackwardData(ctx: EncodeContext, option: ConvAlgorithmOption, g: ConvGeometry,
  dy: BufferSlice, w: BufferSlice, dx: BufferSlice): void {
  const taps = g.c * g.kh * g.kw, pixels = g.n * g.oh * g.ow;
  const algorithm = algorithmFor(ctx, option, 'dgrad', g, { hasBias: false, activation: null });
  if (algorithm === 'pointwise') {
    encodeGemm(ctx, { operands: 'matrix', a: w, b: dy, c: dx, m: g.c, n: pixels, k: g.m, operandParams: { trans_a: 1, trans_b: 0 } });
    return;
  }
  if (algorithm === 'direct') {
    encodeDirectBackwardData(ctx, g, dy, w, dx);
    return;
  }
  if (algorithm === 'implicit') {
    encodeGemm(ctx, { operands: 'convDgrad', a: w, b: dy, c: dx, m: g.c, n: g.n * g.h * g.w, k: g.m * g.kh * g.kw,
      operandParams: convParams(g) });
    return;
  }
  const cols = ctx.recorder.workspace.get('im2col', unrolledBytes(g));
  encodeGemm(ctx, { operands: 'matrix', a: w, b: dy, c: cols, m: taps, n: pixels, k: g.m,
    operandParams: { trans_a: 1, trans_b: 0 } });
  ctx.recorder.dispatch(kernel('col2im'), [cols, dx], convParams(g), linearGrid(g.c * g.n * g.h * g.w, LINEAR_WORKGROUP));
}

export function encodeConvBackwardFilter(ctx: EncodeContext, option: ConvAlgorithmOption, g: ConvGeometry,
  x: BufferSlice, dy: BufferSlice, dw: BufferSlice, dbias: BufferSlice | null): void {
  const taps = g.c * g.kh * g.kw, pixels = g.n * g.oh * g.ow;
  const algorithm = algorithmFor(ctx, option, 'wgrad', g, { hasBias: dbias !== null, activation: null });
  // dbias = row sums of Δ comes out of the same GEMM as one more column (gemm.wgsl).
  const rowSums = dbias;
  if (algorithm === 'pointwise') {
    encodeGemm(ctx, { operands: 'matrix', a: dy, b: x, c: dw, rowSums, m: g.m, n: taps, k: pixels,
      operandParams: { trans_a: 0, trans_b: 1 } });
  } else if (algorithm === 'direct') {
    encodeDirectBackwardFilter(ctx, g, x, dy, dw, dbias);
  } else if (algorithm === 'implicit') {
    encodeGemm(ctx, { operands: 'convWgrad', a: dy, b: x, c: dw, rowSums, m: g.m, n: taps, k: pixels, operandParams: convParams(g) });
  } else {
    const cols = unroll(ctx, g, x);
    encodeGemm(ctx, { operands: 'matrix', a: dy, b: cols, c: dw, rowSums, m: g.m, n: taps, k: pixels,
      operandParams: { trans_a: 0, trans_b: 1 } });
  }
}

/** db[r] = Σ_j dy[r, j] (or +=): a workgroup per long row, an invocation per short one. */
export function encodeRowSums(ctx: EncodeContext, dy: BufferSlice, db: BufferSlice, rows: number, cols: number,
  accumulate: boolean): void {
  const params = { rows, cols, accumulate: accumulate ? 1 : 0 };
  if (selectRowSum(cols) === 'serial') {
    ctx.recorder.dispatch(kernel('biasGradSerial'), [dy, db], params, linearGrid(rows, LINEAR_WORKGROUP));
  } else {
    ctx.recorder.dispatch(kernel('biasGrad'), [dy, db], params, linearGrid(rows, 1));
  }
}
