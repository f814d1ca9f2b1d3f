// A model spec turned into layers on a backend, with every activation and gradient tensor allocated
// once for the largest batch. Backend-agnostic: it only talks to the Backend interface.
//
// Tensors: act[0] is the input batch, act[i + 1] the output of layer i; grad[i] is ∂ξ/∂act[i].
// When the model ends in softmax and the loss is cross-entropy, the softmax layer is fused into the
// loss: the forward pass stops at the logits (act[L − 1]), the loss writes the probabilities into
// act[L] and ∂ξ/∂logits into grad[L − 1], and the backward pass starts below the softmax.

import type { Backend, FloatArray, Tensor } from './backend';
import type { ModelSpec } from '../lang/spec';
import { elements } from '../lang/shapes';
import { layerDefinition } from '../layers/index';
import { createLayer, LayerError, type StateBuffer, type Layer, type Param, type Pass } from './layers/index';
import { trackAllocations } from './layers/allocations';
import { initialValues } from './layers/init';
import { LossHead, lossHeadKind } from './layers/loss';
import { reserveParamArena } from './layers/param-arena';
import { planFusion, type FusionPlan } from './fusion-plan';

export interface NetworkOptions {
  /** Largest batch any call will use; tensors are sized for it. */
  readonly maxBatch: number;
  /** Seed of the initial weights; default spec.train.seed. */
  readonly seed?: number;
  /** Run product + activation pairs as one call (fusion-plan.ts); default true. False is the reference path. */
  readonly fuse?: boolean;
}

/** One example's activations of one layer, for feature-map plots. */
export interface FeatureMaps {
  readonly layer: number;
  /** [C, H, W] (vectors are reported as [F, 1, 1]). */
  readonly shape: readonly [number, number, number];
  /** C planes of H·W values, row-major. */
  readonly data: Float32Array;
}

export class Network {
  readonly layers: readonly Layer[];
  /** Learnable tensors in layer order, named `layers.<index>.weight|bias`. */
  readonly parameters: readonly Param[];
  /** Non-learnable state (batch-norm running statistics). */
  readonly buffers: readonly StateBuffer[];
  readonly inputShape: readonly [number, number, number];
  readonly classes: number;
  readonly maxBatch: number;
  readonly loss: LossHead;
  /** act[0]: write a batch here (c × (N·H·W) layout). */
  readonly input: Tensor;
  /** u32 class index per example of the batch. */
  readonly labels: Tensor;
  /** Whether the final softmax layer is fused into the cross-entropy loss. */
  readonly fusedSoftmax: boolean;
  /** Product layers whose following activation runs in their forward kernel (fusion-plan.ts). */
  readonly fusion: FusionPlan;

  private readonly act: Tensor[];
  private readonly grad: (Tensor | null)[];
  private readonly probs: Tensor;
  /** Batch size of the last forward pass, to locate one example's feature maps. */
  private lastBatch = 0;
  private readonly backend: Backend;
  private readonly release: () => void;

  constructor(backend: Backend, readonly spec: ModelSpec, options: NetworkOptions) {
    const tracked = trackAllocations(backend);
    backend = this.backend = tracked.backend;
    this.release = tracked.release;
    const { maxBatch } = options;
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new LayerError(null, null, `batch size must be a positive integer, got ${maxBatch}`);
    if (!spec.input) throw new LayerError(null, null, 'the model has no valid `input` statement');
    if (spec.layers.length === 0) throw new LayerError(null, null, 'the model has no layers');
    this.inputShape = spec.input;
    this.maxBatch = maxBatch;

    const layers: Layer[] = [];
    let shape: readonly number[] = spec.input;
    const arena = reserveParamArena(backend, spec.layers, spec.input);
    for (let i = 0; i < spec.layers.length; i++) {
      const layer = createLayer(backend, spec.layers[i], i, shape, maxBatch, arena);
      layers.push(layer);
      shape = layer.outputShape;
    }
    this.layers = layers;
    const last = spec.layers[spec.layers.length - 1];
    if (shape.length === 3 && shape[1] * shape[2] !== 1) {
      throw new LayerError(last, spec.layers.length - 1, `the model must end in a vector of class scores, not a ${shape.join('×')} feature map`);
    }
    this.classes = shape[0];
    if (this.classes < 2) throw new LayerError(last, spec.layers.length - 1, `the model must output at least 2 class scores, got ${this.classes}`);
    this.parameters = layers.flatMap((l) => l.params);
    this.buffers = layers.flatMap((l) => l.buffers);

    this.act = [backend.zeros(elements(spec.input) * maxBatch), ...layers.map((l) => backend.zeros(elements(l.outputShape) * maxBatch))];
    this.grad = [null, ...layers.map((l) => backend.zeros(elements(l.outputShape) * maxBatch))];
    this.input = this.act[0];
    this.labels = backend.indices(maxBatch);
    this.fusedSoftmax = spec.loss.kind === 'cross_entropy' && last.kind === 'softmax';
    this.loss = new LossHead(backend, lossHeadKind(spec.loss.kind), this.classes);
    this.probs = this.fusedSoftmax || spec.loss.kind === 'mse' ? this.act[layers.length] : backend.zeros(this.classes * maxBatch);
    this.fusion = planFusion(layers, options.fuse === false ? 0 : this.forwardEnd);
    this.initialize(options.seed ?? spec.train.seed);
  }

