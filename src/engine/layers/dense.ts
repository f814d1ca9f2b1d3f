// Fully connected layer on vectors (features × N): y = W·x + b, W out × in.

import type { Backend, Tensor } from '../backend';
import type { DenseLayer } from '../../lang/spec';
import { LayerError, makeParam, shapeSize, type Layer, type Param, type Pass } from './layer';

export class Dense implements Layer {
  readonly outputShape: readonly number[];
  readonly params: readonly Param[];
  readonly buffers = [];
  readonly weight: Param;
  readonly bias: Param | null;
  private readonly inputs: number;

  constructor(private readonly backend: Backend, readonly index: number, readonly spec: DenseLayer,
    readonly inputShape: readonly number[]) {
    // A C×1×1 map has the same d × N layout as a vector of C, so it needs no flatten.
    if (inputShape.length === 3 && inputShape[1] * inputShape[2] !== 1) {
      throw new LayerError(spec, index, `input is a ${inputShape.join('×')} feature map; add \`flatten\` before dense`);
    }
    this.inputs = shapeSize(inputShape);
    this.outputShape = [spec.units];
    this.weight = makeParam(backend, index, 'weight', [spec.units, this.inputs]);
    this.bias = spec.bias ? makeParam(backend, index, 'bias', [spec.units]) : null;
    this.params = this.bias ? [this.weight, this.bias] : [this.weight];
  }

  forward(x: Tensor, y: Tensor, pass: Pass): void {
    const out = this.spec.units;
    this.backend.gemm(this.weight.value, x, y, out, pass.n, this.inputs);
    if (this.bias) this.backend.addBias(y, this.bias.value, out, pass.n);
  }

  backward(x: Tensor, _y: Tensor, dy: Tensor, dx: Tensor | null, pass: Pass): void {
    const out = this.spec.units, n = pass.n;
    this.backend.gemm(dy, x, this.weight.grad, out, this.inputs, n, { transB: true });   // dW = Δ·xᵀ
    if (this.bias) this.backend.biasGrad(dy, this.bias.grad, out, n);
    if (dx) this.backend.gemm(this.weight.value, dy, dx, this.inputs, n, out, { transA: true }); // dx = Wᵀ·Δ
  }
}
