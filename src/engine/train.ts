// The training loop shared by the CLI, the webview (WebGPU) and the webview's CPU Web Worker.
// No Node APIs and no DOM: progress leaves through the onEvent callback only.
//
// No stall per step: every step is enqueued without reading anything back. Loss sum, correct count
// and n accumulate in a device tensor (METRICS_LENGTH); every `reportEvery` steps it is copied to one
// of a few snapshot tensors, zeroed, and the snapshot is read asynchronously while later steps are
// already queued. Between steps the loop yields to the event loop now and then, so pause/stop
// messages (a worker's onmessage, a panel button) get through even on the synchronous CPU backend.
//
// Determinism: the shuffle of epoch e, the dropout masks of step t and the initial weights are pure
// functions of the seed, so a run is reproducible and a restored run continues exactly.

import { METRICS_LENGTH, type Backend, type Tensor } from './backend';
import { fillBatch, type Dataset, type Split } from './data/dataset';
import { trackAllocations } from './layers/allocations';
import type { Pass } from './layers/layer';
import { Network, toFloat32, type FeatureMaps } from './network';
import { createOptimizer, decayedLearningRate, type Optimizer } from './optim/optimizer';
import { lowbias32, Rng } from './random';
import type { ModelSpec, TrainSettings } from '../lang/spec';

/** The parts of a `train` statement the trainer uses; any can be overridden per run. */
export type TrainerSettings = Pick<TrainSettings, 'epochs' | 'batch' | 'optimizer' | 'lr' | 'momentum' | 'decay' | 'weightDecay' | 'seed'> & {
  /** Fraction of the training split held out for validation (0 = none). */
  readonly validation: number;
};

export interface TrainerOptions {
  readonly spec: ModelSpec;
  readonly dataset: Dataset;
  readonly backend: Backend;
  /** Overrides of spec.train (CLI flags, panel controls). */
  readonly settings?: Partial<TrainerSettings>;
  /** A separate validation split (instead of a fraction of the training split). */
  readonly validationSplit?: Split;
  readonly onEvent?: (event: TrainEvent) => void;
  /** Steps between metric read-backs and `step` events (default 10). */
  readonly reportEvery?: number;
  /** Evaluate on the test split after every epoch (default true). */
  readonly evaluateEachEpoch?: boolean;
  /** Milliseconds clock (default performance.now). */
  readonly now?: () => number;
}

export type TrainEvent =
  | { readonly type: 'start'; readonly epochs: number; readonly stepsPerEpoch: number; readonly batch: number;
      readonly trainExamples: number; readonly validationExamples: number; readonly testExamples: number;
      readonly parameters: number; readonly backend: string; readonly epoch: number; readonly step: number }
  /** Mean loss and accuracy over the `examples` seen since the previous step event. */
  | { readonly type: 'step'; readonly epoch: number; readonly step: number; readonly stepsPerEpoch: number;
      readonly globalStep: number; readonly examples: number; readonly loss: number; readonly accuracy: number; readonly imagesPerSecond: number;
      readonly lr: number }
  | { readonly type: 'epoch'; readonly epoch: number; readonly loss: number; readonly trainAccuracy: number;
      readonly testLoss: number | null; readonly testAccuracy: number | null; readonly validationAccuracy: number | null;
      readonly seconds: number; readonly imagesPerSecond: number }
  | { readonly type: 'paused' | 'resumed'; readonly epoch: number; readonly step: number }
  | { readonly type: 'done'; readonly reason: 'completed' | 'stopped'; readonly epoch: number; readonly globalStep: number;
      readonly seconds: number }
  | { readonly type: 'error'; readonly message: string };

export type TrainerStatus = 'idle' | 'running' | 'paused' | 'done';

/** One example seen by the current weights (Trainer.inspect). */
export interface Inspection {
  readonly label: number;
  /** Softmax probabilities (or mse outputs) per class. */
  readonly probabilities: Float32Array;
  /** Outputs of every conv and pool layer for this example. */
  readonly featureMaps: readonly FeatureMaps[];
}

export interface Evaluation {
  readonly loss: number;
  readonly accuracy: number;
  readonly count: number;
  /** confusion[true][predicted] counts, when asked for. */
  readonly confusion?: number[][];
}

