// Records one product of the GEMM family (plain or implicit-convolution operands): picks the
// tile and split-K from kernel-select.ts, then one dispatch, or two with split-K (partial sums,
// then a reduce that applies the epilogue).

import type { EncodeContext } from './context';
import { gemmKernel, kernel, LINEAR_WORKGROUP, tileCols, tileRows, type GemmOperandsName, type GemmTile } from './kernels';
import { selectGemmTile, selectSplitK, type SplitK } from './kernel-select';
import { linearGrid } from './recorder';

export interface GemmCall {
  readonly operands: GemmOperandsName;
  /** Buffers behind op(A) and op(B) (for convolutions: weights / image / gradient). */
  readonly a: GPUBuffer;
  readonly b: GPUBuffer;
  /** C is m × n, row-major. */
  readonly c: GPUBuffer;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly alpha?: number;
  readonly beta?: number;
  /** Added per row of C (convolution bias). */
  readonly bias?: GPUBuffer | null;
  /** Operand-specific uniforms (transposes, convolution geometry). */
  readonly operandParams: Readonly<Record<string, number>>;
  /** Overrides of kernel-select.ts's choice, for measurements. */
  readonly tile?: GemmTile;
  readonly splitK?: SplitK;
}

export function encodeGemm(ctx: EncodeContext, call: GemmCall): void {
  const { m, n, k } = call;
  if (m === 0 || n === 0) return;
  const tile = call.tile ?? selectGemmTile(m, n, k);
  const { splits, chunk } = call.splitK ?? selectSplitK(m, n, k, tile);
  const params = {
    m, n, k, k_chunk: chunk, num_splits: splits, alpha: call.alpha ?? 1, beta: call.beta ?? 0,
    has_bias: call.bias ? 1 : 0, ...call.operandParams,
  };
  const bias = call.bias ?? ctx.unusedInput;
  const grid: [number, number, number] = [Math.ceil(n / tileCols(tile)), Math.ceil(m / tileRows(tile)), splits];
  const product = gemmKernel(call.operands, tile);
  if (splits === 1) {
    ctx.recorder.dispatch(product, [call.a, call.b, bias, call.c, ctx.unusedOutput], params, grid);
    return;
  }
  const partial = ctx.recorder.workspace.get('split-k', splits * m * n * 4);
  ctx.recorder.dispatch(product, [call.a, call.b, ctx.unusedInput, ctx.unusedOutput, partial], params, grid);
  ctx.recorder.dispatch(kernel('gemmSplitReduce'), [partial, bias, call.c], params, linearGrid(m * n, LINEAR_WORKGROUP));
}
