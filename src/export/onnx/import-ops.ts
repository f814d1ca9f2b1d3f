// ONNX operators → ConvLab layers, one importer per op type: the layer spec, its weights in
// ConvLab's layouts, and the rank of the ONNX tensor after it. Each refuses, with the reason, any
// attribute setting that ConvLab's layer would not compute exactly.

import { elements } from '../../lang/shapes';
import type { LayerSpec, Shape } from '../../lang/spec';
import type { ParamKind } from '../../engine/tensor-names';
import type { CheckpointTensor } from '../../engine/checkpoint';
import { Attributes, type Constant, type NodeSite, type Refusals } from './import-graph';

/** A layer spec before it is placed on a line. */
export type UnplacedLayer = LayerSpec extends infer T ? T extends unknown ? Omit<T, 'line' | 'range'> : never : never;

export interface ImportedLayer {
  readonly spec: UnplacedLayer;
  readonly tensors: readonly (readonly [ParamKind, CheckpointTensor])[];
  /** What the layer was made from, for the .cnn line's comment. */
  readonly notes?: readonly string[];
}

/** Where the chain stands before a node. */
export interface ChainState {
  /** ConvLab's shape of one example: [C, H, W] or [F]. */
  readonly shape: Shape;
  /** Rank of the ONNX tensor: 4 for [N, C, H, W] (also after GlobalAveragePool's [N, C, 1, 1]), 2 for [N, F]. */
  readonly rank: 2 | 4;
  /** The default domain's opset (Softmax's default axis changed in 13). */
  readonly opset: number;
}

export interface OpScope {
  readonly site: NodeSite;
  readonly state: ChainState;
  readonly refuse: Refusals;
  attributes(known: readonly string[]): Attributes;
  /** Input `i` as float constant values; refuses a missing one. */
  floats(i: number, what: string): Constant & { readonly floats: Float32Array };
  /** Input `i` as a constant, or undefined when the node leaves it out. */
  optional(i: number): Constant | undefined;
  /** The constant (initializer or Constant node output) of this name, if it is one. */
  constant(name: string): Constant | undefined;
  /** The node after this one, for operators ONNX writes as two nodes (MatMul + Add). */
  next(): NodeSite | undefined;
}

export interface OpResult {
  /** Null for a node that changes nothing ConvLab would see (a flatten of a vector, Identity). */
  readonly layer: ImportedLayer | null;
  readonly rank: 2 | 4;
  /** How many nodes it used, from this one. */
  readonly consumed: number;
}

type OpImporter = (scope: OpScope) => OpResult;

const tensor = (shape: readonly number[], data: Float32Array): CheckpointTensor => ({ shape, data });
const one = (layer: ImportedLayer, rank: 2 | 4): OpResult => ({ layer, rank, consumed: 1 });
const pairOf = (values: readonly number[]): readonly [number, number] => [values[0], values[1]];

function why(s: OpScope, reason: string): never {
  return s.refuse.node(s.site, reason);
}

function needFeatureMap(s: OpScope): readonly [number, number, number] {
  const shape = s.state.shape;
  if (shape.length !== 3 || s.state.rank !== 4) why(s, `it needs a C×H×W feature map, but its input is a vector of ${shape[0]} values`);
  return [shape[0], shape[1], shape[2]];
}

function needVector(s: OpScope): number {
  const shape = s.state.shape;
  if (shape.length !== 1) why(s, `it needs a vector, but its input is a ${shape.join('×')} feature map (flatten it first)`);
  return shape[0];
}

function needTwoD(s: OpScope, name: string, values: readonly number[]): void {
  if (values.length !== 2) why(s, `${name} [${values.join(', ')}] is not two-dimensional; ConvLab works on 2-D images`);
}

function allOnes(s: OpScope, a: Attributes, name: string): void {
  const values = a.ints(name, [1, 1]);
  if (values.some((v) => v !== 1)) why(s, `${name} [${values.join(', ')}]: ConvLab has no dilated windows`);
}

