// Exact shape inference for one layer: output shape, parameters, forward FLOPs, activation memory,
// im2col replication, and the arithmetic behind them. Pure: a layer spec and an input shape in,
// numbers and (at most one) shape problem out; turning problems into diagnostics happens elsewhere.
//
// What is counted (per example, forward pass):
//   conv      2·M·C·kh·kw·OH·OW multiply-adds ×2, plus M·OH·OW bias additions
//   dense     2·in·out, plus out bias additions
//   pooling   one comparison (max) or addition (avg) per window element: C·OH·OW·kh·kw
//   relu, sigmoid, tanh, dropout   one operation per element
//   batchnorm two per element (scale and shift; mean and variance come from the batch statistics)
//   softmax   three per element (exponential, sum, division)
//   flatten   nothing, and it stores nothing: it is a view of its input

import { equalsValue, formatNumber } from './format';
import type { LayerSpec, Shape } from './spec';

/** The output-size arithmetic along one axis, as the diagnostics and hovers show it. */
export interface AxisArithmetic {
  readonly axis: 'height' | 'width';
  /** Input size along the axis (before padding). */
  readonly size: number;
  /** Zero padding on each side; pooling has none and shows no pad term. */
  readonly pad: number;
  readonly padded: boolean;
  readonly window: number;
  readonly stride: number;
  /** (size + 2·pad − window)/stride + 1 before rounding down. */
  readonly exact: number;
  /** What the layer produces: floor(exact), as PyTorch does. */
  readonly output: number;
  /** Rows or columns at the end of the padded input that no window reaches. */
  readonly dropped: number;
}

export type ShapeProblem =
  /** conv, pooling and batchnorm need C×H×W but got a vector. */
  | { readonly kind: 'needs-feature-map' }
  /** dense got C×H×W; its output is still known (as if flattened), but the model is wrong. */
  | { readonly kind: 'needs-vector' }
  /** The window does not fit in the (padded) input along some axis: output size ≤ 0. `axes` has both. */
  | { readonly kind: 'window-too-large'; readonly axes: readonly AxisArithmetic[] }
  /** Output size is fractional along some axis, so its last rows/columns are dropped (a warning). */
  | { readonly kind: 'not-integral'; readonly axes: readonly AxisArithmetic[] }
  /** flatten of a vector does nothing. */
  | { readonly kind: 'redundant-flatten' };

export interface LayerShape {
  /** Null when the output cannot be known (a shape error). */
  readonly output: Shape | null;
  readonly params: number;
  readonly flops: number;
  readonly activationBytes: number;
  readonly im2colReplication?: number;
  readonly formula?: string;
  /** Conv and pooling: the size arithmetic along height and width. */
  readonly axes?: readonly AxisArithmetic[];
  readonly problem?: ShapeProblem;
}

const F32 = 4;

