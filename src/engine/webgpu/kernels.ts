// The catalogue of compute kernels: which WGSL files each one links, its buffers and its uniform
// fields. Kernels are created lazily and memoised, so a pipeline exists only for what a model uses.

import activationBackwardSrc from '../../../shaders/activation-backward.wgsl';
import activationForwardSrc from '../../../shaders/activation-forward.wgsl';
import activationSrc from '../../../shaders/activation.wgsl';
import adamSrc from '../../../shaders/adam.wgsl';
import addBiasSrc from '../../../shaders/add-bias.wgsl';
import avgPoolBackwardSrc from '../../../shaders/avg-pool-backward.wgsl';
import avgPoolForwardSrc from '../../../shaders/avg-pool-forward.wgsl';
import axpySrc from '../../../shaders/axpy.wgsl';
import batchNormBackwardSrc from '../../../shaders/batch-norm-backward.wgsl';
import batchNormForwardSrc from '../../../shaders/batch-norm-forward.wgsl';
import biasGradSerialSrc from '../../../shaders/bias-grad-serial.wgsl';
import biasGradSrc from '../../../shaders/bias-grad.wgsl';
import col2imSrc from '../../../shaders/col2im.wgsl';
import convDirectSrc from '../../../shaders/conv-direct.wgsl';
import convDirectStripSrc from '../../../shaders/conv-direct-strip.wgsl';
import convWgradDirectSrc from '../../../shaders/conv-wgrad-direct.wgsl';
import convDgradOperandsSrc from '../../../shaders/conv-dgrad-operands.wgsl';
import convForwardOperandsSrc from '../../../shaders/conv-forward-operands.wgsl';
import convPhiSrc from '../../../shaders/conv-phi.wgsl';
import convWgradOperandsSrc from '../../../shaders/conv-wgrad-operands.wgsl';
import dropoutForwardSrc from '../../../shaders/dropout-forward.wgsl';
import fillSrc from '../../../shaders/fill.wgsl';
import flattenSrc from '../../../shaders/flatten.wgsl';
import gemmEpilogueSrc from '../../../shaders/gemm-epilogue.wgsl';
import gemmOperandsSrc from '../../../shaders/gemm-operands.wgsl';
import gemmSplitReduceSrc from '../../../shaders/gemm-split-reduce.wgsl';
import gemmSrc from '../../../shaders/gemm.wgsl';
import im2colSrc from '../../../shaders/im2col.wgsl';
import linearIndexSrc from '../../../shaders/linear-index.wgsl';
import lossKernelSrc from '../../../shaders/loss-kernel.wgsl';
import lowbias32Src from '../../../shaders/lowbias32.wgsl';
import maxPoolBackwardSrc from '../../../shaders/max-pool-backward.wgsl';
import maxPoolBackwardTiledSrc from '../../../shaders/max-pool-backward-tiled.wgsl';
import maxPoolForwardSrc from '../../../shaders/max-pool-forward.wgsl';
import maxPoolGatherSrc from '../../../shaders/max-pool-gather.wgsl';
import mseLossSrc from '../../../shaders/mse-loss.wgsl';
import poolWindowsSrc from '../../../shaders/pool-windows.wgsl';
import multiplySrc from '../../../shaders/multiply.wgsl';
import scaleSrc from '../../../shaders/scale.wgsl';
import sgdSrc from '../../../shaders/sgd.wgsl';
import softmaxBackwardSrc from '../../../shaders/softmax-backward.wgsl';
import softmaxCrossEntropySrc from '../../../shaders/softmax-cross-entropy.wgsl';
import softmaxForwardSrc from '../../../shaders/softmax-forward.wgsl';
import workgroupSumSrc from '../../../shaders/workgroup-sum.wgsl';
import { Kernel, type BufferBinding, type KernelSpec, type ScalarType } from './kernel';

/** Invocations per workgroup of the 1-D kernels (the WebGPU default limit). */
export const LINEAR_WORKGROUP = 256;
/**
 * Invocations per workgroup of the kernels that reduce through shared memory. Smaller than
 * LINEAR_WORKGROUP because every tree level is a barrier, which a software adapter pays per
 * invocation group (docs/performance.md).
 */
export const REDUCTION_WORKGROUP = 64;

