// flatten: feature maps c × (N·H·W) to vectors (C·H·W) × N, feature index c·H·W + spatial index.

import { elements } from '../lang/shapes';
import type { Tensor } from '../engine/backend';
import type { Pass } from '../engine/layers/layer';
import type { BuildContext, LayerBase, LayerDefinition } from './definition';
import { EngineLayer, type ParamTangent } from './engine-layer';
import { flattenNode } from '../export/onnx/layer-export';

export interface FlattenLayer extends LayerBase { readonly kind: 'flatten' }

export const flatten: LayerDefinition<FlattenLayer> = {
  statement: {
    keyword: 'flatten',
    category: 'layer',
    doc: 'Turns a C×H×W feature map into a vector of C·H·W values (needed before `dense`).',
    snippet: 'flatten',
    aliases: ['reshape', 'vectorize'],
    params: [],
  },
  role: 'reshape',
  read: (_args, { line, range }) => ({ broken: false, layer: { line, range, kind: 'flatten' } }),
  infer(_layer, input) {
    const size = elements(input);
    // A view of its input: it stores nothing.
    if (input.length !== 3) return { output: input, params: 0, flops: 0, activationBytes: 0, problem: { kind: 'redundant-flatten' } };
    return { output: [size], params: 0, flops: 0, activationBytes: 0, formula: `${input.join('·')} = ${size}` };
  },
  describe: () => '',
  onnx: (_layer, ctx) => [flattenNode(ctx.input, ctx.output)],
  create: (ctx, layer) => new Flatten(ctx, layer),
  // Both flatten each example's C, H, W in that order.
  torch: () => ({ module: 'nn.Flatten()', tensors: [] }),
};

class Flatten extends EngineLayer<FlattenLayer> {
  readonly outputShape: readonly number[];
  /** Channels and spatial size; a vector input is F channels of 1×1, for which flatten is a copy. */
  private readonly c: number;
  private readonly hw: number;

  constructor(ctx: BuildContext, spec: FlattenLayer) {
    super(ctx, spec);
    this.outputShape = [elements(ctx.inputShape)];
    this.c = ctx.inputShape[0];
    this.hw = elements(ctx.inputShape) / this.c;
  }

  forward(x: Tensor, y: Tensor, pass: Pass): void {
    if (this.hw === 1) this.backend.copy(x, y, this.c * pass.n);
    else this.backend.flattenForward(x, y, this.c, pass.n, this.hw);
  }

  backward(_x: Tensor, _y: Tensor, dy: Tensor, dx: Tensor | null, pass: Pass): void {
    if (!dx) return;
    if (this.hw === 1) this.backend.copy(dy, dx, this.c * pass.n);
    else this.backend.flattenBackward(dy, dx, this.c, pass.n, this.hw);
  }

  jvp(_x: Tensor, dx: Tensor | null, _y: Tensor, dy: Tensor, pass: Pass, _tangent: ParamTangent): void {
    if (dx) this.forward(dx, dy, pass);  // a reshape is linear
    else this.backend.fill(dy, 0, this.c * this.hw * pass.n);
  }
}
