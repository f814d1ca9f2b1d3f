// softmax over the class vector. With cross-entropy the network fuses a final softmax into the loss
// (softmaxCrossEntropy), so this layer runs only before MSE or in the middle of a model.

import { elements, F32 } from '../lang/shapes';
import type { Tensor } from '../engine/backend';
import type { Pass } from '../engine/layers/layer';
import type { BuildContext, LayerBase, LayerDefinition } from './definition';
import { EngineLayer, type ParamTangent } from './engine-layer';
import { int, onVector } from '../export/onnx/layer-export';

export interface SoftmaxLayer extends LayerBase { readonly kind: 'softmax' }

export const softmax: LayerDefinition<SoftmaxLayer> = {
  statement: {
    keyword: 'softmax',
    category: 'layer',
    doc: 'Turns the last layer\'s outputs into class probabilities; with cross-entropy the two are fused.',
    snippet: 'softmax',
    aliases: ['softmax2d', 'logsoftmax'],
    params: [],
  },
  role: 'softmax',
  read: (_args, { line, range }) => ({ broken: false, layer: { line, range, kind: 'softmax' } }),
  // Exponential, sum and division per element.
  infer: (_layer, input) => ({ output: input, params: 0, flops: 3 * elements(input), activationBytes: F32 * elements(input) }),
  describe: () => '',
  onnx: (_layer, ctx) => onVector(ctx, (x) => ({ op: 'Softmax', inputs: [x], output: ctx.output, attributes: { axis: int(1) } })),
  create: (ctx, layer) => new Softmax(ctx, layer),
  // Over the class scores of each example; model.py leaves it out of the loss when it is fused.
  torch: () => ({ module: 'nn.Softmax(dim=1)', tensors: [] }),
};

class Softmax extends EngineLayer<SoftmaxLayer> {
  readonly outputShape: readonly number[];

  constructor(ctx: BuildContext, spec: SoftmaxLayer) {
    super(ctx, spec);
    if (ctx.inputShape.length === 3 && ctx.inputShape[1] * ctx.inputShape[2] !== 1) {
      throw ctx.error(`needs a vector, got a ${ctx.inputShape.join('×')} feature map; add \`flatten\` first`);
    }
    this.outputShape = ctx.inputShape;
  }

  forward(x: Tensor, y: Tensor, pass: Pass): void {
    this.backend.softmaxForward(x, y, this.inputShape[0], pass.n);
  }

  backward(_x: Tensor, y: Tensor, dy: Tensor, dx: Tensor | null, pass: Pass): void {
    if (dx) this.backend.softmaxBackward(y, dy, dx, this.inputShape[0], pass.n);
  }

  jvp(_x: Tensor, dx: Tensor | null, y: Tensor, dy: Tensor, pass: Pass, _tangent: ParamTangent): void {
    // softmax's Jacobian diag(y) − y·yᵀ is symmetric, so the backward product is also the forward one.
    if (dx) this.backend.softmaxBackward(y, dx, dy, this.inputShape[0], pass.n);
    else this.backend.fill(dy, 0, this.inputShape[0] * pass.n);
  }
}
