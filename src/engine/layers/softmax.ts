// Standalone softmax over the class vector. With cross-entropy the network fuses it into the loss
// instead (softmaxCrossEntropy), so this runs only before MSE or in the middle of a model.

import type { Backend, Tensor } from '../backend';
import type { SoftmaxLayer } from '../../lang/spec';
import { LayerError, type Layer, type Pass } from './layer';

export class Softmax implements Layer {
  readonly params = [];
  readonly buffers = [];
  readonly outputShape: readonly number[];

  constructor(private readonly backend: Backend, readonly index: number, readonly spec: SoftmaxLayer,
    readonly inputShape: readonly number[]) {
    if (inputShape.length === 3 && inputShape[1] * inputShape[2] !== 1) {
      throw new LayerError(spec, index, `needs a vector, got a ${inputShape.join('×')} feature map; add \`flatten\` first`);
    }
    this.outputShape = inputShape;
  }

  forward(x: Tensor, y: Tensor, pass: Pass): void {
    this.backend.softmaxForward(x, y, this.inputShape[0], pass.n);
  }

  backward(_x: Tensor, y: Tensor, dy: Tensor, dx: Tensor | null, pass: Pass): void {
    if (dx) this.backend.softmaxBackward(y, dy, dx, this.inputShape[0], pass.n);
  }
}