const read = (name: string, type: 'f32' | 'u32' = 'f32'): BufferBinding => ({ name, type, access: 'read' });
const write = (name: string, type: 'f32' | 'u32' = 'f32'): BufferBinding => ({ name, type, access: 'read_write' });

function linear(name: string, sources: string[], buffers: BufferBinding[], params: Record<string, ScalarType>,
  entryPoint?: string): KernelSpec {
  return { name, sources: [linearIndexSrc, ...sources], workgroupSize: [LINEAR_WORKGROUP], buffers, params, entryPoint };
}

function reducing(name: string, sources: string[], buffers: BufferBinding[], params: Record<string, ScalarType>): KernelSpec {
  return { name, sources: [workgroupSumSrc, ...sources], workgroupSize: [REDUCTION_WORKGROUP], buffers, params };
}

const CONV_PARAMS = {
  batch: 'u32', channels: 'u32', in_h: 'u32', in_w: 'u32', filters: 'u32', k_h: 'u32', k_w: 'u32',
  stride_h: 'u32', stride_w: 'u32', pad_h: 'u32', pad_w: 'u32', out_h: 'u32', out_w: 'u32',
} as const satisfies Record<string, ScalarType>;

/** Invocations per workgroup of the direct convolution kernels (conv-direct-strip.wgsl, conv-wgrad-direct.wgsl). */
export const DIRECT_STRIP_WORKGROUP = 64;

const DIRECT_STRIP_PARAMS = {
  batch: 'u32', in_c: 'u32', in_h: 'u32', in_w: 'u32', out_c: 'u32', out_h: 'u32', out_w: 'u32', k_h: 'u32', k_w: 'u32',
  pad_h: 'i32', pad_w: 'i32', ch_stride: 'u32', out_stride: 'u32', flip: 'u32', has_bias: 'u32', epilogue: 'u32',
} as const satisfies Record<string, ScalarType>;

const DIRECT_WGRAD_PARAMS = {
  batch: 'u32', in_c: 'u32', in_h: 'u32', in_w: 'u32', out_c: 'u32', out_h: 'u32', out_w: 'u32', k_h: 'u32', k_w: 'u32',
  pad_h: 'i32', pad_w: 'i32', rows_per_chunk: 'u32', chunks: 'u32', n_cols: 'u32', has_bias: 'u32',
} as const satisfies Record<string, ScalarType>;

const POOL_PARAMS = {
  planes: 'u32', in_h: 'u32', in_w: 'u32', k_h: 'u32', k_w: 'u32', stride_h: 'u32', stride_w: 'u32',
  out_h: 'u32', out_w: 'u32',
} as const satisfies Record<string, ScalarType>;

const GEMM_PARAMS = {
  m: 'u32', n: 'u32', k: 'u32', k_chunk: 'u32', num_splits: 'u32', alpha: 'f32', beta: 'f32', has_bias: 'u32',
  epilogue: 'u32', row_sums: 'u32', col_spill: 'u32',
} as const satisfies Record<string, ScalarType>;