/** Everything needed to continue training exactly: weights, buffers, optimizer state, progress. */
export interface TrainerState {
  /** By name: `layers.0.weight`, `layers.2.running_mean`, `optim.layers.0.weight.momentum`, … */
  readonly tensors: ReadonlyMap<string, { readonly shape: readonly number[]; readonly data: Float32Array }>;
  /** Epochs completed. */
  readonly epoch: number;
  /** Optimizer steps taken. */
  readonly step: number;
  /** Loss sum, correct count and n of the unfinished epoch (zeros at an epoch boundary). */
  readonly epochTotals?: readonly [number, number, number];
}

export class TrainError extends Error {
  constructor(message: string) { super(message); this.name = 'TrainError'; }
}

/** Snapshot tensors in flight at once: enough that the loop never waits on a read in steady state. */
const SNAPSHOTS = 3;
/** The loop yields to the event loop at least this often (ms) so control messages get through. */
const YIELD_INTERVAL_MS = 30;

export class Trainer {
  readonly network: Network;
  readonly settings: TrainerSettings;
  readonly stepsPerEpoch: number;
  readonly optimizer: Optimizer;
  private readonly backend: Backend;
  private readonly releaseTensors: () => void;
  private readonly dataset: Dataset;
  private readonly trainIndices: Int32Array;
  private readonly validation: Split | null;
  private readonly onEvent: (event: TrainEvent) => void;
  private readonly reportEvery: number;
  private readonly evaluateEachEpoch: boolean;
  private readonly now: () => number;

  private readonly metrics: Tensor;
  private readonly evalMetrics: Tensor;
  private readonly snapshots: Tensor[];
  private readonly snapshotReads: (Promise<void> | null)[];
  private nextSnapshot = 0;
  private readChain: Promise<void> = Promise.resolve();
  private readonly hostImages: Float32Array;
  private readonly hostLabels: Uint32Array;

  private baseLr: number;
  private epoch = 0;
  private stepInEpoch = 0;
  private globalStep = 0;
  private stepsSinceReport = 0;
  private epochTotals: [number, number, number] = [0, 0, 0];
  private lastReportTime = 0;
  /** Time spent paused in the current epoch, left out of its speed. */
  private pausedMs = 0;
  /** Images trained in this epoch by this run (a restored epoch counts only its remainder). */
  private imagesTimed = 0;

  private state: TrainerStatus = 'idle';
  private pauseRequested = false;
  private stopRequested = false;
  private singleSteps = 0;
  private stepWaiters: (() => void)[] = [];
  private wake: (() => void) | null = null;
  private lastYield = 0;

  constructor(options: TrainerOptions) {
    const { spec, dataset } = options;
    const tracked = trackAllocations(options.backend);
    const backend = tracked.backend;
    this.releaseTensors = tracked.release;
    const train = spec.train;
    this.settings = {
      epochs: train.epochs, batch: train.batch, optimizer: train.optimizer, lr: train.lr, momentum: train.momentum,
      decay: train.decay, weightDecay: train.weightDecay, seed: train.seed,
      validation: typeof train.validation === 'number' ? train.validation : 0,
      ...options.settings,
    };
    checkSettings(this.settings);
    this.backend = backend;
    this.dataset = dataset;
    this.onEvent = options.onEvent ?? (() => {});
    this.reportEvery = options.reportEvery ?? 10;
    if (!Number.isInteger(this.reportEvery) || this.reportEvery < 1) throw new TrainError(`reportEvery must be a positive integer, got ${this.reportEvery}`);
    this.evaluateEachEpoch = options.evaluateEachEpoch ?? true;
    this.now = options.now ?? (() => globalThis.performance.now());
    this.baseLr = this.settings.lr;

    if (!spec.input) throw new TrainError('the model has no valid `input` statement');
    const [c, h, w] = spec.input, [dc, dh, dw] = dataset.shape;
    if (c !== dc || h !== dh || w !== dw) {
      throw new TrainError(`data set '${dataset.name}' has ${dc}×${dh}×${dw} examples but the model's input is ${c}×${h}×${w}`);
    }
    // The network tracks (and releases) its own tensors; the view above tracks only the trainer's.
    this.network = new Network(options.backend, spec, { maxBatch: this.settings.batch, seed: this.settings.seed });
    if (dataset.classes !== this.network.classes) {
      throw new TrainError(`data set '${dataset.name}' has ${dataset.classes} classes but the model outputs ${this.network.classes} class scores`);
    }
    this.optimizer = createOptimizer(backend, this.network.parameters, this.settings);

    const v = options.validationSplit;
    if (v && v.images.length !== v.count * c * h * w) {
      throw new TrainError(`the validation split has ${v.images.length} values for ${v.count} examples; the model's input needs ${c}×${h}×${w} per example`);
    }
    const split = holdOut(dataset.train.count, options.validationSplit ? 0 : this.settings.validation, this.settings.seed);
    this.trainIndices = split.train;
    this.validation = options.validationSplit ?? (split.validation.length > 0 ? subset(dataset.train, dataset.shape, split.validation) : null);
    if (this.trainIndices.length === 0) throw new TrainError(`data set '${dataset.name}' has no training examples left to train on`);
    this.stepsPerEpoch = Math.ceil(this.trainIndices.length / this.settings.batch);

    this.metrics = backend.zeros(METRICS_LENGTH);
    this.evalMetrics = backend.zeros(METRICS_LENGTH);
    this.snapshots = Array.from({ length: SNAPSHOTS }, () => backend.zeros(METRICS_LENGTH));
    this.snapshotReads = this.snapshots.map(() => null);
    const size = c * h * w;
    this.hostImages = new Float32Array(size * this.settings.batch);
    this.hostLabels = new Uint32Array(this.settings.batch);
  }

