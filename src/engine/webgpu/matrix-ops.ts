// Matrix products and bias rows: gemm (gemm.ts picks the tile and split-K), bias addition and the
// bias gradient's row sums.

import type { GemmOptions, Tensor } from '../backend';
import { encodeRowSums } from './conv';
import { encodeGemm } from './gemm';
import { checkTensor } from './gpu-tensor';
import { launchLinear, type OpContext } from './launch';

export function gemm(ctx: OpContext, a: Tensor, b: Tensor, c: Tensor, m: number, n: number, k: number, opts: GemmOptions): void {
  ctx.checkUsable();
  encodeGemm(ctx, {
    operands: 'matrix', m, n, k, alpha: opts.alpha ?? 1, beta: opts.beta ?? 0,
    a: checkTensor(a, m * k, 'gemm A').buffer, b: checkTensor(b, k * n, 'gemm B').buffer,
    c: checkTensor(c, m * n, 'gemm C').buffer,
    operandParams: { trans_a: opts.transA ? 1 : 0, trans_b: opts.transB ? 1 : 0 },
  });
}

export function addBias(ctx: OpContext, y: Tensor, bias: Tensor, rows: number, cols: number): void {
  launchLinear(ctx, 'addBias', rows * cols, [checkTensor(bias, rows, 'bias').buffer, checkTensor(y, rows * cols, 'addBias y').buffer],
    { rows, cols });
}

export function biasGrad(ctx: OpContext, dy: Tensor, db: Tensor, rows: number, cols: number, accumulate: boolean): void {
  ctx.checkUsable();
  encodeRowSums(ctx, checkTensor(dy, rows * cols, 'biasGrad dy').buffer, checkTensor(db, rows, 'biasGrad db').buffer,
    rows, cols, accumulate);
}
