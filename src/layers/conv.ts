// conv: S = W · φ(pad(Z)) + b (simpleNN's formulation), weights M × (C·kh·kw).

import { formatShape } from '../lang/format';
import { axesFormula, F32, flagDropped, slidingAxes, unknownShape } from '../lang/shapes';
import type { Diagnostic } from '../lang/spec';
import { insert, replace, where } from '../lang/text';
import type { ConvGeometry, FusedActivation, Tensor } from '../engine/backend';
import { convForwardActivated } from '../engine/layers/fused-ops';
import type { Param, Pass } from '../engine/layers/layer';
import type { BuildContext, LayerArguments, LayerBase, LayerDefinition } from './definition';
import { EngineLayer, type ParamTangent } from './engine-layer';
import { ints } from '../export/onnx/layer-export';
import { biasParam, MAX_UNITS, MAX_WINDOW, sizeParam } from './params';
import { pySize } from '../export/pytorch/python';

export interface ConvLayer extends LayerBase {
  readonly kind: 'conv';
  readonly filters: number;
  readonly kernel: readonly [number, number]; // [kh, kw]
  readonly stride: readonly [number, number]; // [sh, sw]
  readonly pad: readonly [number, number];    // [ph, pw], symmetric; `pad=same` resolved to (k-1)/2
  readonly bias: boolean;
}

export const conv: LayerDefinition<ConvLayer> = {
  statement: {
    keyword: 'conv',
    category: 'layer',
    doc: 'Convolution: learned filters, as many as `filters` and each `kernel` high and wide, slide over the input with the given `stride` and zero `pad`.',
    snippet: 'conv ${1:8} kernel=${2:3}',
    aliases: ['conv2d', 'convolution', 'convolve'],
    params: [
      { name: 'filters', doc: 'Number of filters (output channels).', kind: 'integer', bounds: { min: 1, max: MAX_UNITS }, positional: true, required: true, snippet: 'filters=${1:8}', aliases: ['out_channels', 'channels', 'features'] },
      sizeParam('kernel', 'Kernel size `K` or `KxK` (height × width).', { default: '3', aliases: ['kernel_size', 'size', 'k', 'ksize', 'window'], snippet: 'kernel=${1:3}' }),
      sizeParam('stride', 'Step of the kernel, `S` or `SxS`.', { default: '1', aliases: ['strides', 'step'], snippet: 'stride=${1:1}' }),
      {
        name: 'pad', doc: 'Zeros added on each side, `P`, `PxP`, or `same` = (K−1)/2 (odd kernels only).', kind: 'padding',
        default: '0', bounds: { min: 0, max: MAX_WINDOW }, snippet: 'pad=${1|same,0,1,2|}', aliases: ['padding', 'pads', 'p'],
      },
      biasParam,
    ],
  },
  role: 'weighted',
  plotsFeatureMaps: true,

  read(args, { line, range }) {
    const kernel = args.pair('kernel', [3, 3]);
    let pad = args.pair('pad', [0, 0]);
    let broken = false;
    if (args.isSame('pad')) {
      pad = [Math.floor((kernel[0] - 1) / 2), Math.floor((kernel[1] - 1) / 2)];
      if (kernel[0] % 2 === 0 || kernel[1] % 2 === 0) {
        broken = true;
        args.report(sameNeedsOddKernel(args, kernel));
      }
    }
    return {
      broken,
      layer: { line, range, kind: 'conv', filters: args.number('filters', 1), kernel, stride: args.pair('stride', [1, 1]), pad, bias: args.boolean('bias', true) },
    };
  },

  infer(layer, input) {
    if (input.length !== 3) return unknownShape({ kind: 'needs-feature-map' });
    const [c, h, w] = input;
    const params = layer.filters * c * layer.kernel[0] * layer.kernel[1] + (layer.bias ? layer.filters : 0);
    const axes = slidingAxes(h, w, layer.kernel, layer.stride, layer.pad);
    const formula = axesFormula(axes);
    if (axes.some((a) => a.output < 1)) return { ...unknownShape({ kind: 'window-too-large', axes }), params, axes, formula };
    const [oh, ow] = axes.map((a) => a.output);
    const positions = oh * ow;
    const macs = layer.filters * c * layer.kernel[0] * layer.kernel[1] * positions;
    const paddedSize = (h + 2 * layer.pad[0]) * (w + 2 * layer.pad[1]);
    return flagDropped({
      output: [layer.filters, oh, ow],
      params,
      flops: 2 * macs + (layer.bias ? layer.filters * positions : 0),
      activationBytes: F32 * layer.filters * positions,
      im2colReplication: (layer.kernel[0] * layer.kernel[1] * positions) / paddedSize,
      formula,
      axes,
    });
  },

  describe(layer) {
    const stride = layer.stride[0] === 1 && layer.stride[1] === 1 ? '' : ` stride ${formatShape(layer.stride)}`;
    const pad = layer.pad[0] === 0 && layer.pad[1] === 0 ? '' : ` pad ${formatShape(layer.pad)}`;
    return `${layer.filters} × ${formatShape(layer.kernel)}${stride}${pad}${layer.bias ? '' : ' no bias'}`;
  },

  paramBreakdown(layer, input) {
    if (input.length !== 3) return '';
    return ` (${layer.filters}·${input[0]}·${layer.kernel[0]}·${layer.kernel[1]}${layer.bias ? ` + ${layer.filters}` : ''})`;
  },

  hoverNotes(layer, figures) {
    if (figures.im2colReplication === undefined) return [];
    return [`im2col replication: ${figures.im2colReplication.toFixed(1)}× (each input value appears in up to ${layer.kernel[0] * layer.kernel[1]} columns)`];
  },

  // ONNX's Conv has ConvLab's weight layout [M, C, kh, kw]; pads are [top, left, bottom, right].
  onnx: (layer, ctx) => [{
    op: 'Conv',
    inputs: [ctx.input, ctx.weight('weight', [layer.filters, ctx.inputShape[0], ...layer.kernel]),
      ...(layer.bias ? [ctx.weight('bias', [layer.filters])] : [])],
    output: ctx.output,
    attributes: { kernel_shape: ints(layer.kernel), strides: ints(layer.stride), pads: ints([...layer.pad, ...layer.pad]) },
  }],
  create: (ctx, layer) => new Conv2d(ctx, layer),
  torch: (layer, { inputShape }) => {
    const c = inputShape[0];
    const options = [`kernel_size=${pySize(layer.kernel)}`,
      ...(layer.stride[0] === 1 && layer.stride[1] === 1 ? [] : [`stride=${pySize(layer.stride)}`]),
      ...(layer.pad[0] === 0 && layer.pad[1] === 0 ? [] : [`padding=${pySize(layer.pad)}`]),
      ...(layer.bias ? [] : ['bias=False'])];
    return {
      module: `nn.Conv2d(${c}, ${layer.filters}, ${options.join(', ')})`,
      tensors: [{ suffix: 'weight', attribute: 'weight', shape: [layer.filters, c, ...layer.kernel], init: 'fan' },
        ...(layer.bias ? [{ suffix: 'bias', attribute: 'bias', shape: [layer.filters], init: 'zeros' } as const] : [])],
    };
  },
};

