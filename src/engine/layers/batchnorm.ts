// Batch normalisation per channel of feature maps (a row of the d × (N·H·W) matrix) or per feature of
// vectors. Training uses batch statistics and updates the running ones; evaluation uses the running
// ones. gamma/beta are named weight/bias and the running statistics running_mean/running_var.

import type { Backend, BatchNormTensors, Tensor } from '../backend';
import type { BatchNormLayer } from '../../lang/spec';
import { LayerError, makeParam, rowsAndSpatial, type StateBuffer, type Layer, type Param, type Pass } from './layer';

export class BatchNorm implements Layer {
  readonly params: readonly Param[];
  readonly buffers: readonly StateBuffer[];
  readonly outputShape: readonly number[];
  readonly gamma: Param;
  readonly beta: Param;
  private readonly tensors: BatchNormTensors;
  private readonly rows: number;
  private readonly spatial: number;
  /** Input gradient when batch norm is the first layer (the backend always writes one). */
  private discardedDx: Tensor | null = null;

  constructor(private readonly backend: Backend, readonly index: number, readonly spec: BatchNormLayer,
    readonly inputShape: readonly number[], private readonly maxBatch: number) {
    if (!(spec.epsilon > 0)) throw new LayerError(spec, index, `epsilon must be > 0, got ${spec.epsilon}`);
    if (!(spec.momentum >= 0 && spec.momentum <= 1)) throw new LayerError(spec, index, `momentum must be in [0, 1], got ${spec.momentum}`);
    this.outputShape = inputShape;
    ({ rows: this.rows, spatial: this.spatial } = rowsAndSpatial(inputShape));
    this.gamma = makeParam(backend, index, 'weight', [this.rows]);
    this.beta = makeParam(backend, index, 'bias', [this.rows]);
    this.params = [this.gamma, this.beta];
    const running = (suffix: string, initial: number): StateBuffer =>
      ({ name: `layers.${index}.${suffix}`, length: this.rows, tensor: backend.zeros(this.rows), initial });
    const mean = running('running_mean', 0), variance = running('running_var', 1);
    this.buffers = [mean, variance];
    this.tensors = {
      gamma: this.gamma.value, beta: this.beta.value, runningMean: mean.tensor, runningVar: variance.tensor,
      saveMean: backend.zeros(this.rows), saveInvStd: backend.zeros(this.rows),
    };
  }

  forward(x: Tensor, y: Tensor, pass: Pass): void {
    this.backend.batchNormForward(x, y, this.rows, this.spatial * pass.n, this.tensors, pass.training,
      this.spec.momentum, this.spec.epsilon);
  }

  backward(x: Tensor, _y: Tensor, dy: Tensor, dx: Tensor | null, pass: Pass): void {
    if (!pass.training) throw new LayerError(this.spec, this.index, 'backward needs a training-mode forward pass (batch statistics)');
    dx ??= this.discardedDx ??= this.backend.zeros(this.rows * this.spatial * this.maxBatch);
    this.backend.batchNormBackward(x, dy, dx, this.rows, this.spatial * pass.n, this.tensors, this.gamma.grad, this.beta.grad);
  }
}
