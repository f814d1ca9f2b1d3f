// Shape arithmetic shared by the layer kinds' shape rules (src/layers): the output size along a
// sliding-window axis, how it is written in hovers and messages, and the problems a rule can report.
// Pure: numbers in, numbers and text out; turning problems into diagnostics happens in shape-check.ts.

import { equalsValue } from './format';
import type { LayerFigures, Shape } from './spec';

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
  /** conv and pooling need C×H×W but got a vector. */
  | { readonly kind: 'needs-feature-map' }
  /** dense got C×H×W; its output is still known (as if flattened), but the model is wrong. */
  | { readonly kind: 'needs-vector' }
  /** The window does not fit in the (padded) input along some axis: output size ≤ 0. `axes` has both. */
  | { readonly kind: 'window-too-large'; readonly axes: readonly AxisArithmetic[] }
  /** Output size is fractional along some axis, so its last rows/columns are dropped (a warning). */
  | { readonly kind: 'not-integral'; readonly axes: readonly AxisArithmetic[] }
  /** flatten of a vector does nothing. */
  | { readonly kind: 'redundant-flatten' };

/** A layer's figures (spec.ts) plus what the diagnostics need to explain a shape problem. */
export interface LayerShape extends LayerFigures {
  /** Conv and pooling: the size arithmetic along height and width. */
  readonly axes?: readonly AxisArithmetic[];
  readonly problem?: ShapeProblem;
}

/** Bytes per stored activation value. */
export const F32 = 4;

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

/** Height and width arithmetic of a window sliding over an H×W input. */
export function slidingAxes(h: number, w: number, window: readonly [number, number], stride: readonly [number, number],
  pad: readonly [number, number] | null): AxisArithmetic[] {
  return [
    axisArithmetic('height', h, pad?.[0] ?? 0, window[0], stride[0], pad !== null),
    axisArithmetic('width', w, pad?.[1] ?? 0, window[1], stride[1], pad !== null),
  ];
}

/** One formula when both axes read the same, else both named. */
export function axesFormula(axes: readonly AxisArithmetic[]): string {
  const [h, w] = axes.map(arithmeticText);
  return h === w ? h : `height ${h}; width ${w}`;
}

/** No output: the problem makes it unknowable. */
export function unknownShape(problem: ShapeProblem): LayerShape {
  return { output: null, params: 0, flops: 0, activationBytes: 0, problem };
}

/** Flags a sliding-window shape whose last rows or columns no window reaches. */
export function flagDropped(shape: LayerShape & { axes: readonly AxisArithmetic[] }): LayerShape {
  return shape.axes.some((a) => a.dropped > 0) ? { ...shape, problem: { kind: 'not-integral', axes: shape.axes } } : shape;
}