function sameNeedsOddKernel(args: LayerArguments, kernel: readonly [number, number]): Diagnostic {
  const pad = args.written.get('pad')!.value;
  const kernelArg = args.written.get('kernel');
  const [kh, kw] = kernel;
  const odd: [number, number] = [kh % 2 === 0 ? kh + 1 : kh, kw % 2 === 0 ? kw + 1 : kw];
  const oddText = odd[0] === odd[1] ? `${odd[0]}` : `${odd[0]}x${odd[1]}`;
  return {
    range: pad.range, severity: 'error', code: 'same-padding-even-kernel',
    message: `${where(args.statement)}: pad=same needs an odd kernel, so that (K − 1)/2 pads both sides equally; kernel ${formatShape(kernel)} is even`,
    fixes: [{
      title: `Use kernel=${oddText}`,
      edits: [kernelArg ? replace(kernelArg.value.range, oddText) : insert(args.statement.range.end, ` kernel=${oddText}`)],
    }],
  };
}

class Conv2d extends EngineLayer<ConvLayer> {
  readonly outputShape: readonly [number, number, number];
  readonly weight: Param;
  readonly bias: Param | null;
  private readonly base: Omit<ConvGeometry, 'n'>;

  constructor(ctx: BuildContext, spec: ConvLayer) {
    super(ctx, spec);
    if (ctx.inputShape.length !== 3) throw ctx.error(`needs a C×H×W feature map, got a vector of ${ctx.inputShape[0]}`);
    const [c, h, w] = ctx.inputShape;
    const [kh, kw] = spec.kernel, [sh, sw] = spec.stride, [ph, pw] = spec.pad;
    const [oh, ow] = slidingAxes(h, w, spec.kernel, spec.stride, spec.pad).map((a) => a.output);
    if (oh < 1 || ow < 1) throw ctx.error(`a ${kh}×${kw} kernel does not fit the ${h}×${w} input with padding ${ph}×${pw}`);
    this.base = { c, h, w, m: spec.filters, kh, kw, sh, sw, ph, pw, oh, ow };
    this.outputShape = [spec.filters, oh, ow];
    this.weight = ctx.param('weight', [spec.filters, c, kh, kw], 'fan');
    this.bias = spec.bias ? ctx.param('bias', [spec.filters], 'zeros') : null;
    this.params = this.bias ? [this.weight, this.bias] : [this.weight];
  }

  private geometry(n: number): ConvGeometry { return { ...this.base, n }; }

  forward(x: Tensor, y: Tensor, pass: Pass): void {
    this.backend.convForward(this.geometry(pass.n), x, this.weight.value, this.bias?.value ?? null, y);
  }

  forwardActivated(x: Tensor, y: Tensor, pass: Pass, activation: FusedActivation): void {
    convForwardActivated(this.backend, this.geometry(pass.n), x, this.weight.value, this.bias?.value ?? null, y, activation);
  }

  backward(x: Tensor, _y: Tensor, dy: Tensor, dx: Tensor | null, pass: Pass): void {
    const g = this.geometry(pass.n);
    this.backend.convBackwardFilter(g, x, dy, this.weight.grad, this.bias?.grad ?? null);
    if (dx) this.backend.convBackwardData(g, dy, this.weight.value, dx);
  }

  private inputTerm: Tensor | null = null;

  jvp(x: Tensor, dx: Tensor | null, _y: Tensor, dy: Tensor, pass: Pass, tangent: ParamTangent): void {
    // conv is bilinear in (x, W): d(W·φ(x) + b) = dW·φ(x) + db + W·φ(dx).
    const g = this.geometry(pass.n);
    this.backend.convForward(g, x, tangent(this.weight), this.bias ? tangent(this.bias) : null, dy);
    if (!dx) return;
    this.inputTerm ??= this.backend.zeros(g.m * g.oh * g.ow * this.maxBatch);
    this.backend.convForward(g, dx, this.weight.value, null, this.inputTerm);
    this.backend.axpy(1, this.inputTerm, dy, g.m * g.oh * g.ow * pass.n);
  }
}
