// Matrix products and bias rows: gemm (gemm.ts picks the tile and split-K), bias addition and the
// bias gradient's row sums.

import type { FusedActivation, GemmOptions, Tensor } from '../backend';
import { encodeRowSums } from './conv';
import { encodeGemm } from './gemm';
import { checkTensor } from './gpu-tensor';
import { launchLinear, type OpContext } from './launch';

export function gemm(ctx: OpContext, a: Tensor, b: Tensor, c: Tensor, m: number, n: number, k: number, opts: GemmOptions): void {
  ctx.checkUsable();
  encodeGemm(ctx, {
    operands: 'matrix', m, n, k, alpha: opts.alpha ?? 1, beta: opts.beta ?? 0,
    a: checkTensor(a, m * k, 'gemm A').binding, b: checkTensor(b, k * n, 'gemm B').binding,
    c: checkTensor(c, m * n, 'gemm C').binding,
    operandParams: { trans_a: opts.transA ? 1 : 0, trans_b: opts.transB ? 1 : 0 },
  });
}

/** y = W·x + bias[row] and, with `activation`, activation.out = f(y): one GEMM with its epilogue. */
export function linearForward(ctx: OpContext, w: Tensor, x: Tensor, bias: Tensor | null, y: Tensor, m: number, n: number, k: number,
  activation: FusedActivation | null): void {
  ctx.checkUsable();
  encodeGemm(ctx, {
    operands: 'matrix', m, n, k,
    a: checkTensor(w, m * k, 'linear weights').binding, b: checkTensor(x, k * n, 'linear x').binding,
    c: checkTensor(y, m * n, 'linear y').binding, bias: bias ? checkTensor(bias, m, 'linear bias').binding : null,
    activation: activation && { kind: activation.kind, out: checkTensor(activation.out, m * n, 'linear activation output').binding },
    operandParams: { trans_a: 0, trans_b: 0 },
  });
}

/** dw = dy·xᵀ and dbias = row sums of dy: one GEMM whose extra column is the row sums. */
export function linearBackwardFilter(ctx: OpContext, dy: Tensor, x: Tensor, dw: Tensor, dbias: Tensor | null,
  m: number, n: number, k: number): void {
  ctx.checkUsable();
  encodeGemm(ctx, {
    operands: 'matrix', m, n: k, k: n,
    a: checkTensor(dy, m * n, 'linear dy').binding, b: checkTensor(x, k * n, 'linear x').binding,
    c: checkTensor(dw, m * k, 'linear dw').binding, rowSums: dbias ? checkTensor(dbias, m, 'linear dbias').binding : null,
    operandParams: { trans_a: 0, trans_b: 1 },
  });
}

/** dx = Wᵀ·dy, and with `gate` dx = (Wᵀ·dy) ⊙ f'(gate.out): one GEMM with its epilogue. */
export function linearBackwardData(ctx: OpContext, w: Tensor, dy: Tensor, dx: Tensor, m: number, n: number, k: number,
  gate: FusedActivation | null): void {
  ctx.checkUsable();
  encodeGemm(ctx, {
    operands: 'matrix', m: k, n, k: m,
    a: checkTensor(w, m * k, 'linear weights').binding, b: checkTensor(dy, m * n, 'linear dy').binding,
    c: checkTensor(dx, k * n, 'linear dx').binding,
    gate: gate && { kind: gate.kind, out: checkTensor(gate.out, k * n, 'linear gate (activation output)').binding },
    operandParams: { trans_a: 1, trans_b: 0 },
  });
}

export function addBias(ctx: OpContext, y: Tensor, bias: Tensor, rows: number, cols: number): void {
  launchLinear(ctx, 'addBias', rows * cols, [checkTensor(bias, rows, 'bias').binding, checkTensor(y, rows * cols, 'addBias y').binding],
    { rows, cols });
}

export function biasGrad(ctx: OpContext, dy: Tensor, db: Tensor, rows: number, cols: number, accumulate: boolean): void {
  ctx.checkUsable();
  encodeRowSums(ctx, checkTensor(dy, rows * cols, 'biasGrad dy').binding, checkTensor(db, rows, 'biasGrad db').binding,
    rows, cols, accumulate);
}
