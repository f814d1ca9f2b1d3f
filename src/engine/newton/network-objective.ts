// A network and its training examples as Newton's objective: the average loss and its gradient over
// every training example in mini-batches (simpleNN's fungrad_minibatch), and G_S·v/|S| on the
// iteration's subsample through the Gauss-Newton products of gauss-newton.ts. Every pass runs in
// evaluation mode, so f is one fixed function of the weights (the line search compares its values);
// dropout is then the identity.

import type { Backend, Tensor } from '../backend';
import { METRICS_LENGTH } from '../backend';
import type { Pass } from '../layers/layer';
import type { Network } from '../network';
import { GaussNewton } from './gauss-newton';
import type { NewtonObjective } from './newton-method';
import { NewtonError } from './newton-method';
import type { ParamSpace, ParamVector } from './param-space';
import { gaussNewtonSubsample } from './subsample';

export interface NetworkObjectiveOptions {
  /** Training examples, as indices the loader understands. */
  readonly examples: Int32Array;
  /** GNsize: examples per Gauss-Newton subsample (≤ examples.length). */
  readonly subsampleSize: number;
  /** Seeds the subsamples. */
  readonly seed: number;
  /** Writes these examples into the network's input and labels tensors. */
  readonly load: (indices: Int32Array) => void;
  /** Called between batches so a long pass stays responsive to pause and stop. */
  readonly yieldIfDue?: () => Promise<unknown>;
}

export class NetworkObjective implements NewtonObjective {
  readonly weights: ParamVector;
  private readonly gn: GaussNewton;
  private readonly metrics: Tensor;
  private readonly batch: number;
  private subsample: Int32Array = new Int32Array(0);
  /** The subsample fits one batch and is the network's last forward pass, so products can reuse it. */
  private subsampleResident = false;

  constructor(private readonly backend: Backend, private readonly network: Network, private readonly space: ParamSpace,
    private readonly options: NetworkObjectiveOptions) {
    const bn = network.layers.find((l) => l.spec.kind === 'batchnorm');
    if (bn) {
      throw new NewtonError(`optimizer=newton cannot train batchnorm (layer ${bn.index}, line ${bn.spec.line + 1}): ` +
        'its batch statistics make the objective change from batch to batch; remove it or use sgd/adam');
    }
    if (options.examples.length === 0) throw new NewtonError('Newton\'s method needs at least one training example');
    if (!Number.isInteger(options.subsampleSize) || options.subsampleSize < 1 || options.subsampleSize > options.examples.length) {
      throw new NewtonError(`GNsize must be 1 … ${options.examples.length} (the training examples), got ${options.subsampleSize}`);
    }
    this.weights = network.parameters.map((p) => p.value);
    this.gn = new GaussNewton(backend, network);
    this.metrics = backend.zeros(METRICS_LENGTH);
    this.batch = network.maxBatch;
  }

  async evaluate(grad: ParamVector | null): Promise<{ loss: number; accuracy: number }> {
    const { backend, network, options } = this;
    const examples = options.examples, total = examples.length;
    this.subsampleResident = false;
    backend.fill(this.metrics, 0);
    if (grad) this.space.fill(grad, 0);
    for (let from = 0; from < total; from += this.batch) {
      const indices = examples.subarray(from, Math.min(from + this.batch, total));
      const pass = this.pass(indices.length);
      options.load(indices);
      network.forward(pass);
      network.computeLoss(pass.n, this.metrics, grad !== null);
      if (grad) {
        network.backward(pass);
        // Each batch's gradient is of its own average loss; weighting by n/l makes the average over all.
        network.parameters.forEach((p, i) => backend.axpy(pass.n / total, p.grad, grad[i], p.length));
      }
      backend.flush();
      await options.yieldIfDue?.();
    }
    const [lossSum, correct, count] = await backend.read(this.metrics);
    return { loss: lossSum / count, accuracy: correct / count };
  }

  selectSubsample(iteration: number): void {
    const { examples, subsampleSize, seed } = this.options;
    const positions = gaussNewtonSubsample(examples.length, subsampleSize, seed, iteration);
    this.subsample = Int32Array.from(positions, (i) => examples[i]);
    this.subsampleResident = false;
    if (subsampleSize <= this.batch) {
      this.options.load(this.subsample);
      this.network.forward(this.pass(subsampleSize));
      this.subsampleResident = true;
    }
  }

  curvature(v: ParamVector, out: ParamVector): void {
    const size = this.subsample.length;
    if (size === 0) throw new NewtonError('curvature() before selectSubsample()');
    if (this.subsampleResident) {
      this.gn.product(v, out, this.pass(size));
      return;
    }
    // Larger than a batch: forward each part again (no activations are kept), summing n_k/|S|·G_k·v.
    for (let from = 0; from < size; from += this.batch) {
      const indices = this.subsample.subarray(from, Math.min(from + this.batch, size));
      const pass = this.pass(indices.length);
      this.options.load(indices);
      this.network.forward(pass);
      this.gn.product(v, out, pass, { scale: indices.length / size, accumulate: from > 0 });
    }
  }

  dispose(): void {
    this.gn.dispose();
    this.backend.dispose(this.metrics);
  }

  private pass(n: number): Pass {
    return { n, training: false, seed: 0 };
  }
}