// Built by a pure call, so a bundle that imports the engine's index but runs no WebGPU kernel (the
// extension host) drops this table and the WGSL it holds.
const specs = /* @__PURE__ */ (() => ({
  fill: linear('fill', [fillSrc], [write('t')], { length: 'u32', value: 'f32' }),
  scale: linear('scale', [scaleSrc], [write('t')], { length: 'u32', alpha: 'f32' }),
  axpy: linear('axpy', [axpySrc], [read('x'), write('y')], { length: 'u32', alpha: 'f32' }),
  multiply: linear('multiply', [multiplySrc], [read('a'), read('b'), write('out')], { length: 'u32' }),
  addBias: linear('add_bias', [addBiasSrc], [read('bias'), write('y')], { rows: 'u32', cols: 'u32' }),
  activationForward: linear('activation_forward', [activationSrc, activationForwardSrc], [read('x'), write('y')],
    { length: 'u32', kind: 'u32' }),
  activationBackward: linear('activation_backward', [activationSrc, activationBackwardSrc], [read('y'), read('dy'), write('dx')],
    { length: 'u32', kind: 'u32' }),
  flattenForward: linear('flatten_forward', [flattenSrc], [read('src'), write('dst')], { c: 'u32', n: 'u32', hw: 'u32' }, 'forward'),
  flattenBackward: linear('flatten_backward', [flattenSrc], [read('src'), write('dst')], { c: 'u32', n: 'u32', hw: 'u32' }, 'backward'),
  dropoutForward: linear('dropout_forward', [lowbias32Src, dropoutForwardSrc], [read('x'), write('y'), write('mask')],
    { length: 'u32', seed: 'u32', threshold: 'u32', keep_scale: 'f32' }),
  sgd: linear('sgd', [sgdSrc], [read('g'), write('w'), write('v')],
    { length: 'u32', lr: 'f32', momentum: 'f32', weight_decay: 'f32' }),
  adam: linear('adam', [adamSrc], [read('g'), write('w'), write('m'), write('v')],
    { length: 'u32', lr: 'f32', beta1: 'f32', beta2: 'f32', one_minus_beta1: 'f32', one_minus_beta2: 'f32', epsilon: 'f32',
      correction1: 'f32', correction2: 'f32', weight_decay: 'f32' }),
  softmaxForward: linear('softmax_forward', [softmaxForwardSrc], [read('x'), write('y')], { classes: 'u32', n: 'u32' }),
  softmaxBackward: linear('softmax_backward', [softmaxBackwardSrc], [read('y'), read('dy'), write('dx')],
    { classes: 'u32', n: 'u32' }),
  maxPoolForward: linear('max_pool_forward', [poolWindowsSrc, maxPoolForwardSrc], [read('x'), write('y'), write('argmax', 'u32')], POOL_PARAMS),
  maxPoolBackward: linear('max_pool_backward', [poolWindowsSrc, maxPoolBackwardSrc], [read('dy'), read('argmax', 'u32'), write('dx')], POOL_PARAMS),
  maxPoolBackwardTiled: linear('max_pool_backward_tiled', [poolWindowsSrc, maxPoolBackwardTiledSrc],
    [read('dy'), read('argmax', 'u32'), write('dx')], POOL_PARAMS),
  maxPoolGather: linear('max_pool_gather', [maxPoolGatherSrc], [read('x'), read('argmax', 'u32'), write('y')], POOL_PARAMS),
  avgPoolForward: linear('avg_pool_forward', [poolWindowsSrc, avgPoolForwardSrc], [read('x'), write('y')], POOL_PARAMS),
  avgPoolBackward: linear('avg_pool_backward', [poolWindowsSrc, avgPoolBackwardSrc], [read('dy'), write('dx')], POOL_PARAMS),
  im2col: linear('im2col', [convPhiSrc, im2colSrc], [read('image'), write('cols')], CONV_PARAMS),
  convDirect: linear('conv_direct', [activationSrc, convDirectSrc],
    [read('image'), read('weights'), read('bias'), write('y_out'), write('aux')], { ...CONV_PARAMS, has_bias: 'u32', epilogue: 'u32' }),
  // 64 invocations (not LINEAR_WORKGROUP): each does 16–32 outputs, so small layers still fill the cores.
  convDirectStrip: { ...linear('conv_direct_strip', [activationSrc, convDirectStripSrc],
    [read('image'), read('weights'), read('bias'), write('y_out'), write('aux')], DIRECT_STRIP_PARAMS), workgroupSize: [DIRECT_STRIP_WORKGROUP] },
  convWgradDirect: { ...linear('conv_wgrad_direct', [convWgradDirectSrc], [read('image'), read('grad'), write('partial')],
    DIRECT_WGRAD_PARAMS), workgroupSize: [DIRECT_STRIP_WORKGROUP] },
  col2im: linear('col2im', [col2imSrc], [read('cols'), write('dx')], CONV_PARAMS),
  gemmSplitReduce: linear('gemm_split_reduce', [activationSrc, gemmEpilogueSrc, gemmSplitReduceSrc],
    [read('partial'), read('bias'), write('c'), write('aux')], GEMM_PARAMS),
  biasGradSerial: linear('bias_grad_serial', [biasGradSerialSrc], [read('dy'), write('db')],
    { rows: 'u32', cols: 'u32', accumulate: 'u32' }),
  biasGrad: reducing('bias_grad', [biasGradSrc], [read('dy'), write('db')], { rows: 'u32', cols: 'u32', accumulate: 'u32' }),
  batchNormForward: reducing('batch_norm_forward', [batchNormForwardSrc],
    [read('x'), read('gamma'), read('beta'), write('running_mean'), write('running_var'), write('save_mean'),
      write('save_inv_std'), write('y')],
    { rows: 'u32', cols: 'u32', training: 'u32', momentum: 'f32', keep: 'f32', epsilon: 'f32' }),
  batchNormBackward: reducing('batch_norm_backward', [batchNormBackwardSrc],
    [read('x'), read('dy'), read('gamma'), read('save_mean'), read('save_inv_std'), write('dx'), write('dgamma'),
      write('dbeta')],
    { rows: 'u32', cols: 'u32' }),
  softmaxCrossEntropy: reducing('softmax_cross_entropy', [lossKernelSrc, softmaxCrossEntropySrc],
    [read('logits'), read('labels', 'u32'), write('probs'), write('dlogits'), write('metrics')],
    { classes: 'u32', n: 'u32', has_dlogits: 'u32' }),
  mseLoss: reducing('mse_loss', [lossKernelSrc, mseLossSrc], [read('out'), read('labels', 'u32'), write('dout'), write('metrics')],
    { classes: 'u32', n: 'u32', has_dout: 'u32' }),
}) satisfies Record<string, KernelSpec>)();