/** Conv's and the pools' padding as ConvLab's [ph, pw] (the same on both sides). */
function symmetricPads(s: OpScope, a: Attributes, kernel: readonly [number, number], stride: readonly [number, number]): readonly [number, number] {
  const autoPad = a.string('auto_pad', 'NOTSET');
  if (autoPad === 'VALID') return [0, 0];
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    // With stride 1 and odd kernels SAME pads (k − 1)/2 on both sides; otherwise it pads unevenly.
    if (stride[0] === 1 && stride[1] === 1 && kernel[0] % 2 === 1 && kernel[1] % 2 === 1) return [(kernel[0] - 1) / 2, (kernel[1] - 1) / 2];
    why(s, `auto_pad ${autoPad} with a ${kernel.join('×')} kernel and stride ${stride.join('×')} pads the sides unequally; ConvLab pads both sides equally`);
  }
  if (autoPad !== 'NOTSET') why(s, `auto_pad '${autoPad}' is not an ONNX setting ConvLab knows`);
  const pads = a.ints('pads', [0, 0, 0, 0]);
  if (pads.length !== 4) why(s, `pads [${pads.join(', ')}] is not [top, left, bottom, right]`);
  if (pads[0] !== pads[2] || pads[1] !== pads[3]) why(s, `pads [${pads.join(', ')}] differ between opposite sides; ConvLab pads both sides equally`);
  return [pads[0], pads[1]];
}

const Conv: OpImporter = (s) => {
  const a = s.attributes(['kernel_shape', 'strides', 'pads', 'dilations', 'group', 'auto_pad']);
  const [c] = needFeatureMap(s);
  const w = s.floats(1, 'weights');
  if (w.dims.length !== 4) why(s, `its weights have dims [${w.dims.join(', ')}], expected [M, C, kh, kw]`);
  const [m, wc, kh, kw] = w.dims;
  if (a.int('group', 1) !== 1) why(s, `group ${a.int('group', 1)}: ConvLab has no grouped or depthwise convolution`);
  if (wc !== c) why(s, `its weights expect ${wc} input channels, the input has ${c}`);
  const kernelShape = a.ints('kernel_shape', [kh, kw]);
  if (kernelShape[0] !== kh || kernelShape[1] !== kw) why(s, `kernel_shape [${kernelShape.join(', ')}] differs from the weights' ${kh}×${kw}`);
  allOnes(s, a, 'dilations');
  const strides = a.ints('strides', [1, 1]);
  needTwoD(s, 'strides', strides);
  const kernel: [number, number] = [kh, kw], stride = pairOf(strides);
  const pad = symmetricPads(s, a, kernel, stride);
  const bias = s.optional(2);
  if (bias && (!bias.floats || bias.floats.length !== m)) why(s, `its bias has dims [${bias.dims.join(', ')}], expected [${m}]`);
  return one({
    spec: { kind: 'conv', filters: m, kernel, stride, pad, bias: bias !== undefined },
    tensors: [['weight', tensor([m, c, kh, kw], w.floats)], ...(bias ? [['bias', tensor([m], bias.floats!)] as const] : [])],
  }, 4);
};

function pool(kind: 'maxpool' | 'avgpool'): OpImporter {
  return (s) => {
    const a = s.attributes(['kernel_shape', 'strides', 'pads', 'dilations', 'ceil_mode', 'auto_pad', 'count_include_pad', 'storage_order']);
    const [, h, w] = needFeatureMap(s);
    const kernelShape = a.ints('kernel_shape', []);
    needTwoD(s, 'kernel_shape', kernelShape);
    const strides = a.ints('strides', [1, 1]);
    needTwoD(s, 'strides', strides);
    allOnes(s, a, 'dilations');
    const window = pairOf(kernelShape), stride = pairOf(strides);
    const pad = symmetricPads(s, a, window, stride);
    if (pad[0] !== 0 || pad[1] !== 0) why(s, `it pads by ${pad.join('×')}; ConvLab's pools do not pad`);
    if (a.int('storage_order', 0) !== 0) why(s, 'storage_order 1 (column-major indices) has no ConvLab equivalent');
    // With ceil_mode a partial window at the edge makes one more output, unless the windows fit exactly.
    if (a.int('ceil_mode', 0) !== 0 && ((h - window[0]) % stride[0] !== 0 || (w - window[1]) % stride[1] !== 0)) {
      why(s, `ceil_mode 1 keeps the partial window at the edge of the ${h}×${w} input; ConvLab's pools drop it`);
    }
    if (window[0] > h || window[1] > w) why(s, `its ${window.join('×')} window is larger than the ${h}×${w} input`);
    return one({ spec: { kind, window, stride }, tensors: [] }, 4);
  };
}

const GlobalAveragePool: OpImporter = (s) => {
  s.attributes([]);
  needFeatureMap(s);
  // ONNX keeps N×C×1×1; ConvLab's output is the vector of C.
  return one({ spec: { kind: 'globalavgpool' }, tensors: [] }, 4);
};

