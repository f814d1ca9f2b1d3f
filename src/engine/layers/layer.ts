// What every layer is to the network: a pure function of (input, output, output gradient) on top of
// the Backend interface, plus the tensors it owns. Keeping forward and backward as clean functions of
// their operands is what lets a Jacobian-vector product (simpleNN's Gauss-Newton) be added per layer
// later without touching the network. The layer kinds themselves live in src/layers.

import type { Tensor } from '../backend';
import type { LayerSpec, Shape } from '../../lang/spec';
import type { ParamInit } from '../../layers/index';

/** One batch going through the network. */
export interface Pass {
  /** Examples in this batch (≤ the batch size tensors were allocated for). */
  readonly n: number;
  /** Training mode: dropout active, batch norm uses and updates batch statistics. */
  readonly training: boolean;
  /** Seed of this step's dropout masks (each layer mixes in its own index). */
  readonly seed: number;
}

/** A learnable tensor and its gradient, named like `layers.0.weight` (0 = index in spec.layers). */
export interface Param {
  readonly name: string;
  readonly shape: readonly number[];
  readonly length: number;
  readonly value: Tensor;
  readonly grad: Tensor;
  /** How its initial values are drawn (init.ts). */
  readonly init: ParamInit;
}

/** Persistent non-learnable state saved with the weights, e.g. `layers.2.running_mean`. */
export interface StateBuffer {
  readonly name: string;
  readonly length: number;
  readonly tensor: Tensor;
  /** Value it starts from (running variance starts at 1). */
  readonly initial: number;
}

export interface Layer {
  /** Index into ModelSpec.layers. */
  readonly index: number;
  readonly spec: LayerSpec;
  /** Shape of one example in and out: [C, H, W] for feature maps, [F] for vectors. */
  readonly inputShape: Shape;
  readonly outputShape: Shape;
  readonly params: readonly Param[];
  readonly buffers: readonly StateBuffer[];
  /** y = f(x). */
  forward(x: Tensor, y: Tensor, pass: Pass): void;
  /**
   * Given dy = ∂ξ/∂y (and x, y from the forward pass of the same batch), writes every param's
   * gradient and, unless dx is null (first layer), dx = ∂ξ/∂x.
   */
  backward(x: Tensor, y: Tensor, dy: Tensor, dx: Tensor | null, pass: Pass): void;
}

/** A bad model or call, with the layer it concerns, so messages can point at the source line. */
export class LayerError extends Error {
  constructor(readonly layer: LayerSpec | null, readonly index: number | null, message: string) {
    super(index === null || layer === null ? message : `layer ${index} (${layer.kind}, line ${layer.line + 1}): ${message}`);
    this.name = 'LayerError';
  }
}

