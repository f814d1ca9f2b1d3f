// Gauss-Newton products of a network at its last forwarded batch (simpleNN's Newton method):
//   G·v = Jᵀ B J v, with J = ∂(network output)/∂(parameters) and B the loss's Hessian in that output,
// computed as a Jacobian-vector product (each layer's jvp, input to output), B applied to the
// output tangent, and the ordinary vector-Jacobian (backward) pass seeded with the result — J itself
// is never formed. Everything stays on the backend: no readback inside a product.
//
// "Network output" is the tensor the loss reads: the logits for cross-entropy (a final softmax is
// fused into the loss, or applied by it), the last layer's output for mse.
//
// Scaling follows ConvLab's losses, which average over the n examples of the batch:
//   mse            ξ = (1/n) Σ_i ‖z_i − y_i‖²              B_i = 2I / n
//   cross-entropy  ξ = (1/n) Σ_i −log softmax(z_i)[y_i]    B_i = (diag(p_i) − p_i p_iᵀ) / n
// so G = Σ_i J_iᵀ B_i J_i is the Gauss-Newton matrix of the batch's average loss, the same average
// the gradient of Network.backward is of — simpleNN's G_S/|S| when the batch is the subsample S.
// A subsample spread over several batches of n_k examples sums their products with scale n_k/|S|.

import type { Backend, Tensor } from '../backend';
import { elements } from '../../lang/shapes';
import type { Network } from '../network';
import type { Param, Pass } from '../layers/layer';

/** A direction in parameter space: one tensor per `network.parameters` entry, in that order, each of its length. */
export type ParamVector = readonly Tensor[];

export interface ProductOptions {
  /** Multiplies the product (default 1), e.g. n_k/|S| for one batch of a larger subsample. */
  readonly scale?: number;
  /** Adds into `out` instead of overwriting it (default false). */
  readonly accumulate?: boolean;
}

/**
 * Gauss-Newton and Jacobian-vector products for one network on one backend. Every call concerns the
 * batch of the network's last forward pass (same `pass`), which must have run in evaluation mode if
 * the model has batch norm (its running statistics make the layer affine). Products overwrite every
 * parameter's `grad` tensor (they reuse the backward pass); keep the loss gradient elsewhere.
 */
export class GaussNewton {
  private readonly layers: Network['layers'];
  private readonly params: readonly Param[];
  /** Layers the forward pass ran (a fused softmax is the loss's). */
  private readonly end: number;
  private readonly classes: number;
  /** Ping-pong tangents of the layer outputs (forward) and cotangents (backward), sized for the largest. */
  private readonly tangents: readonly [Tensor, Tensor];
  private readonly cotangents: readonly [Tensor, Tensor];
  /** B·Jv, the seed of the backward pass; and softmax probabilities for cross-entropy's B. */
  private readonly seed: Tensor;
  private readonly probs: Tensor;

  constructor(private readonly backend: Backend, private readonly network: Network) {
    this.layers = network.layers;
    this.params = network.parameters;
    this.end = network.fusedSoftmax ? network.layers.length - 1 : network.layers.length;
    this.classes = network.classes;
    if (this.end === 0) throw new RangeError('Gauss-Newton: the model has no layers before its loss');
    const largest = Math.max(...this.layers.slice(0, this.end).map((l) => elements(l.outputShape))) * network.maxBatch;
    this.tangents = [backend.zeros(largest), backend.zeros(largest)];
    this.cotangents = [backend.zeros(largest), backend.zeros(largest)];
    this.seed = backend.zeros(this.classes * network.maxBatch);
    this.probs = backend.zeros(this.classes * network.maxBatch);
  }

  /** Zero tensors shaped like the parameters (a ParamVector to fill); the caller disposes them. */
  zeros(): Tensor[] {
    return this.params.map((p) => this.backend.zeros(p.length));
  }

