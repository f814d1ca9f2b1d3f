// relu, sigmoid, tanh: element-wise; the backward pass uses the forward output.

import { elements, F32 } from '../lang/shapes';
import type { ActivationKind } from '../lang/spec';
import type { Tensor } from '../engine/backend';
import type { Pass } from '../engine/layers/layer';
import type { BuildContext, LayerBase, LayerDefinition } from './definition';
import { EngineLayer, type ParamTangent } from './engine-layer';

export interface ActivationLayer extends LayerBase { readonly kind: ActivationKind }

const ONNX_ACTIVATIONS: Readonly<Record<ActivationKind, string>> = { relu: 'Relu', sigmoid: 'Sigmoid', tanh: 'Tanh' };
const TORCH_ACTIVATIONS: Readonly<Record<ActivationKind, string>> = { relu: 'ReLU', sigmoid: 'Sigmoid', tanh: 'Tanh' };

function activation(keyword: ActivationKind, doc: string): LayerDefinition<ActivationLayer> {
  return {
    statement: { keyword, category: 'layer', doc, params: [], snippet: keyword },
    role: 'activation',
    read: (_args, { line, range }) => ({ broken: false, layer: { line, range, kind: keyword } }),
    infer: (_layer, input) => ({ output: input, params: 0, flops: elements(input), activationBytes: F32 * elements(input) }),
    describe: () => '',
    onnx: (_layer, ctx) => [{ op: ONNX_ACTIVATIONS[keyword], inputs: [ctx.input], output: ctx.output }],
    create: (ctx, layer) => new ActivationFn(ctx, layer),
    torch: () => ({ module: `nn.${TORCH_ACTIVATIONS[keyword]}()`, tensors: [] }),
  };
}

export const relu = activation('relu', 'Rectified linear unit, max(0, x), element-wise.');
export const sigmoid = activation('sigmoid', 'Logistic sigmoid, 1/(1 + e^−x), element-wise.');
export const tanh = activation('tanh', 'Hyperbolic tangent, element-wise.');

class ActivationFn extends EngineLayer<ActivationLayer> {
  readonly outputShape: readonly number[];
  private readonly size: number;

  constructor(ctx: BuildContext, spec: ActivationLayer) {
    super(ctx, spec);
    this.outputShape = ctx.inputShape;
    this.size = elements(ctx.inputShape);
  }

  forward(x: Tensor, y: Tensor, pass: Pass): void {
    this.backend.activationForward(this.spec.kind, x, y, this.size * pass.n);
  }

  backward(_x: Tensor, y: Tensor, dy: Tensor, dx: Tensor | null, pass: Pass): void {
    if (dx) this.backend.activationBackward(this.spec.kind, y, dy, dx, this.size * pass.n);
  }

  jvp(_x: Tensor, dx: Tensor | null, y: Tensor, dy: Tensor, pass: Pass, _tangent: ParamTangent): void {
    // An element-wise Jacobian is diagonal, so forward and backward products are the same f'(x)·v.
    if (dx) this.backend.activationBackward(this.spec.kind, y, dx, dy, this.size * pass.n);
    else this.backend.fill(dy, 0, this.size * pass.n);
  }
}
