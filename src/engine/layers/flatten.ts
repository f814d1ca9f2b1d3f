// Feature maps c × (N·H·W) to vectors (C·H·W) × N, feature index c·H·W + spatial index.

import type { Backend, Tensor } from '../backend';
import type { FlattenLayer } from '../../lang/spec';
import { shapeSize, type Layer, type Pass } from './layer';

export class Flatten implements Layer {
  readonly params = [];
  readonly buffers = [];
  readonly outputShape: readonly number[];

  constructor(private readonly backend: Backend, readonly index: number, readonly spec: FlattenLayer,
    readonly inputShape: readonly number[]) {
    this.outputShape = [shapeSize(inputShape)];
  }

  /** Channels and spatial size; a vector input is F channels of 1×1, for which flatten is a copy. */
  private dims(): { c: number; hw: number } {
    return { c: this.inputShape[0], hw: shapeSize(this.inputShape) / this.inputShape[0] };
  }

  forward(x: Tensor, y: Tensor, pass: Pass): void {
    const { c, hw } = this.dims();
    if (hw === 1) this.backend.copy(x, y, c * pass.n);
    else this.backend.flattenForward(x, y, c, pass.n, hw);
  }

  backward(_x: Tensor, _y: Tensor, dy: Tensor, dx: Tensor | null, pass: Pass): void {
    if (!dx) return;
    const { c, hw } = this.dims();
    if (hw === 1) this.backend.copy(dy, dx, c * pass.n);
    else this.backend.flattenBackward(dy, dx, c, pass.n, hw);
  }
}