  get status(): TrainerStatus { return this.state; }
  /** Epochs completed and optimizer steps taken. */
  get progress(): { epoch: number; stepInEpoch: number; globalStep: number } {
    return { epoch: this.epoch, stepInEpoch: this.stepInEpoch, globalStep: this.globalStep };
  }
  /** Learning rate of the next step (after decay). */
  get learningRate(): number { return decayedLearningRate(this.baseLr, this.settings.decay, this.globalStep); }

  /** Trains until every epoch is done or stop() is called. Resolves with the reason. */
  async run(): Promise<'completed' | 'stopped'> {
    if (this.state !== 'idle') throw new TrainError(`run() was already called (trainer is ${this.state})`);
    this.state = 'running';
    const started = this.now();
    this.lastYield = started;
    try {
      this.emit({
        type: 'start', epochs: this.settings.epochs, stepsPerEpoch: this.stepsPerEpoch, batch: this.settings.batch,
        trainExamples: this.trainIndices.length, validationExamples: this.validation?.count ?? 0,
        testExamples: this.dataset.test.count, parameters: this.network.parameterCount, backend: this.backend.description,
        epoch: this.epoch, step: this.globalStep,
      });
      let reason: 'completed' | 'stopped' = 'completed';
      while (this.epoch < this.settings.epochs) {
        const order = this.epochOrder(this.epoch);
        const epochStart = this.now();
        this.lastReportTime = epochStart;
        this.pausedMs = 0;
        this.imagesTimed = 0;
        while (this.stepInEpoch < this.stepsPerEpoch) {
          if (!(await this.gate())) break;
          const single = this.status === 'paused';
          this.trainStep(order);
          if (this.stepsSinceReport >= this.reportEvery || this.stepInEpoch === this.stepsPerEpoch || single) {
            await this.report(single);
          }
        }
        if (this.stopRequested) { reason = 'stopped'; break; }
        await this.drainReads();
        const trainMs = Math.max(this.now() - epochStart - this.pausedMs, 1e-3);
        const [lossSum, correct, count] = this.epochTotals;
        const test = this.evaluateEachEpoch && this.dataset.test.count > 0 ? await this.evaluateSplit(this.dataset.test, false) : null;
        const validation = this.validation && this.evaluateEachEpoch ? await this.evaluateSplit(this.validation, false) : null;
        this.epoch++;
        this.stepInEpoch = 0;
        this.epochTotals = [0, 0, 0];
        this.emit({
          type: 'epoch', epoch: this.epoch, loss: lossSum / count, trainAccuracy: correct / count,
          testLoss: test?.loss ?? null, testAccuracy: test?.accuracy ?? null, validationAccuracy: validation?.accuracy ?? null,
          seconds: (this.now() - epochStart - this.pausedMs) / 1000, imagesPerSecond: this.imagesTimed / (trainMs / 1000),
        });
      }
      await this.drainReads();
      this.state = 'done';
      this.emit({ type: 'done', reason, epoch: this.epoch, globalStep: this.globalStep, seconds: (this.now() - started) / 1000 });
      return reason;
    } catch (err) {
      this.state = 'done';
      this.emit({ type: 'error', message: err instanceof Error ? err.message : String(err) });
      throw err;
    } finally {
      for (const resolve of this.stepWaiters.splice(0)) resolve();
    }
  }

