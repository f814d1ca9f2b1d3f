// Convolution layer: S = W · φ(pad(Z)) + b (simpleNN), weights M × (C·kh·kw).

import { outputSize, type Backend, type ConvGeometry, type Tensor } from '../backend';
import type { ConvLayer } from '../../lang/spec';
import { LayerError, makeParam, type Layer, type Param, type Pass } from './layer';

export class Conv2d implements Layer {
  readonly outputShape: readonly [number, number, number];
  readonly params: readonly Param[];
  readonly buffers = [];
  readonly weight: Param;
  readonly bias: Param | null;
  private readonly base: Omit<ConvGeometry, 'n'>;

  constructor(private readonly backend: Backend, readonly index: number, readonly spec: ConvLayer,
    readonly inputShape: readonly number[]) {
    if (inputShape.length !== 3) throw new LayerError(spec, index, `needs a C×H×W feature map, got a vector of ${inputShape[0]}`);
    const [c, h, w] = inputShape;
    const [kh, kw] = spec.kernel, [sh, sw] = spec.stride, [ph, pw] = spec.pad;
    const oh = outputSize(h, kh, sh, ph), ow = outputSize(w, kw, sw, pw);
    if (oh < 1 || ow < 1) throw new LayerError(spec, index, `a ${kh}×${kw} kernel does not fit the ${h}×${w} input with padding ${ph}×${pw}`);
    this.base = { c, h, w, m: spec.filters, kh, kw, sh, sw, ph, pw, oh, ow };
    this.outputShape = [spec.filters, oh, ow];
    this.weight = makeParam(backend, index, 'weight', [spec.filters, c, kh, kw]);
    this.bias = spec.bias ? makeParam(backend, index, 'bias', [spec.filters]) : null;
    this.params = this.bias ? [this.weight, this.bias] : [this.weight];
  }

  geometry(n: number): ConvGeometry { return { ...this.base, n }; }

  forward(x: Tensor, y: Tensor, pass: Pass): void {
    this.backend.convForward(this.geometry(pass.n), x, this.weight.value, this.bias?.value ?? null, y);
  }

  backward(x: Tensor, _y: Tensor, dy: Tensor, dx: Tensor | null, pass: Pass): void {
    const g = this.geometry(pass.n);
    this.backend.convBackwardFilter(g, x, dy, this.weight.grad, this.bias?.grad ?? null);
    if (dx) this.backend.convBackwardData(g, dy, this.weight.value, dx);
  }
}
