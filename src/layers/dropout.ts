// dropout: inverted dropout in training, identity in evaluation. The mask comes from the shared
// integer hash (engine/random.ts), so cpu and webgpu drop the same units for the same step seed.

import { elements, F32 } from '../lang/shapes';
import type { Tensor } from '../engine/backend';
import type { Pass } from '../engine/layers/layer';
import type { BuildContext, LayerBase, LayerDefinition } from './definition';
import { EngineLayer, type ParamTangent } from './engine-layer';
import { pyNumber } from '../export/pytorch/python';

export interface DropoutLayer extends LayerBase { readonly kind: 'dropout'; readonly p: number }

export const dropout: LayerDefinition<DropoutLayer> = {
  statement: {
    keyword: 'dropout',
    category: 'layer',
    doc: 'During training, zeroes each value with probability p and scales the rest by 1/(1−p); identity at test time.',
    snippet: 'dropout ${1:0.5}',
    params: [
      { name: 'p', doc: 'Probability of dropping a value, in [0, 1).', kind: 'number', default: '0.5', bounds: { min: 0, max: 1, maxExclusive: true }, positional: true, snippet: 'p=${1:0.5}', aliases: ['rate', 'prob', 'probability'] },
    ],
  },
  role: 'elementwise',
  read: (args, { line, range }) => ({ broken: false, layer: { line, range, kind: 'dropout', p: args.number('p', 0.5) } }),
  infer: (_layer, input) => ({ output: input, params: 0, flops: elements(input), activationBytes: F32 * elements(input) }),
  describe: (layer) => `p = ${layer.p}`,
  // Identity in inference; kept as a node so p survives a round trip.
  onnx: (layer, ctx) => [{ op: 'Dropout', inputs: [ctx.input, ctx.constant('ratio', [], [layer.p])], output: ctx.output }],
  create: (ctx, layer) => new Dropout(ctx, layer),
  // Inverted dropout in both; the masks differ (torch draws its own), evaluation is the identity in both.
  torch: (layer) => ({ module: `nn.Dropout(p=${pyNumber(layer.p)})`, tensors: [] }),
};

/** Per-layer dropout seed: the step's seed mixed with the layer index, so layers drop different units. */
export function layerSeed(stepSeed: number, index: number): number {
  return (stepSeed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0;
}

class Dropout extends EngineLayer<DropoutLayer> {
  readonly outputShape: readonly number[];
  private readonly size: number;
  private readonly mask: Tensor;

  constructor(ctx: BuildContext, spec: DropoutLayer) {
    super(ctx, spec);
    if (!(spec.p >= 0 && spec.p < 1)) throw ctx.error(`p must be in [0, 1), got ${spec.p}`);
    this.outputShape = ctx.inputShape;
    this.size = elements(ctx.inputShape);
    this.mask = ctx.backend.zeros(this.size * ctx.maxBatch);
  }

  forward(x: Tensor, y: Tensor, pass: Pass): void {
    const length = this.size * pass.n;
    if (pass.training) this.backend.dropoutForward(x, y, this.mask, length, this.spec.p, layerSeed(pass.seed, this.index));
    else this.backend.copy(x, y, length);
  }

  backward(_x: Tensor, _y: Tensor, dy: Tensor, dx: Tensor | null, pass: Pass): void {
    if (!dx) return;
    const length = this.size * pass.n;
    if (pass.training) this.backend.dropoutBackward(dy, this.mask, dx, length);
    else this.backend.copy(dy, dx, length);
  }

  jvp(_x: Tensor, dx: Tensor | null, _y: Tensor, dy: Tensor, pass: Pass, _tangent: ParamTangent): void {
    // The mask of the last training forward pass is a diagonal Jacobian, like backward's.
    const length = this.size * pass.n;
    if (!dx) this.backend.fill(dy, 0, length);
    else if (pass.training) this.backend.dropoutBackward(dx, this.mask, dy, length);
    else this.backend.copy(dx, dy, length);
  }
}
