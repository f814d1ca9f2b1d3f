// globalavgpool: the mean of each channel's H×W map, so C×H×W becomes a vector of C (Keras's
// GlobalAveragePooling2D; PyTorch's AdaptiveAvgPool2d(1) then flatten). It needs no kernels of its
// own: an average pool whose window is the whole map writes exactly the C × N vector layout.

import { F32, unknownShape } from '../lang/shapes';
import type { PoolGeometry, Tensor } from '../engine/backend';
import type { Pass } from '../engine/layers/layer';
import type { BuildContext, LayerBase, LayerDefinition } from './definition';
import { EngineLayer } from './engine-layer';

export interface GlobalAvgPoolLayer extends LayerBase { readonly kind: 'globalavgpool' }

export const globalavgpool: LayerDefinition<GlobalAvgPoolLayer> = {
  statement: {
    keyword: 'globalavgpool',
    category: 'layer',
    doc: 'Global average pooling: the mean of each channel\'s whole H×W map, giving a vector of C values (no `flatten` needed before `dense`).',
    snippet: 'globalavgpool',
    aliases: ['global_avg_pool', 'globalavgpool2d', 'globalaveragepooling2d', 'adaptiveavgpool2d', 'gap'],
    params: [],
  },
  role: 'pooling',

  read: (_args, { line, range }) => ({ broken: false, layer: { line, range, kind: 'globalavgpool' } }),

  infer(_layer, input) {
    if (input.length !== 3) return unknownShape({ kind: 'needs-feature-map' });
    const [c, h, w] = input;
    return { output: [c], params: 0, flops: c * h * w, activationBytes: F32 * c, formula: `mean of each ${h}×${w} map → ${c} values` };
  },

  describe: () => '',
  create: (ctx, layer) => new GlobalAvgPool(ctx, layer),
};

class GlobalAvgPool extends EngineLayer<GlobalAvgPoolLayer> {
  readonly outputShape: readonly number[];
  private readonly base: Omit<PoolGeometry, 'n'>;

  constructor(ctx: BuildContext, spec: GlobalAvgPoolLayer) {
    super(ctx, spec);
    if (ctx.inputShape.length !== 3) throw ctx.error(`needs a C×H×W feature map, got a vector of ${ctx.inputShape[0]}`);
    const [c, h, w] = ctx.inputShape;
    this.base = { c, h, w, kh: h, kw: w, sh: h, sw: w, oh: 1, ow: 1 };
    this.outputShape = [c];
  }

  forward(x: Tensor, y: Tensor, pass: Pass): void {
    this.backend.avgPoolForward({ ...this.base, n: pass.n }, x, y);
  }

  backward(_x: Tensor, _y: Tensor, dy: Tensor, dx: Tensor | null, pass: Pass): void {
    if (dx) this.backend.avgPoolBackward({ ...this.base, n: pass.n }, dy, dx);
  }
}