  /** Releases every tensor the trainer and its network own (the backend stays usable). Not while running. */
  dispose(): void {
    if (this.state === 'running' || this.state === 'paused') throw new TrainError('stop training before disposing the trainer');
    this.state = 'done';
    this.network.dispose();
    this.releaseTensors();
  }

  /** Pauses before the next step (the current one finishes). */
  pause(): void {
    if (this.state === 'running') this.pauseRequested = true;
  }

  resume(): void {
    if (!this.pauseRequested) return;
    this.pauseRequested = false;
    if (this.state === 'paused') {
      this.state = 'running';
      this.emit({ type: 'resumed', epoch: this.epoch, step: this.globalStep });
    }
    this.wake?.();
  }

  /** Ends training after the current step; run() then resolves with 'stopped'. */
  stop(): void {
    this.stopRequested = true;
    this.wake?.();
  }

  /** While paused: runs exactly one step and resolves once its metrics have been reported. */
  step(): Promise<void> {
    if (this.state !== 'paused' && !this.pauseRequested) return Promise.reject(new TrainError('step() needs a paused trainer; call pause() first'));
    this.singleSteps++;
    const done = new Promise<void>((resolve) => this.stepWaiters.push(resolve));
    this.wake?.();
    return done;
  }

  /** Changes the base learning rate from the next step on (decay still applies). */
  setLearningRate(lr: number): void {
    if (!(lr > 0) || !Number.isFinite(lr)) throw new TrainError(`learning rate must be a positive number, got ${lr}`);
    this.baseLr = lr;
  }

  /**
   * One example through the network in eval mode: its class probabilities and the feature maps of
   * every conv/pool layer, for the panel's live view. Safe while training runs: it runs between two
   * steps, every step rewrites all it reads, and all reads are enqueued before any later step.
   */
  async inspect(which: 'test' | 'train', index: number): Promise<Inspection> {
    const split = which === 'test' ? this.dataset.test : this.dataset.train;
    if (!Number.isInteger(index) || index < 0 || index >= split.count) {
      throw new TrainError(`example ${index} is not in the ${which} split (${split.count} examples)`);
    }
    const net = this.network;
    const size = this.hostImages.length / this.settings.batch;
    const image = new Float32Array(size), label = new Uint32Array(1);
    fillBatch(split, this.dataset.shape, [index], image, label);
    this.backend.write(net.input, image);
    const output = net.predict({ n: 1, training: false, seed: 0 });
    const layers = net.featureMapLayers();
    // Enqueue every read now, before the training loop can queue another step.
    const reads = layers.map((i) => this.backend.read(net.layerOutput(i)));
    const probabilities = this.backend.read(output);
    this.backend.flush();
    const maps = await Promise.all(reads);
    const featureMaps = layers.map((i, k): FeatureMaps => {
      const [c, h, w] = net.layers[i].outputShape as readonly [number, number, number];
      // With n = 1 the c × (N·H·W) layout is exactly C planes of H·W.
      return { layer: i, shape: [c, h, w], data: toFloat32(maps[k].subarray(0, c * h * w)) };
    });
    return { label: label[0], probabilities: toFloat32((await probabilities).subarray(0, net.classes)), featureMaps };
  }

  /**
   * Every parameter's gradient from the latest step (for live gradient plots). Safe while training
   * runs: all reads are enqueued at once, between two steps.
   */
  async gradients(): Promise<{ readonly name: string; readonly shape: readonly number[]; readonly data: Float32Array }[]> {
    const params = this.network.parameters;
    const reads = params.map((p) => this.backend.read(p.grad));
    this.backend.flush();
    const data = await Promise.all(reads);
    return params.map((p, i) => ({ name: p.name, shape: p.shape, data: toFloat32(data[i]) }));
  }