export function elements(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function axisArithmetic(axis: 'height' | 'width', size: number, pad: number, window: number, stride: number, padded: boolean): AxisArithmetic {
  const span = size + 2 * pad - window;
  const exact = span / stride + 1;
  return { axis, size, pad, padded, window, stride, exact, output: Math.floor(exact), dropped: span >= 0 ? span % stride : 0 };
}

/** `(14 + 2·0 − 5)/2 + 1 = 5.5` (conv) or `(13 − 2)/2 + 1 = 6.5` (pooling). */
export function arithmeticText(a: AxisArithmetic): string {
  const inner = a.padded ? `${a.size} + 2·${a.pad} − ${a.window}` : `${a.size} − ${a.window}`;
  return `(${inner})/${a.stride} + 1 ${equalsValue(a.exact)}`;
}

/** One formula when both axes read the same, else both named. */
function axesFormula(axes: readonly AxisArithmetic[]): string {
  const [h, w] = axes.map(arithmeticText);
  return h === w ? h : `height ${h}; width ${w}`;
}

export function inferLayer(layer: LayerSpec, input: Shape): LayerShape {
  const size = elements(input);
  const isMap = input.length === 3;
  switch (layer.kind) {
    case 'conv': {
      if (!isMap) return unknown({ kind: 'needs-feature-map' });
      const [c, h, w] = input;
      const params = layer.filters * c * layer.kernel[0] * layer.kernel[1] + (layer.bias ? layer.filters : 0);
      const axes = [
        axisArithmetic('height', h, layer.pad[0], layer.kernel[0], layer.stride[0], true),
        axisArithmetic('width', w, layer.pad[1], layer.kernel[1], layer.stride[1], true),
      ];
      const formula = axesFormula(axes);
      if (axes.some((a) => a.output < 1)) return { ...unknown({ kind: 'window-too-large', axes }), params, axes, formula };
      const [oh, ow] = axes.map((a) => a.output);
      const positions = oh * ow;
      const macs = layer.filters * c * layer.kernel[0] * layer.kernel[1] * positions;
      const paddedSize = (h + 2 * layer.pad[0]) * (w + 2 * layer.pad[1]);
      return withProblem({
        output: [layer.filters, oh, ow],
        params,
        flops: 2 * macs + (layer.bias ? layer.filters * positions : 0),
        activationBytes: F32 * layer.filters * positions,
        im2colReplication: (layer.kernel[0] * layer.kernel[1] * positions) / paddedSize,
        formula,
        axes,
      });
    }
    case 'maxpool':
    case 'avgpool': {
      if (!isMap) return unknown({ kind: 'needs-feature-map' });
      const [c, h, w] = input;
      const axes = [
        axisArithmetic('height', h, 0, layer.window[0], layer.stride[0], false),
        axisArithmetic('width', w, 0, layer.window[1], layer.stride[1], false),
      ];
      const formula = axesFormula(axes);
      if (axes.some((a) => a.output < 1)) return { ...unknown({ kind: 'window-too-large', axes }), axes, formula };
      const [oh, ow] = axes.map((a) => a.output);
      return withProblem({
        output: [c, oh, ow],
        params: 0,
        flops: c * oh * ow * layer.window[0] * layer.window[1],
        activationBytes: F32 * c * oh * ow,
        formula,
        axes,
      });
    }
    case 'batchnorm':
      if (!isMap) return unknown({ kind: 'needs-feature-map' });
      return { output: input, params: 2 * input[0], flops: 2 * size, activationBytes: F32 * size, formula: `scale and shift for each of ${input[0]} channels` };
    case 'dense': {
      const params = size * layer.units + (layer.bias ? layer.units : 0);
      return {
        output: [layer.units],
        params,
        flops: 2 * size * layer.units + (layer.bias ? layer.units : 0),
        activationBytes: F32 * layer.units,
        formula: `${formatNumber(size)} → ${layer.units}: ${size}·${layer.units}${layer.bias ? ` + ${layer.units}` : ''} = ${params} parameters`,
        ...(isMap && { problem: { kind: 'needs-vector' } as const }),
      };
    }
    case 'flatten':
      if (!isMap) return { output: input, params: 0, flops: 0, activationBytes: 0, problem: { kind: 'redundant-flatten' } };
      return { output: [size], params: 0, flops: 0, activationBytes: 0, formula: `${input.join('·')} = ${size}` };
    case 'relu':
    case 'sigmoid':
    case 'tanh':
    case 'dropout':
      return { output: input, params: 0, flops: size, activationBytes: F32 * size };
    case 'softmax':
      return { output: input, params: 0, flops: 3 * size, activationBytes: F32 * size };
  }
}

function unknown(problem: ShapeProblem): LayerShape {
  return { output: null, params: 0, flops: 0, activationBytes: 0, problem };
}

function withProblem(shape: LayerShape & { axes: readonly AxisArithmetic[] }): LayerShape {
  return shape.axes.some((a) => a.dropped > 0) ? { ...shape, problem: { kind: 'not-integral', axes: shape.axes } } : shape;
}
