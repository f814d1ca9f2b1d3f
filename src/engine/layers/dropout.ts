// Inverted dropout in training, identity in evaluation. The mask comes from the shared integer hash
// (random.ts), so cpu and webgpu drop the same units for the same step seed.

import type { Backend, Tensor } from '../backend';
import type { DropoutLayer } from '../../lang/spec';
import { layerSeed, LayerError, shapeSize, type Layer, type Pass } from './layer';

export class Dropout implements Layer {
  readonly params = [];
  readonly buffers = [];
  readonly outputShape: readonly number[];
  private readonly size: number;
  private readonly mask: Tensor;

  constructor(private readonly backend: Backend, readonly index: number, readonly spec: DropoutLayer,
    readonly inputShape: readonly number[], maxBatch: number) {
    if (!(spec.p >= 0 && spec.p < 1)) throw new LayerError(spec, index, `p must be in [0, 1), got ${spec.p}`);
    this.outputShape = inputShape;
    this.size = shapeSize(inputShape);
    this.mask = backend.zeros(this.size * maxBatch);
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
}