  /** Loss and accuracy (and optionally the confusion matrix) in eval mode; not while running. */
  async evaluate(which: 'test' | 'validation' | 'train' = 'test', options: { confusion?: boolean } = {}): Promise<Evaluation> {
    if (this.state === 'running') throw new TrainError('pause or stop training before evaluating');
    const split = which === 'test' ? this.dataset.test : which === 'train' ? this.dataset.train : this.validation;
    if (!split) throw new TrainError('there is no validation split (set `validation` in the train statement)');
    return this.evaluateSplit(split, options.confusion ?? false);
  }

  /** Full state for a checkpoint; call while idle, paused or done. */
  async saveState(): Promise<TrainerState> {
    if (this.state === 'running') throw new TrainError('pause training before saving its state');
    await this.drainReads();
    const tensors = new Map<string, { shape: readonly number[]; data: Float32Array }>();
    const weights = await this.network.readState();
    for (const p of this.network.parameters) tensors.set(p.name, { shape: p.shape, data: weights.get(p.name)! });
    for (const b of this.network.buffers) tensors.set(b.name, { shape: [b.length], data: weights.get(b.name)! });
    for (const s of this.optimizer.slots) {
      const data = await this.backend.read(s.tensor);
      tensors.set(s.name, { shape: [s.length], data: data instanceof Float32Array ? data : Float32Array.from(data) });
    }
    return { tensors, epoch: this.epoch, step: this.globalStep, epochTotals: [...this.epochTotals] };
  }

  /**
   * Continues from a saved state (before run(), or while paused). Optimizer state is optional (a
   * weights-only checkpoint starts the optimizer fresh); weights and buffers are required.
   */
  async restoreState(state: TrainerState): Promise<void> {
    if (this.state === 'running') throw new TrainError('pause training before restoring a state');
    if (!Number.isInteger(state.epoch) || state.epoch < 0 || !Number.isInteger(state.step) || state.step < 0) {
      throw new TrainError(`saved progress is not valid (epoch ${state.epoch}, step ${state.step})`);
    }
    const values = new Map<string, Float32Array>();
    for (const [name, t] of state.tensors) values.set(name, t.data);
    this.network.writeState(values);
    const hasOptimizer = this.optimizer.slots.every((s) => values.has(s.name));
    if (hasOptimizer) {
      for (const s of this.optimizer.slots) {
        const data = values.get(s.name)!;
        if (data.length !== s.length) throw new TrainError(`saved optimizer tensor '${s.name}' has ${data.length} values, expected ${s.length}`);
        this.backend.write(s.tensor, data);
      }
    } else {
      this.optimizer.reset();
    }
    await this.drainReads();
    this.epoch = state.epoch;
    this.globalStep = state.step;
    // Steps already taken in the unfinished epoch, if the state was saved mid-epoch.
    this.stepInEpoch = Math.min(Math.max(0, state.step - state.epoch * this.stepsPerEpoch), this.stepsPerEpoch);
    if (this.stepInEpoch === this.stepsPerEpoch) { this.stepInEpoch = 0; }
    this.epochTotals = state.epochTotals && this.stepInEpoch > 0 ? [...state.epochTotals] : [0, 0, 0];
    this.backend.fill(this.metrics, 0);
    this.stepsSinceReport = 0;
  }

  // ── the loop's pieces ───────────────────────────────────────────────────────────────────────

  /** Enqueues one training step on the batch at the current position of `order`. */
  private trainStep(order: Int32Array): void {
    const batch = this.settings.batch;
    const from = this.stepInEpoch * batch, indices = order.subarray(from, Math.min(from + batch, order.length));
    const n = indices.length;
    this.loadBatch(this.dataset.train, indices);
    const pass: Pass = { n, training: true, seed: stepSeed(this.settings.seed, this.globalStep) };
    const net = this.network;
    net.forward(pass);
    net.computeLoss(n, this.metrics, true);
    net.backward(pass);
    this.optimizer.step(this.learningRate, this.globalStep + 1);
    this.backend.flush();
    this.stepInEpoch++;
    this.globalStep++;
    this.stepsSinceReport++;
  }