  /** Layers the forward pass runs (all but a fused softmax). */
  private get forwardEnd(): number { return this.fusedSoftmax ? this.layers.length - 1 : this.layers.length; }

  /** (Re)draws the initial weights and resets batch-norm statistics. */
  initialize(seed: number): void {
    const values = initialValues(this.layers, this.spec.layers, seed);
    for (const p of this.parameters) this.backend.write(p.value, values.get(p.name)!);
    for (const b of this.buffers) this.backend.fill(b.tensor, b.initial);
  }

  /** Runs the layers on act[0] for a batch of pass.n examples. */
  forward(pass: Pass): void {
    this.checkBatch(pass.n);
    for (let i = 0; i < this.forwardEnd; i++) {
      const activation = this.fusion.activationAfter(i);
      if (activation) {
        // Product and activation in one call; the activation layer's output is act[i + 2].
        this.layers[i].forwardActivated!(this.act[i], this.act[i + 1], pass, { kind: activation, out: this.act[i + 2] });
        i++;
      } else {
        this.layers[i].forward(this.act[i], this.act[i + 1], pass);
      }
    }
    this.lastBatch = pass.n;
  }

  /**
   * After forward(): the loss on the labels tensor, added into `metrics` (Σ loss, #correct, n);
   * with `withGradient` also ∂ξ/∂output for backward(). Probabilities (or mse outputs) land in output().
   */
  computeLoss(n: number, metrics: Tensor, withGradient: boolean): void {
    const out = this.act[this.forwardEnd];
    this.loss.compute(out, this.probs, this.labels, withGradient ? this.grad[this.forwardEnd] : null, metrics, n);
  }

  /** After computeLoss(..., true): every parameter's gradient for the same pass. */
  backward(pass: Pass): void {
    for (let i = this.forwardEnd - 1; i >= 0; i--) {
      const gate = this.fusion.gateBefore(i);
      if (gate) {
        // Layer i writes the gradient below activation i − 1 (grad[i − 1]); grad[i] is only scratch.
        this.layers[i].backwardGated!(this.act[i], this.act[i + 1], this.grad[i + 1]!, this.grad[i - 1]!, pass,
          { kind: gate, y: this.act[i], scratch: this.grad[i]! });
        i--;
      } else {
        this.layers[i].backward(this.act[i], this.act[i + 1], this.grad[i + 1]!, i === 0 ? null : this.grad[i], pass);
      }
    }
  }

  /**
   * Builds, ahead of the first step, the pipelines of a training step and an evaluation pass at the
   * full batch (plus whatever `more` launches, e.g. the optimizer), asynchronously and together on
   * a backend that compiles (webgpu; elsewhere a no-op). `metrics` is the loss accumulator the steps use.
   */
  async compilePipelines(metrics: Tensor, more?: () => void): Promise<void> {
    const backend = this.backend;
    if (!backend.compileFor) return;
    const n = this.maxBatch, lastBatch = this.lastBatch;
    await backend.compileFor(() => {
      const train: Pass = { n, training: true, seed: 0 };
      this.forward(train);
      this.computeLoss(n, metrics, true);
      this.backward(train);
      this.predict({ n, training: false, seed: 0 });
      more?.();
    });
    this.lastBatch = lastBatch;  // the dry pass produced no activations
  }