function activation(kind: 'relu' | 'sigmoid' | 'tanh'): OpImporter {
  return (s) => {
    s.attributes([]);
    return one({ spec: { kind }, tensors: [] }, s.state.rank);
  };
}

/** Flatten to [N, C·H·W]: a `flatten` layer, or nothing when ConvLab already has a vector. */
function flattened(s: OpScope): OpResult {
  return { layer: s.state.shape.length === 3 ? { spec: { kind: 'flatten' }, tensors: [] } : null, rank: 2, consumed: 1 };
}

const Flatten: OpImporter = (s) => {
  const a = s.attributes(['axis']);
  const axis = a.int('axis', 1);
  if ((axis < 0 ? axis + s.state.rank : axis) !== 1) why(s, `axis ${axis} does not keep the batch dimension apart; only axis 1 is a ConvLab flatten`);
  return flattened(s);
};

const Reshape: OpImporter = (s) => {
  const a = s.attributes(['allowzero']);
  const target = s.optional(1)?.ints;
  if (!target) why(s, 'its shape input is not a constant int64 tensor');
  const size = elements(s.state.shape), [batch, features] = target;
  const keepsBatch = batch === -1 ? features === size : batch === 0 && a.int('allowzero', 0) === 0 && (features === -1 || features === size);
  if (target.length !== 2 || !keepsBatch) why(s, `reshape to [${target.join(', ')}] is not a flatten to [N, ${size}]`);
  return flattened(s);
};

/** ConvLab's dense weight out × in from a matrix stored in × out. */
function transposed(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return out;
}

function scaled(values: Float32Array, by: number): Float32Array {
  return by === 1 ? values : values.map((v) => v * by);
}

function dense(weight: Float32Array, units: number, inputs: number, bias: Float32Array | null, consumed: number): OpResult {
  return {
    layer: { spec: { kind: 'dense', units, bias: bias !== null }, tensors: [['weight', tensor([units, inputs], weight)], ...(bias ? [['bias', tensor([units], bias)] as const] : [])] },
    rank: 2, consumed,
  };
}

/** A bias of `units` values (or one broadcast value). */
function biasValues(s: OpScope, c: Constant, units: number): Float32Array {
  if (!c.floats || (c.floats.length !== units && c.floats.length !== 1) || c.dims.length > 2 || (c.dims.length === 2 && c.dims[0] !== 1)) {
    why(s, `its bias has dims [${c.dims.join(', ')}], expected [${units}] or [1, ${units}]`);
  }
  return c.floats.length === units ? c.floats : new Float32Array(units).fill(c.floats[0]);
}

function needMatrixInput(s: OpScope): number {
  const inputs = needVector(s);
  if (s.state.rank !== 2) why(s, `its input is a ${inputs}×1×1 map (rank 4); flatten it first`);
  return inputs;
}

const Gemm: OpImporter = (s) => {
  const a = s.attributes(['alpha', 'beta', 'transA', 'transB']);
  const inputs = needMatrixInput(s);
  if (a.int('transA', 0) !== 0) why(s, 'transA 1 transposes the batch; a dense layer multiplies each example');
  const b = s.floats(1, 'weights'), transB = a.int('transB', 0) !== 0;
  if (b.dims.length !== 2) why(s, `its weights have dims [${b.dims.join(', ')}], expected a matrix`);
  const [units, k] = transB ? b.dims : [b.dims[1], b.dims[0]];
  if (k !== inputs) why(s, `its weights take ${k} inputs, the input has ${inputs}`);
  const weight = scaled(transB ? b.floats : transposed(b.floats, inputs, units), a.float('alpha', 1));
  const c = s.optional(2);
  return dense(weight, units, inputs, c ? scaled(biasValues(s, c, units), a.float('beta', 1)) : null, 1);
};

/** MatMul by a constant [in, out], with the Add of a constant bias that usually follows folded in. */
const MatMul: OpImporter = (s) => {
  s.attributes([]);
  const inputs = needMatrixInput(s);
  const b = s.floats(1, 'weights');
  if (b.dims.length !== 2 || b.dims[0] !== inputs) why(s, `its weights have dims [${b.dims.join(', ')}], expected [${inputs}, units]`);
  const units = b.dims[1], weight = transposed(b.floats, inputs, units);
  const next = s.next(), product = s.site.node.output[0];
  const add = next?.node;
  if (add?.op_type === 'Add' && add.attribute.length === 0 && add.input.length === 2 && add.input.includes(product)) {
    // Either operand order; the other one must be the constant bias.
    const bias = s.constant(add.input[0] === product ? add.input[1] : add.input[0]);
    if (bias) return dense(weight, units, inputs, biasValues(s, bias, units), 2);
  }
  return dense(weight, units, inputs, null, 1);
};

