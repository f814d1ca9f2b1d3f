// dense: a fully connected layer on vectors (features × N), y = W·x + b with W out × in.

import { formatNumber } from '../lang/format';
import { elements, F32 } from '../lang/shapes';
import type { FusedActivation, Tensor } from '../engine/backend';
import { linearBackwardData, linearBackwardFilter, linearForward, type BackwardGate } from '../engine/layers/fused-ops';
import type { Param, Pass } from '../engine/layers/layer';
import type { BuildContext, LayerBase, LayerDefinition } from './definition';
import { EngineLayer, type ParamTangent } from './engine-layer';
import { int, onVector } from '../export/onnx/layer-export';
import { biasParam, MAX_UNITS } from './params';

export interface DenseLayer extends LayerBase { readonly kind: 'dense'; readonly units: number; readonly bias: boolean }

export const dense: LayerDefinition<DenseLayer> = {
  statement: {
    keyword: 'dense',
    category: 'layer',
    doc: 'Fully connected layer: every output is a weighted sum of all inputs (needs a vector input).',
    snippet: 'dense ${1:10}',
    aliases: ['linear', 'fc', 'fully_connected', 'full', 'affine'],
    params: [
      { name: 'units', doc: 'Number of outputs.', kind: 'integer', bounds: { min: 1, max: MAX_UNITS }, positional: true, required: true, snippet: 'units=${1:10}', aliases: ['out_features', 'outputs', 'size', 'neurons'] },
      biasParam,
    ],
  },
  role: 'weighted',
  sizeParam: 'units',

  read: (args, { line, range }) => ({
    broken: false,
    layer: { line, range, kind: 'dense', units: args.number('units', 1), bias: args.boolean('bias', true) },
  }),

  infer(layer, input) {
    const size = elements(input);
    const params = size * layer.units + (layer.bias ? layer.units : 0);
    return {
      output: [layer.units],
      params,
      flops: 2 * size * layer.units + (layer.bias ? layer.units : 0),
      activationBytes: F32 * layer.units,
      formula: `${formatNumber(size)} → ${layer.units}: ${size}·${layer.units}${layer.bias ? ` + ${layer.units}` : ''} = ${params} parameters`,
      // Its output is still known (as if flattened), but the model is wrong.
      ...(input.length === 3 && { problem: { kind: 'needs-vector' } as const }),
    };
  },

  describe: (layer) => `${layer.units}${layer.bias ? '' : ' no bias'}`,
  paramBreakdown: (layer, input) => ` (${elements(input)}·${layer.units}${layer.bias ? ` + ${layer.units}` : ''})`,
  // Gemm with transB reads W as ConvLab stores it, out × in.
  onnx: (layer, ctx) => onVector(ctx, (x) => ({
    op: 'Gemm',
    inputs: [x, ctx.weight('weight', [layer.units, elements(ctx.inputShape)]), ...(layer.bias ? [ctx.weight('bias', [layer.units])] : [])],
    output: ctx.output,
    attributes: { transB: int(1) },
  })),
  create: (ctx, layer) => new Dense(ctx, layer),
  torch: (layer, { inputShape, refuse }) => {
    // The language asks for `flatten` before dense; nn.Linear would read a map's last axis only.
    if (inputShape.length !== 1) throw refuse(`its input is a ${inputShape.join('×')} map, not a vector; add \`flatten\` before it`);
    return {
      module: `nn.Linear(${inputShape[0]}, ${layer.units}${layer.bias ? '' : ', bias=False'})`,
      tensors: [{ suffix: 'weight', attribute: 'weight', shape: [layer.units, inputShape[0]], init: 'fan' },
        ...(layer.bias ? [{ suffix: 'bias', attribute: 'bias', shape: [layer.units], init: 'zeros' } as const] : [])],
    };
  },
};

class Dense extends EngineLayer<DenseLayer> {
  readonly outputShape: readonly number[];
  readonly weight: Param;
  readonly bias: Param | null;
  private readonly inputs: number;

  constructor(ctx: BuildContext, spec: DenseLayer) {
    super(ctx, spec);
    // A C×1×1 map has the same d × N layout as a vector of C, so it needs no flatten.
    if (ctx.inputShape.length === 3 && ctx.inputShape[1] * ctx.inputShape[2] !== 1) {
      throw ctx.error(`input is a ${ctx.inputShape.join('×')} feature map; add \`flatten\` before dense`);
    }
    this.inputs = elements(ctx.inputShape);
    this.outputShape = [spec.units];
    this.weight = ctx.param('weight', [spec.units, this.inputs], 'fan');
    this.bias = spec.bias ? ctx.param('bias', [spec.units], 'zeros') : null;
    this.params = this.bias ? [this.weight, this.bias] : [this.weight];
  }

  forward(x: Tensor, y: Tensor, pass: Pass): void {
    linearForward(this.backend, this.weight.value, x, this.bias?.value ?? null, y, this.spec.units, pass.n, this.inputs, null);
  }

  forwardActivated(x: Tensor, y: Tensor, pass: Pass, activation: FusedActivation): void {
    linearForward(this.backend, this.weight.value, x, this.bias?.value ?? null, y, this.spec.units, pass.n, this.inputs, activation);
  }

  backward(x: Tensor, _y: Tensor, dy: Tensor, dx: Tensor | null, pass: Pass): void {
    const out = this.spec.units, n = pass.n;
    linearBackwardFilter(this.backend, dy, x, this.weight.grad, this.bias?.grad ?? null, out, n, this.inputs); // dW = Δ·xᵀ, db = Δ·1
    if (dx) linearBackwardData(this.backend, this.weight.value, dy, dx, out, n, this.inputs, null);    // dx = Wᵀ·Δ
  }

  backwardGated(x: Tensor, _y: Tensor, dy: Tensor, dx: Tensor, pass: Pass, gate: BackwardGate): void {
    const out = this.spec.units, n = pass.n;
    linearBackwardFilter(this.backend, dy, x, this.weight.grad, this.bias?.grad ?? null, out, n, this.inputs);
    linearBackwardData(this.backend, this.weight.value, dy, dx, out, n, this.inputs, gate);   // dx = Wᵀ·Δ ⊙ f'(x)
  }

  jvp(x: Tensor, dx: Tensor | null, _y: Tensor, dy: Tensor, pass: Pass, tangent: ParamTangent): void {
    const out = this.spec.units, n = pass.n;
    this.backend.gemm(tangent(this.weight), x, dy, out, n, this.inputs);                      // dW·x
    if (this.bias) this.backend.addBias(dy, tangent(this.bias), out, n);
    if (dx) this.backend.gemm(this.weight.value, dx, dy, out, n, this.inputs, { beta: 1 });  // + W·dx
  }
}