  private loadBatch(split: Split, indices: ArrayLike<number>): void {
    const n = indices.length, size = this.hostImages.length / this.settings.batch;
    fillBatch(split, this.dataset.shape, indices, this.hostImages, this.hostLabels);
    this.backend.write(this.network.input, this.hostImages.subarray(0, n * size));
    this.backend.write(this.network.labels, this.hostLabels.subarray(0, n));
  }

  /**
   * Moves the accumulated metrics into a snapshot tensor and starts reading it without waiting for
   * the result. Only when all SNAPSHOTS reads are still in flight does this wait for the oldest.
   */
  private async report(wakeStepWaiters: boolean): Promise<void> {
    const slot = this.nextSnapshot;
    this.nextSnapshot = (slot + 1) % SNAPSHOTS;
    const previous = this.snapshotReads[slot];
    if (previous) await previous;
    // lr of the step just taken (globalStep already counts it).
    const lr = decayedLearningRate(this.baseLr, this.settings.decay, this.globalStep - 1);
    const info = { epoch: this.epoch + 1, step: this.stepInEpoch, globalStep: this.globalStep, lr };
    this.stepsSinceReport = 0;
    this.backend.copy(this.metrics, this.snapshots[slot]);
    this.backend.fill(this.metrics, 0);
    this.backend.flush();
    // Reads resolve in the order they were enqueued, so the handlers run in step order.
    const handled = this.backend.read(this.snapshots[slot]).then((m) => this.onMetrics(m[0], m[1], m[2], info, wakeStepWaiters));
    this.snapshotReads[slot] = handled;
    const before = this.readChain;
    this.readChain = handled.then(() => before);
  }

  private onMetrics(lossSum: number, correct: number, count: number,
    info: { epoch: number; step: number; globalStep: number; lr: number }, wakeStepWaiters: boolean): void {
    if (count > 0) {
      this.epochTotals[0] += lossSum; this.epochTotals[1] += correct; this.epochTotals[2] += count;
      this.imagesTimed += count;
      const time = this.now();
      const seconds = Math.max((time - this.lastReportTime) / 1000, 1e-6);
      this.lastReportTime = time;
      this.emit({
        type: 'step', epoch: info.epoch, step: info.step, stepsPerEpoch: this.stepsPerEpoch, globalStep: info.globalStep,
        examples: count, loss: lossSum / count, accuracy: correct / count, imagesPerSecond: count / seconds, lr: info.lr,
      });
    }
    if (wakeStepWaiters) for (const resolve of this.stepWaiters.splice(0)) resolve();
  }

  /** Waits for every metrics read in flight. */
  private async drainReads(): Promise<void> {
    await this.readChain;
    this.snapshotReads.fill(null);
  }

  /** Before each step: honours stop, pause and single steps, and yields to the event loop now and then. */
  private async gate(): Promise<boolean> {
    for (;;) {
      if (this.stopRequested) return false;
      if (!this.pauseRequested) {
        if (this.state === 'paused') { this.state = 'running'; }
        if (this.now() - this.lastYield >= YIELD_INTERVAL_MS) {
          await yieldToEventLoop();
          this.lastYield = this.now();
          continue;
        }
        return true;
      }
      if (this.state !== 'paused') {
        await this.drainReads();
        this.state = 'paused';
        this.emit({ type: 'paused', epoch: this.epoch, step: this.globalStep });
        continue;
      }
      if (this.singleSteps > 0) { this.singleSteps--; return true; }
      const pausedAt = this.now();
      await new Promise<void>((resolve) => { this.wake = resolve; });
      this.wake = null;
      this.pausedMs += this.now() - pausedAt;
      this.lastReportTime += this.now() - pausedAt;
    }
  }

