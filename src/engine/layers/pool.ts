// Max and average pooling. Max pooling keeps the argmax selection (simpleNN's P_pool) of the last
// forward pass for the backward pass.

import { outputSize, type Backend, type PoolGeometry, type Tensor } from '../backend';
import type { PoolLayer } from '../../lang/spec';
import { LayerError, type Layer, type Pass } from './layer';

export class Pool2d implements Layer {
  readonly outputShape: readonly [number, number, number];
  readonly params = [];
  readonly buffers = [];
  private readonly base: Omit<PoolGeometry, 'n'>;
  private readonly argmax: Tensor | null;

  constructor(private readonly backend: Backend, readonly index: number, readonly spec: PoolLayer,
    readonly inputShape: readonly number[], maxBatch: number) {
    if (inputShape.length !== 3) throw new LayerError(spec, index, `needs a C×H×W feature map, got a vector of ${inputShape[0]}`);
    const [c, h, w] = inputShape;
    const [kh, kw] = spec.window, [sh, sw] = spec.stride;
    const oh = outputSize(h, kh, sh, 0), ow = outputSize(w, kw, sw, 0);
    if (oh < 1 || ow < 1) throw new LayerError(spec, index, `a ${kh}×${kw} window does not fit the ${h}×${w} input`);
    this.base = { c, h, w, kh, kw, sh, sw, oh, ow };
    this.outputShape = [c, oh, ow];
    this.argmax = spec.kind === 'maxpool' ? backend.indices(c * oh * ow * maxBatch) : null;
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
}