  /** Forward pass plus the output softmax, for inference without labels. */
  predict(pass: Pass): Tensor {
    this.forward(pass);
    if (this.loss.kind === 'softmax-cross-entropy') this.backend.softmaxForward(this.act[this.forwardEnd], this.probs, this.classes, pass.n);
    return this.probs;
  }

  /** classes × n: probabilities (cross-entropy) or outputs (mse) of the last computeLoss()/predict(). */
  output(): Tensor { return this.probs; }

  /** Output tensor of layer `index` (c × (N·H·W)) as of the last forward pass. */
  layerOutput(index: number): Tensor {
    this.checkLayer(index);
    return this.act[index + 1];
  }

  /** Indices of the layers whose outputs are worth drawing as feature maps (conv, pooling). */
  featureMapLayers(): number[] {
    return this.layers.filter((l) => layerDefinition(l.spec.kind).plotsFeatureMaps).map((l) => l.index);
  }

  /** One example's output of layer `index` from the last forward pass. */
  async readFeatureMaps(index: number, example: number): Promise<FeatureMaps> {
    this.checkLayer(index);
    if (this.fusedSoftmax && index === this.layers.length - 1) {
      throw new LayerError(this.layers[index].spec, index, 'the fused softmax output is only available after a loss or predict call');
    }
    if (!Number.isInteger(example) || example < 0 || example >= this.lastBatch) {
      throw new RangeError(`example ${example} is not in the last batch of ${this.lastBatch}`);
    }
    const shape = this.layers[index].outputShape;
    const dims: [number, number, number] = shape.length === 3 ? [shape[0], shape[1], shape[2]] : [shape[0], 1, 1];
    const plane = dims[1] * dims[2], n = this.lastBatch;
    const all = await this.backend.read(this.act[index + 1]);
    const data = new Float32Array(dims[0] * plane);
    for (let c = 0; c < dims[0]; c++) data.set(all.subarray((c * n + example) * plane, (c * n + example + 1) * plane), c * plane);
    return { layer: index, shape: dims, data };
  }

  /** Weights and buffers by name, as Float32Arrays (checkpoints, export). */
  async readState(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const p of this.parameters) out.set(p.name, toFloat32(await this.backend.read(p.value)));
    for (const b of this.buffers) out.set(b.name, toFloat32(await this.backend.read(b.tensor)));
    return out;
  }

  /** Writes weights and buffers by name; every one must be present with the right length. */
  writeState(state: ReadonlyMap<string, ArrayLike<number>>): void {
    const targets = [...this.parameters.map((p) => ({ name: p.name, length: p.length, tensor: p.value })),
      ...this.buffers.map((b) => ({ name: b.name, length: b.length, tensor: b.tensor }))];
    for (const t of targets) {
      const values = state.get(t.name);
      if (!values) throw new LayerError(null, null, `the saved state has no tensor '${t.name}' (was it saved from a different model?)`);
      if (values.length !== t.length) {
        throw new LayerError(null, null, `saved tensor '${t.name}' has ${values.length} values, the model needs ${t.length}`);
      }
    }
    for (const t of targets) this.backend.write(t.tensor, state.get(t.name)!);
  }

  /** Releases every tensor of the network; it is unusable afterwards. */
  dispose(): void { this.release(); }

  /** Total number of learnable values. */
  get parameterCount(): number { return this.parameters.reduce((s, p) => s + p.length, 0); }

  private checkBatch(n: number): void {
    if (!Number.isInteger(n) || n < 1 || n > this.maxBatch) throw new RangeError(`batch of ${n} examples: must be 1 … ${this.maxBatch}`);
  }

  private checkLayer(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.layers.length) {
      throw new RangeError(`layer ${index} does not exist (the model has ${this.layers.length} layers)`);
    }
  }
}

export function toFloat32(a: FloatArray): Float32Array {
  return a instanceof Float32Array ? a : Float32Array.from(a);
}
