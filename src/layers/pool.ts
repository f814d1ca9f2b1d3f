// maxpool and avgpool over each channel. Max pooling keeps the argmax selection (simpleNN's P_pool)
// of the last forward pass for the backward pass.

import { formatShape } from '../lang/format';
import { axesFormula, F32, flagDropped, slidingAxes, unknownShape } from '../lang/shapes';
import type { PoolGeometry, Tensor } from '../engine/backend';
import type { Pass } from '../engine/layers/layer';
import type { BuildContext, LayerBase, LayerDefinition } from './definition';
import { EngineLayer, type ParamTangent } from './engine-layer';
import { ints } from '../export/onnx/layer-export';
import { sizeParam } from './params';
import { pySize } from '../export/pytorch/python';

export interface PoolLayer extends LayerBase {
  readonly kind: 'maxpool' | 'avgpool';
  readonly window: readonly [number, number];
  readonly stride: readonly [number, number]; // defaults to the window
}

function pool(keyword: PoolLayer['kind'], what: string, aliases: readonly string[]): LayerDefinition<PoolLayer> {
  return {
    statement: {
      keyword,
      category: 'layer',
      doc: `${what} pooling over each channel; the output keeps the channels and shrinks height and width.`,
      snippet: `${keyword} \${1:2}`,
      aliases,
      params: [
        sizeParam('window', 'Pooling window `K` or `KxK` (height × width).', { positional: true, required: true, aliases: ['kernel', 'pool', 'size', 'pool_size', 'kernel_size'], snippet: 'window=${1:2}' }),
        sizeParam('stride', 'Step between windows, `S` or `SxS`; defaults to the window (non-overlapping).', { aliases: ['strides', 'step'], snippet: 'stride=${1:2}' }),
      ],
    },
    role: 'pooling',
    plotsFeatureMaps: true,

    read(args, { line, range }) {
      const window = args.pair('window', [2, 2]);
      return { broken: false, layer: { line, range, kind: keyword, window, stride: args.pair('stride', window) } };
    },

    infer(layer, input) {
      if (input.length !== 3) return unknownShape({ kind: 'needs-feature-map' });
      const [c, h, w] = input;
      const axes = slidingAxes(h, w, layer.window, layer.stride, null);
      const formula = axesFormula(axes);
      if (axes.some((a) => a.output < 1)) return { ...unknownShape({ kind: 'window-too-large', axes }), axes, formula };
      const [oh, ow] = axes.map((a) => a.output);
      return flagDropped({
        output: [c, oh, ow],
        params: 0,
        flops: c * oh * ow * layer.window[0] * layer.window[1],
        activationBytes: F32 * c * oh * ow,
        formula,
        axes,
      });
    },

    describe: (layer) => `${formatShape(layer.window)} stride ${formatShape(layer.stride)}`,
    // Windows at whole strides inside the input: ONNX's defaults (no pads, ceil_mode 0) do the same.
    onnx: (layer, ctx) => [{
      op: keyword === 'maxpool' ? 'MaxPool' : 'AveragePool', inputs: [ctx.input], output: ctx.output,
      attributes: { kernel_shape: ints(layer.window), strides: ints(layer.stride) },
    }],
    create: (ctx, layer) => new Pool2d(ctx, layer),
    // No padding and floor division of the output size, as torch's defaults; stride defaults to the window in both.
    torch: (layer) => {
      const stride = layer.stride[0] === layer.window[0] && layer.stride[1] === layer.window[1] ? '' : `, stride=${pySize(layer.stride)}`;
      return { module: `nn.${keyword === 'maxpool' ? 'MaxPool2d' : 'AvgPool2d'}(${pySize(layer.window)}${stride})`, tensors: [] };
    },
  };
}

export const maxpool = pool('maxpool', 'Max', ['max_pool', 'maxpool2d', 'maxpooling', 'pool']);
export const avgpool = pool('avgpool', 'Average', ['avg_pool', 'avgpool2d', 'averagepool', 'meanpool']);

class Pool2d extends EngineLayer<PoolLayer> {
  readonly outputShape: readonly [number, number, number];
  private readonly base: Omit<PoolGeometry, 'n'>;
  private readonly argmax: Tensor | null;

  constructor(ctx: BuildContext, spec: PoolLayer) {
    super(ctx, spec);
    if (ctx.inputShape.length !== 3) throw ctx.error(`needs a C×H×W feature map, got a vector of ${ctx.inputShape[0]}`);
    const [c, h, w] = ctx.inputShape;
    const [kh, kw] = spec.window, [sh, sw] = spec.stride;
    const [oh, ow] = slidingAxes(h, w, spec.window, spec.stride, null).map((a) => a.output);
    if (oh < 1 || ow < 1) throw ctx.error(`a ${kh}×${kw} window does not fit the ${h}×${w} input`);
    this.base = { c, h, w, kh, kw, sh, sw, oh, ow };
    this.outputShape = [c, oh, ow];
    this.argmax = spec.kind === 'maxpool' ? ctx.backend.indices(c * oh * ow * ctx.maxBatch) : null;
  }

  forward(x: Tensor, y: Tensor, pass: Pass): void {
    const g = { ...this.base, n: pass.n };
    if (this.argmax) this.backend.maxPoolForward(g, x, y, this.argmax);
    else this.backend.avgPoolForward(g, x, y);
  }

  backward(_x: Tensor, _y: Tensor, dy: Tensor, dx: Tensor | null, pass: Pass): void {
    if (!dx) return;
    const g = { ...this.base, n: pass.n };
    if (this.argmax) this.backend.maxPoolBackward(g, dy, this.argmax, dx);
    else this.backend.avgPoolBackward(g, dy, dx);
  }

  jvp(_x: Tensor, dx: Tensor | null, _y: Tensor, dy: Tensor, pass: Pass, _tangent: ParamTangent): void {
    const g = { ...this.base, n: pass.n };
    if (!dx) this.backend.fill(dy, 0, g.c * g.n * g.oh * g.ow);
    else if (this.argmax) this.backend.maxPoolGather(g, dx, this.argmax, dy);
    else this.backend.avgPoolForward(g, dx, dy);  // average pooling is linear
  }
}
