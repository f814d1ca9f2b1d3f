// globalavgpool: the mean of each channel's H×W map, so C×H×W becomes a vector of C (Keras's
// GlobalAveragePooling2D; PyTorch's AdaptiveAvgPool2d(1) then flatten). It needs no kernels of its
// own: an average pool whose window is the whole map writes exactly the C × N vector layout.

import { F32, unknownShape } from '../lang/shapes';
import type { PoolGeometry, Tensor } from '../engine/backend';
import type { Pass } from '../engine/layers/layer';
import type { BuildContext, LayerBase, LayerDefinition } from './definition';
import { EngineLayer, type ParamTangent } from './engine-layer';
import { flattenNode } from '../export/onnx/layer-export';

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
  // GlobalAveragePool keeps N×C×1×1; ConvLab's output is the vector of C.
  onnx: (_layer, ctx) => {
    const pooled = ctx.value('pooled');
    return [{ op: 'GlobalAveragePool', inputs: [ctx.input], output: pooled }, flattenNode(pooled, ctx.output)];
  },
  create: (ctx, layer) => new GlobalAvgPool(ctx, layer),
  // ConvLab's output is a vector of C, so the 1×1 maps are flattened too.
  torch: () => ({ module: 'nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())', tensors: [] }),
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

  jvp(_x: Tensor, dx: Tensor | null, _y: Tensor, dy: Tensor, pass: Pass, _tangent: ParamTangent): void {
    if (dx) this.backend.avgPoolForward({ ...this.base, n: pass.n }, dx, dy);  // linear
    else this.backend.fill(dy, 0, this.base.c * pass.n);
  }
}
