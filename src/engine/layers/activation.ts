// relu, sigmoid, tanh: elementwise; the backward pass uses the forward output.

import type { Backend, Tensor } from '../backend';
import type { ActivationLayer } from '../../lang/spec';
import { shapeSize, type Layer, type Pass } from './layer';

export class ActivationFn implements Layer {
  readonly params = [];
  readonly buffers = [];
  readonly outputShape: readonly number[];
  private readonly size: number;

  constructor(private readonly backend: Backend, readonly index: number, readonly spec: ActivationLayer,
    readonly inputShape: readonly number[]) {
    this.outputShape = inputShape;
    this.size = shapeSize(inputShape);
  }

  forward(x: Tensor, y: Tensor, pass: Pass): void {
    this.backend.activationForward(this.spec.kind, x, y, this.size * pass.n);
  }

  backward(_x: Tensor, y: Tensor, dy: Tensor, dx: Tensor | null, pass: Pass): void {
    if (dx) this.backend.activationBackward(this.spec.kind, y, dy, dx, this.size * pass.n);
  }
}