export type SimpleKernelName = keyof typeof specs;

const simpleKernels = new Map<SimpleKernelName, Kernel>();

export function kernel(name: SimpleKernelName): Kernel {
  let k = simpleKernels.get(name);
  if (!k) simpleKernels.set(name, (k = new Kernel(specs[name])));
  return k;
}

// ── the GEMM family: one tiled engine, operand loaders swapped per use ──────────────────────

/** Depth of the k-slice staged in shared memory per step. */
export const GEMM_TK = 16;

/** A workgroup tile of C: 4·wgY rows × 4·wgX columns, one 4 × 4 micro-tile per invocation. */
export interface GemmTile {
  readonly name: string;
  readonly wgX: number;
  readonly wgY: number;
}

export const tileRows = (t: GemmTile): number => 4 * t.wgY;
export const tileCols = (t: GemmTile): number => 4 * t.wgX;

interface GemmOperands {
  readonly name: string;
  readonly sources: readonly string[];
  /** Binding names of op(A) and op(B). */
  readonly a: string;
  readonly b: string;
  readonly params: Readonly<Record<string, ScalarType>>;
}

export const GEMM_OPERANDS = {
  /** Plain row-major matrices with optional transposes. */
  matrix: { name: 'gemm', sources: [gemmOperandsSrc], a: 'a', b: 'b', params: { trans_a: 'u32', trans_b: 'u32' } },
  /** S = W · φ(pad(x)), φ gathered from x during the tile load. */
  convForward: { name: 'conv_forward_implicit', sources: [convPhiSrc, convForwardOperandsSrc], a: 'weights', b: 'image',
    params: CONV_PARAMS },
  /** dW = Δ · φ(pad(x))ᵀ, φ gathered from x during the tile load. */
  convWgrad: { name: 'conv_wgrad_implicit', sources: [convPhiSrc, convWgradOperandsSrc], a: 'grad', b: 'image',
    params: CONV_PARAMS },
  /** dx from W and Δ directly, no col2im. */
  convDgrad: { name: 'conv_dgrad_implicit', sources: [convDgradOperandsSrc], a: 'weights', b: 'grad', params: CONV_PARAMS },
} as const satisfies Record<string, GemmOperands>;

export type GemmOperandsName = keyof typeof GEMM_OPERANDS;

const gemmKernels = new Map<string, Kernel>();

export function gemmKernel(operands: GemmOperandsName, tile: GemmTile): Kernel {
  const key = `${operands}:${tile.name}`;
  let k = gemmKernels.get(key);
  if (!k) {
    const o = GEMM_OPERANDS[operands];
    k = new Kernel({
      name: `${o.name}_${tile.name}`,
      sources: [...o.sources, activationSrc, gemmEpilogueSrc, gemmSrc],
      workgroupSize: [tile.wgX, tile.wgY],
      constants: { TK: GEMM_TK },
      buffers: [read(o.a), read(o.b), read('bias'), write('c'), write('partial'), write('aux')],
      params: { ...GEMM_PARAMS, ...o.params },
    });
    gemmKernels.set(key, k);
  }
  return k;
}