const Add: OpImporter = (s) => why(s, 'an Add is imported only as the bias right after a MatMul by a constant');

const BatchNormalization: OpImporter = (s) => {
  const a = s.attributes(['epsilon', 'momentum', 'training_mode', 'spatial']);
  if (a.int('training_mode', 0) !== 0) why(s, 'training_mode 1 normalises with batch statistics; ConvLab exports and imports evaluation mode');
  if (a.int('spatial', 1) !== 1) why(s, 'spatial 0 normalises every position separately; ConvLab normalises per channel');
  const rows = s.state.shape[0];
  const [gamma, beta, mean, variance] = (['scale', 'bias', 'mean', 'variance'] as const).map((what, i) => {
    const c = s.floats(i + 1, what);
    if (c.floats.length !== rows) why(s, `its ${what} has ${c.floats.length} values, the input has ${rows} ${s.state.shape.length === 3 ? 'channels' : 'features'}`);
    return c.floats;
  });
  const epsilon = a.float('epsilon', 1e-5);
  if (!(epsilon > 0 && epsilon <= 1)) why(s, `epsilon ${epsilon} is outside ConvLab's (0, 1]`);
  // ONNX's momentum weighs the old running value, ConvLab's the new batch.
  const onnxMomentum = float32Decimal(a.float('momentum', 0.9)), momentum = float32Decimal(1 - onnxMomentum);
  const usable = momentum > 0 && momentum <= 1;
  return one({
    spec: { kind: 'batchnorm', momentum: usable ? momentum : 0.1, epsilon: float32Decimal(epsilon) },
    tensors: [['weight', tensor([rows], gamma)], ['bias', tensor([rows], beta)], ['running_mean', tensor([rows], mean)], ['running_var', tensor([rows], variance)]],
    notes: usable ? [] : [`ONNX momentum ${onnxMomentum} never updates the statistics; ConvLab's default 0.1 used for training`],
  }, s.state.rank);
};

const Dropout: OpImporter = (s) => {
  const a = s.attributes(['ratio', 'seed', 'is_test']);
  const training = s.optional(2);
  if (training && ((training.ints?.[0] ?? 0) !== 0 || (training.floats?.[0] ?? 0) !== 0)) why(s, 'training_mode true drops values at inference; ConvLab exports and imports evaluation mode');
  const ratio = s.optional(1);
  const p = float32Decimal(ratio?.floats?.[0] ?? a.float('ratio', 0.5));
  if (!(p >= 0 && p < 1)) why(s, `ratio ${p} is outside ConvLab's [0, 1)`);
  return one({ spec: { kind: 'dropout', p }, tensors: [] }, s.state.rank);
};

const Softmax: OpImporter = (s) => {
  const a = s.attributes(['axis']);
  needVector(s);
  // Opset 13 changed the default from 1 (and "flatten from this axis") to −1 (one axis).
  const axis = a.int('axis', s.state.opset >= 13 ? -1 : 1), rank = s.state.rank;
  if ((axis < 0 ? axis + rank : axis) !== 1) why(s, `axis ${axis} of a rank-${rank} tensor is not the class axis`);
  return one({ spec: { kind: 'softmax' }, tensors: [] }, rank);
};

const Identity: OpImporter = (s) => {
  s.attributes([]);
  return { layer: null, rank: s.state.rank, consumed: 1 };
};

export const OP_IMPORTERS: Readonly<Record<string, OpImporter>> = {
  Conv, MaxPool: pool('maxpool'), AveragePool: pool('avgpool'), GlobalAveragePool,
  Relu: activation('relu'), Sigmoid: activation('sigmoid'), Tanh: activation('tanh'),
  Flatten, Reshape, Gemm, MatMul, Add, BatchNormalization, Dropout, Softmax, Identity,
};

/** The shortest decimal that is the same float32: 0.1 rather than 0.10000000149011612. */
export function float32Decimal(value: number): number {
  const f = Math.fround(value);
  for (let digits = 1; digits < 17; digits++) {
    const candidate = Number(f.toPrecision(digits));
    if (Math.fround(candidate) === f) return candidate;
  }
  return f;
}
