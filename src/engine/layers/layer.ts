// What every layer is to the network: a pure function of (input, output, output gradient) on top of
// the Backend interface, plus the tensors it owns. Keeping forward and backward as clean functions of
// their operands is what lets each layer also give a Jacobian-vector product (jvp; simpleNN's
// Gauss-Newton products in engine/newton/gauss-newton.ts chain them) without touching the network. The layer kinds themselves live in src/layers.

import type { FusedActivation, Tensor } from '../backend';
import type { LayerSpec, Shape } from '../../lang/spec';
import type { ParamInit } from '../../layers/index';
import type { PackedParam } from './param-arena';
import type { BackwardGate } from './fused-ops';

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
  /** Set when value and grad are views of the network's parameter arena (param-arena.ts). */
  readonly packed?: PackedParam;
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
   * Optional (layers ending in a product: conv, dense): forward(), and activation.out = act(y) in the
   * same kernel where the backend can, so the activation layer after it runs no forward of its own.
   */
  forwardActivated?(x: Tensor, y: Tensor, pass: Pass, activation: FusedActivation): void;
  /**
   * Given dy = ∂ξ/∂y (and x, y from the forward pass of the same batch), writes every param's
   * gradient and, unless dx is null (first layer), dx = ∂ξ/∂x.
   */
  backward(x: Tensor, y: Tensor, dy: Tensor, dx: Tensor | null, pass: Pass): void;
  /**
   * Optional (dense): backward() for a layer whose input x is the output of an activation, writing
   * that activation's input gradient instead: dx = ∂ξ/∂x ⊙ f'(x), in the same kernel where the
   * backend can, so the activation layer runs no backward of its own. `gate.scratch` may receive ∂ξ/∂x.
   */
  backwardGated?(x: Tensor, y: Tensor, dy: Tensor, dx: Tensor, pass: Pass, gate: BackwardGate): void;
  /**
   * Jacobian-vector product (forward-mode derivative, simpleNN's R-op) at the x, y of the last
   * forward pass of the same batch: overwrites dy = ∂y/∂x·dx + Σ_p ∂y/∂p·tangent(p), where
   * tangent(p) is the direction of param p (shaped like its value). A null dx is a zero input
   * tangent (the first layer). Batch norm supports evaluation-mode passes only.
   */
  jvp(x: Tensor, dx: Tensor | null, y: Tensor, dy: Tensor, pass: Pass, tangent: ParamTangent): void;
}

/** The parameter direction of a Jacobian-vector product: one tensor shaped like each param's value. */
export type ParamTangent = (param: Param) => Tensor;

/** A bad model or call, with the layer it concerns, so messages can point at the source line. */
export class LayerError extends Error {
  constructor(readonly layer: LayerSpec | null, readonly index: number | null, message: string) {
    super(index === null || layer === null ? message : `layer ${index} (${layer.kind}, line ${layer.line + 1}): ${message}`);
    this.name = 'LayerError';
  }
}