  private async evaluateSplit(split: Split, confusion: boolean): Promise<Evaluation> {
    const batch = this.settings.batch, classes = this.network.classes;
    const matrix = confusion ? Array.from({ length: classes }, () => new Array<number>(classes).fill(0)) : undefined;
    this.backend.fill(this.evalMetrics, 0);
    const indices = new Int32Array(batch);
    for (let from = 0; from < split.count; from += batch) {
      const n = Math.min(batch, split.count - from);
      for (let i = 0; i < n; i++) indices[i] = from + i;
      this.loadBatch(split, indices.subarray(0, n));
      this.network.forward({ n, training: false, seed: 0 });
      this.network.computeLoss(n, this.evalMetrics, false);
      this.backend.flush();
      if (matrix) {
        const out = await this.backend.read(this.network.output());
        for (let b = 0; b < n; b++) {
          let best = 0;
          for (let f = 1; f < classes; f++) if (out[f * n + b] > out[best * n + b]) best = f;
          matrix[split.labels[from + b]][best]++;
        }
      }
      if (this.now() - this.lastYield >= YIELD_INTERVAL_MS) { await yieldToEventLoop(); this.lastYield = this.now(); }
    }
    const [lossSum, correct, count] = await this.backend.read(this.evalMetrics);
    return { loss: count > 0 ? lossSum / count : 0, accuracy: count > 0 ? correct / count : 0, count, ...(matrix ? { confusion: matrix } : {}) };
  }

  /** Training order of epoch e: the training indices shuffled by a seed derived from (seed, e). */
  private epochOrder(epoch: number): Int32Array {
    return new Rng(lowbias32((this.settings.seed ^ lowbias32(epoch + 0x51ed)) >>> 0)).shuffle(this.trainIndices.slice());
  }

  private emit(event: TrainEvent): void {
    this.onEvent(event);
  }
}

/** Dropout seed of optimizer step t. */
export function stepSeed(seed: number, step: number): number {
  return lowbias32((seed ^ lowbias32(step + 1)) >>> 0);
}

/**
 * Lets queued tasks (a worker's control messages, UI events) run. A MessageChannel message is a
 * task without setTimeout's 1–4 ms clamp; each channel is closed after use so Node can exit.
 */
function yieldToEventLoop(): Promise<void> {
  if (typeof MessageChannel === 'undefined') return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => { channel.port1.close(); resolve(); };
    channel.port2.postMessage(null);
  });
}

function checkSettings(s: TrainerSettings): void {
  const positiveInt = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw new TrainError(`${name} must be a positive integer, got ${v}`);
  };
  positiveInt('epochs', s.epochs);
  positiveInt('batch', s.batch);
  if (!(s.lr > 0) || !Number.isFinite(s.lr)) throw new TrainError(`lr must be a positive number, got ${s.lr}`);
  if (!(s.momentum >= 0 && s.momentum < 1)) throw new TrainError(`momentum must be in [0, 1), got ${s.momentum}`);
  if (!(s.decay >= 0) || !Number.isFinite(s.decay)) throw new TrainError(`decay must be ≥ 0, got ${s.decay}`);
  if (!(s.weightDecay >= 0) || !Number.isFinite(s.weightDecay)) throw new TrainError(`weight decay must be ≥ 0, got ${s.weightDecay}`);
  if (!(s.validation >= 0 && s.validation < 1)) throw new TrainError(`validation fraction must be in [0, 1), got ${s.validation}`);
}

/** Splits 0 … count−1 into training and validation indices (a seeded shuffle; the last fraction validates). */
function holdOut(count: number, fraction: number, seed: number): { train: Int32Array; validation: Int32Array } {
  const all = Int32Array.from({ length: count }, (_, i) => i);
  const held = Math.floor(count * fraction);
  if (held === 0) return { train: all, validation: new Int32Array(0) };
  new Rng(lowbias32((seed ^ 0x7a11d) >>> 0)).shuffle(all);
  return { train: all.slice(0, count - held).sort(), validation: all.slice(count - held).sort() };
}

/** A split holding only the given examples of `split`. */
function subset(split: Split, shape: readonly [number, number, number], indices: Int32Array): Split {
  const size = shape[0] * shape[1] * shape[2];
  const images = split.images instanceof Uint8Array ? new Uint8Array(indices.length * size) : new Float32Array(indices.length * size);
  const labels = new Uint8Array(indices.length);
  indices.forEach((ex, i) => {
    images.set(split.images.subarray(ex * size, (ex + 1) * size), i * size);
    labels[i] = split.labels[ex];
  });
  return { count: indices.length, images, labels };
}