  /**
   * J·v for the last forwarded batch: the tangent of the network output (classes × n, the loss's
   * input). The returned tensor is this object's and is overwritten by the next jvp or product.
   */
  jvp(v: ParamVector, pass: Pass): Tensor {
    this.checkPass(pass);
    const tangent = this.tangentOf(v, 'v');
    let dx: Tensor | null = null;
    for (let i = 0; i < this.end; i++) {
      const dy = this.tangents[i % 2];
      this.layers[i].jvp(this.activation(i), dx, this.activation(i + 1), dy, pass, tangent);
      dx = dy;
    }
    return dx!;
  }

  /** out (classes × n) = B·u, the loss's Hessian in the network output (scaled as at the top) times u. */
  curvature(u: Tensor, out: Tensor, pass: Pass): void {
    this.checkPass(pass);
    const n = pass.n, length = this.classes * n;
    if (this.network.loss.kind === 'mse') {
      this.backend.copy(u, out, length);
      this.backend.scale(out, 2 / n, length);
    } else {
      // diag(p) − p·pᵀ is softmax's Jacobian, which softmaxBackward applies (it is symmetric).
      this.backend.softmaxForward(this.activation(this.end), this.probs, this.classes, n);
      this.backend.softmaxBackward(this.probs, u, out, this.classes, n);
      this.backend.scale(out, 1 / n, length);
    }
  }

  /**
   * out = scale·G·v (+ out when accumulating), G = Σ_i J_iᵀ B_i J_i over the last forwarded batch.
   * Overwrites every parameter's grad.
   */
  product(v: ParamVector, out: ParamVector, pass: Pass, options: ProductOptions = {}): void {
    this.checkVector(out, 'out');
    const jv = this.jvp(v, pass);
    this.curvature(jv, this.seed, pass);
    let dy = this.seed;
    for (let i = this.end - 1; i >= 0; i--) {
      const dx = i === 0 ? null : this.cotangents[i % 2];
      this.layers[i].backward(this.activation(i), this.activation(i + 1), dy, dx, pass);
      if (dx) dy = dx;
    }
    const scale = options.scale ?? 1;
    this.params.forEach((p, k) => {
      if (!options.accumulate) this.backend.fill(out[k], 0, p.length);
      this.backend.axpy(scale, p.grad, out[k], p.length);
    });
  }

  /** Releases this object's scratch tensors (not the network's). */
  dispose(): void {
    for (const t of [...this.tangents, ...this.cotangents, this.seed, this.probs]) this.backend.dispose(t);
  }

  /** act[i]: the network input for i = 0, else the output of layer i − 1. */
  private activation(i: number): Tensor {
    return i === 0 ? this.network.input : this.network.layerOutput(i - 1);
  }

  private tangentOf(v: ParamVector, what: string): (p: Param) => Tensor {
    this.checkVector(v, what);
    const byParam = new Map(this.params.map((p, k) => [p, v[k]]));
    return (p) => {
      const t = byParam.get(p);
      if (!t) throw new Error(`Gauss-Newton: parameter ${p.name} is not one of the network's`);
      return t;
    };
  }

  private checkVector(v: ParamVector, what: string): void {
    if (v.length !== this.params.length) {
      throw new RangeError(`Gauss-Newton: ${what} has ${v.length} tensors, the network has ${this.params.length} parameters`);
    }
    this.params.forEach((p, k) => {
      if (v[k].dtype !== 'f32' || v[k].length < p.length) {
        throw new RangeError(`Gauss-Newton: ${what}[${k}] must be an f32 tensor of at least ${p.length} values for ${p.name}, ` +
          `got ${v[k].dtype} × ${v[k].length}`);
      }
    });
  }

  private checkPass(pass: Pass): void {
    if (!Number.isInteger(pass.n) || pass.n < 1 || pass.n > this.network.maxBatch) {
      throw new RangeError(`Gauss-Newton: batch of ${pass.n} examples: must be 1 … ${this.network.maxBatch}`);
    }
  }
}
