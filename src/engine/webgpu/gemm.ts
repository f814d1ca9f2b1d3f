// Records one product of the GEMM family (plain or implicit-convolution operands): picks the
// tile and split-K (a measured choice from autotune/, else kernel-select.ts's rules), then one
// dispatch, or two with split-K (partial sums, then a reduce that applies the epilogue).

import type { Activation } from '../backend';
import type { EncodeContext } from './context';
import { gemmKernel, kernel, LINEAR_WORKGROUP, tileCols, tileRows, type GemmOperandsName, type GemmTile } from './kernels';
import { selectGemmTile, selectSplitK, type SplitK } from './kernel-select';
import type { BufferSlice } from './gpu-tensor';
import { linearGrid, MAX_WORKGROUPS_PER_DIMENSION } from './recorder';

export interface GemmCall {
  readonly operands: GemmOperandsName;
  /** Buffers behind op(A) and op(B) (for convolutions: weights / image / gradient). */
  readonly a: BufferSlice;
  readonly b: BufferSlice;
  /** C is m × n, row-major. */
  readonly c: BufferSlice;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly alpha?: number;
  readonly beta?: number;
  /** Added per row of C (convolution bias). */
  readonly bias?: BufferSlice | null;
  /** A fused activation: aux = f(C) in the same epilogue (C keeps the pre-activation). */
  readonly activation?: EpilogueActivation | null;
  /** A fused activation derivative: C = product ⊙ f'(·) from the activation output in gate.out. */
  readonly gate?: EpilogueActivation | null;
  /** Also the row sums of op(A) into this buffer (a bias gradient beside a weight gradient), as an extra column. */
  readonly rowSums?: BufferSlice | null;
  /** Operand-specific uniforms (transposes, convolution geometry). */
  readonly operandParams: Readonly<Record<string, number>>;
  /** Overrides of kernel-select.ts's choice, for measurements. */
  readonly tile?: GemmTile;
  readonly splitK?: SplitK;
}

export function encodeGemm(ctx: EncodeContext, call: GemmCall): void {
  const { m, k } = call;
  if (m === 0 || call.n === 0) return;
  if ([call.rowSums, call.activation, call.gate].filter(Boolean).length > 1) {
    throw new RangeError('gemm: row sums, a fused activation and a gate share one binding; ask for one');
  }
  if (call.rowSums && call.operands === 'matrix' && !call.operandParams.trans_b) {
    throw new RangeError('gemm: row sums need op(B) stored transposed (its row stride is k, not the widened n)');
  }
  // The row sums are one more column of the product (gemm.wgsl), so the kernel sees n + 1 columns.
  const rowSums = call.rowSums ? 1 : 0;
  const n = call.n + rowSums;
  // An explicit tile (a measurement) wins, then a measured choice for this shape, then the rules.
  const measured = call.tile ? undefined : ctx.choices?.gemmChoice(call, m, n, k);
  const tile = call.tile ?? measured?.tile ?? selectGemmTile(m, n, k);
  const { splits, chunk } = call.splitK ?? (call.tile ? undefined : measured?.splitK) ?? selectSplitK(m, n, k, tile);
  const params: Record<string, number> = {
    m, n, k, k_chunk: chunk, num_splits: splits, alpha: call.alpha ?? 1, beta: call.beta ?? 0,
    has_bias: call.bias ? 1 : 0, epilogue: call.gate ? gateCode(call.gate) : epilogueCode(call.activation), row_sums: rowSums, ...call.operandParams,
  };
  const bias = call.bias ?? ctx.unusedInput;
  const aux = call.activation?.out ?? call.gate?.out ?? call.rowSums ?? ctx.unusedAux;
  const grid = tileGrid(Math.ceil(n / tileCols(tile)), Math.ceil(m / tileRows(tile)), splits);
  params.col_spill = grid.colSpill;
  const product = gemmKernel(call.operands, tile);
  if (splits === 1) {
    ctx.recorder.dispatch(product, [call.a, call.b, bias, call.c, ctx.unusedOutput, aux], params, grid.workgroups);
    return;
  }
  const partial = ctx.recorder.workspace.get('split-k', splits * m * n * 4);
  ctx.recorder.dispatch(product, [call.a, call.b, ctx.unusedInput, ctx.unusedOutput, partial, ctx.unusedAux], params, grid.workgroups);
  ctx.recorder.dispatch(kernel('gemmSplitReduce'), [partial, bias, call.c, aux], params, linearGrid(m * n, LINEAR_WORKGROUP));
}

/**
 * The workgroup grid of a tiled product: tile columns along x and rows along y, each spilling into z
 * past MAX_WORKGROUPS_PER_DIMENSION (gemm.wgsl decodes z back into split, row and column spill).
 */
export function tileGrid(colTiles: number, rowTiles: number, splits: number): {
  readonly workgroups: [number, number, number]; readonly colSpill: number;
} {
  const colSpill = Math.ceil(colTiles / MAX_WORKGROUPS_PER_DIMENSION);
  const rowSpill = Math.ceil(rowTiles / MAX_WORKGROUPS_PER_DIMENSION);
  const z = splits * colSpill * rowSpill;
  if (z > MAX_WORKGROUPS_PER_DIMENSION) {
    throw new RangeError(`gemm: ${colTiles}×${rowTiles} tiles × ${splits} splits do not fit a ${MAX_WORKGROUPS_PER_DIMENSION}³ grid`);
  }
  return { workgroups: [Math.ceil(colTiles / colSpill), Math.ceil(rowTiles / rowSpill), z], colSpill };
}

/** An activation applied in a kernel's epilogue, written to `out` beside the plain result. */
export interface EpilogueActivation {
  readonly kind: Activation;
  readonly out: BufferSlice;
}

const ACTIVATION_CODE: Readonly<Record<Activation, number>> = { relu: 0, sigmoid: 1, tanh: 2 };

/** The `epilogue` uniform of a gate: 4 + the kind's index (gemm-epilogue.wgsl). */
function gateCode(gate: EpilogueActivation): number {
  return 4 + ACTIVATION_CODE[gate.kind];
}

/** The `epilogue` uniform: 0 for none, else 1 + the kind's index in activation.wgsl. */
export function epilogueCode(activation: EpilogueActivation | null | undefined): number {
  return activation ? 1 + ACTIVATION_CODE[activation.kind] : 0;
}
