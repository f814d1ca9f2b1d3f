// The training loop shared by the CLI, the webview (WebGPU) and the webview's CPU Web Worker: it
// feeds batches, evaluates after each epoch and reports events. The control of the loop
// (step-gate.ts), metric read-backs (metrics-ring.ts), checkpoints (state.ts) and live views
// (inspection.ts) live beside it. No Node APIs and no DOM: progress leaves through onEvent only.
//
// No stall per step: every step is enqueued without reading anything back; metrics are read every
// `reportEvery` steps while later steps are already queued.

import { argmaxColumn } from '../argmax';
import { METRICS_LENGTH, type Backend, type Tensor } from '../backend';
import { exampleSize, fillBatch, type Dataset, type Split } from '../data/dataset';
import { takeExamples } from '../data/split';
import { trackAllocations } from '../layers/allocations';
import type { Pass } from '../layers/layer';
import { Network } from '../network';
import { createOptimizer, decayedLearningRate, type Optimizer } from '../optim/optimizer';
import type { ModelSpec } from '../../lang/spec';
import { TrainError } from './errors';
import type { TrainEvent } from './events';
import { Inspector, type Inspection, type ParameterGradient } from './inspection';
import { MetricsRing } from './metrics-ring';
import { epochOrder, holdOut, stepSeed } from './order';
import { resolveSettings, type TrainerSettings } from './settings';
import { initialProgress, readTrainerState, writeTrainerState, type StateParts, type TrainerState, type TrainingProgress } from './state';
import { StepGate, type TrainerStatus } from './step-gate';

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

export interface Evaluation {
  readonly loss: number;
  readonly accuracy: number;
  readonly count: number;
  /** confusion[true][predicted] counts, when asked for. */
  readonly confusion?: number[][];
}

/** What a step event reports, fixed when its metrics are snapshotted. */
interface StepInfo { readonly epoch: number; readonly step: number; readonly globalStep: number; readonly lr: number }

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

  private readonly gate: StepGate;
  private readonly metrics: MetricsRing;
  private readonly evalMetrics: Tensor;
  private readonly inspector: Inspector;
  private readonly hostImages: Float32Array;
  private readonly hostLabels: Uint32Array;

  private baseLr: number;
  private position: TrainingProgress = initialProgress();
  private stepsSinceReport = 0;
  private lastReportTime = 0;
  /** Time spent paused in the current epoch, left out of its speed. */
  private pausedMs = 0;
  /** Images trained in this epoch by this run (a restored epoch counts only its remainder). */
  private imagesTimed = 0;

  constructor(options: TrainerOptions) {
    const { spec, dataset } = options;
    const tracked = trackAllocations(options.backend);
    const backend = tracked.backend;
    this.releaseTensors = tracked.release;
    this.settings = resolveSettings(spec.train, options.settings);
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
    this.validation = options.validationSplit ?? (split.validation.length > 0 ? takeExamples(dataset.train, exampleSize(dataset), split.validation) : null);
    if (this.trainIndices.length === 0) throw new TrainError(`data set '${dataset.name}' has no training examples left to train on`);
    this.stepsPerEpoch = Math.ceil(this.trainIndices.length / this.settings.batch);

    this.gate = new StepGate({
      now: this.now,
      settle: () => this.metrics.drain(),
      paused: () => this.emit({ type: 'paused', epoch: this.position.epoch, step: this.position.globalStep }),
      resumed: () => this.emit({ type: 'resumed', epoch: this.position.epoch, step: this.position.globalStep }),
      slept: (ms) => { this.pausedMs += ms; this.lastReportTime += ms; },
    });
    this.metrics = new MetricsRing(backend);
    this.evalMetrics = backend.zeros(METRICS_LENGTH);
    this.inspector = new Inspector(backend, this.network, dataset);
    this.hostImages = new Float32Array(exampleSize(dataset) * this.settings.batch);
    this.hostLabels = new Uint32Array(this.settings.batch);
  }

  get status(): TrainerStatus { return this.gate.status; }
  /** Epochs completed and optimizer steps taken. */
  get progress(): { epoch: number; stepInEpoch: number; globalStep: number } {
    const { epoch, stepInEpoch, globalStep } = this.position;
    return { epoch, stepInEpoch, globalStep };
  }
  /** Learning rate of the next step (after decay). */
  get learningRate(): number { return decayedLearningRate(this.baseLr, this.settings.decay, this.position.globalStep); }

  /** Trains until every epoch is done or stop() is called. Resolves with the reason. */
  async run(): Promise<'completed' | 'stopped'> {
    this.gate.open();
    const started = this.now();
    try {
      const at = this.position;
      this.emit({
        type: 'start', epochs: this.settings.epochs, stepsPerEpoch: this.stepsPerEpoch, batch: this.settings.batch,
        trainExamples: this.trainIndices.length, validationExamples: this.validation?.count ?? 0,
        testExamples: this.dataset.test.count, parameters: this.network.parameterCount, backend: this.backend.description,
        epoch: at.epoch, step: at.globalStep,
      });
      let reason: 'completed' | 'stopped' = 'completed';
      while (this.position.epoch < this.settings.epochs) {
        const order = epochOrder(this.trainIndices, this.settings.seed, this.position.epoch);
        const epochStart = this.now();
        this.lastReportTime = epochStart;
        this.pausedMs = 0;
        this.imagesTimed = 0;
        while (this.position.stepInEpoch < this.stepsPerEpoch) {
          if (!(await this.gate.pass())) break;
          const single = this.gate.status === 'paused';
          this.trainStep(order);
          if (this.stepsSinceReport >= this.reportEvery || this.position.stepInEpoch === this.stepsPerEpoch || single) {
            await this.report(single);
          }
        }
        if (this.gate.stopping) { reason = 'stopped'; break; }
        await this.metrics.drain();
        await this.finishEpoch(epochStart);
      }
      await this.metrics.drain();
      this.gate.close();
      this.emit({ type: 'done', reason, epoch: this.position.epoch, globalStep: this.position.globalStep, seconds: (this.now() - started) / 1000 });
      return reason;
    } catch (err) {
      this.gate.close();
      this.emit({ type: 'error', message: err instanceof Error ? err.message : String(err) });
      throw err;
    } finally {
      this.gate.releaseSteps();
    }
  }

  /** Releases every tensor the trainer and its network own (the backend stays usable). Not while running. */
  dispose(): void {
    if (this.status === 'running' || this.status === 'paused') throw new TrainError('stop training before disposing the trainer');
    this.gate.close();
    this.network.dispose();
    this.releaseTensors();
  }

  /** Pauses before the next step (the current one finishes). */
  pause(): void { this.gate.pause(); }

  resume(): void { this.gate.resume(); }

  /** Ends training after the current step; run() then resolves with 'stopped'. */
  stop(): void { this.gate.stop(); }

  /** While paused: runs exactly one step and resolves once its metrics have been reported. */
  step(): Promise<void> { return this.gate.step(); }

  /** Changes the base learning rate from the next step on (decay still applies). */
  setLearningRate(lr: number): void {
    if (!(lr > 0) || !Number.isFinite(lr)) throw new TrainError(`learning rate must be a positive number, got ${lr}`);
    this.baseLr = lr;
  }

  /**
   * One example through the network in eval mode: its class probabilities and the feature maps of
   * every conv/pool layer, for the panel's live view. Safe while training runs (see inspection.ts).
   */
  inspect(which: 'test' | 'train', index: number): Promise<Inspection> {
    return this.inspector.inspect(which, index);
  }

  /** Every parameter's gradient from the latest step (for live gradient plots); safe while training runs. */
  gradients(): Promise<ParameterGradient[]> {
    return this.inspector.gradients();
  }

  /** Loss and accuracy (and optionally the confusion matrix) in eval mode; not while running. */
  async evaluate(which: 'test' | 'validation' | 'train' = 'test', options: { confusion?: boolean } = {}): Promise<Evaluation> {
    if (this.status === 'running') throw new TrainError('pause or stop training before evaluating');
    const split = which === 'test' ? this.dataset.test : which === 'train' ? this.dataset.train : this.validation;
    if (!split) throw new TrainError('there is no validation split (set `validation` in the train statement)');
    return this.evaluateSplit(split, options.confusion ?? false);
  }

  /** Full state for a checkpoint; call while idle, paused or done. */
  async saveState(): Promise<TrainerState> {
    if (this.status === 'running') throw new TrainError('pause training before saving its state');
    await this.metrics.drain();
    return readTrainerState(this.stateParts(), this.position);
  }

  /**
   * Continues from a saved state (before run(), or while paused). Optimizer state is optional (a
   * weights-only checkpoint starts the optimizer fresh); weights and buffers are required.
   */
  async restoreState(state: TrainerState): Promise<void> {
    if (this.status === 'running') throw new TrainError('pause training before restoring a state');
    const restored = writeTrainerState(this.stateParts(), state, this.stepsPerEpoch);
    // Reports still in flight belong to the old progress; let them land before replacing it.
    await this.metrics.drain();
    this.position = restored;
    this.metrics.discard();
    this.stepsSinceReport = 0;
  }

  // ── the loop's pieces ───────────────────────────────────────────────────────────────────────

  /** Enqueues one training step on the batch at the current position of `order`. */
  private trainStep(order: Int32Array): void {
    const batch = this.settings.batch, at = this.position;
    const from = at.stepInEpoch * batch, indices = order.subarray(from, Math.min(from + batch, order.length));
    const n = indices.length;
    this.loadBatch(this.dataset.train, indices);
    const pass: Pass = { n, training: true, seed: stepSeed(this.settings.seed, at.globalStep) };
    const net = this.network;
    net.forward(pass);
    net.computeLoss(n, this.metrics.accumulator, true);
    net.backward(pass);
    this.optimizer.step(this.learningRate, at.globalStep + 1);
    this.backend.flush();
    at.stepInEpoch++;
    at.globalStep++;
    this.stepsSinceReport++;
  }

  private loadBatch(split: Split, indices: ArrayLike<number>): void {
    const n = indices.length, size = exampleSize(this.dataset);
    fillBatch(split, this.dataset.shape, indices, this.hostImages, this.hostLabels);
    this.backend.write(this.network.input, this.hostImages.subarray(0, n * size));
    this.backend.write(this.network.labels, this.hostLabels.subarray(0, n));
  }

  /** Snapshots the metrics since the last report; their `step` event follows once they are read. */
  private report(releaseSteps: boolean): Promise<void> {
    const { epoch, stepInEpoch, globalStep } = this.position;
    // lr of the step just taken (globalStep already counts it).
    const info: StepInfo = { epoch: epoch + 1, step: stepInEpoch, globalStep, lr: decayedLearningRate(this.baseLr, this.settings.decay, globalStep - 1) };
    this.stepsSinceReport = 0;
    return this.metrics.report((lossSum, correct, count) => this.onMetrics(lossSum, correct, count, info, releaseSteps));
  }

  private onMetrics(lossSum: number, correct: number, count: number, info: StepInfo, releaseSteps: boolean): void {
    if (count > 0) {
      const totals = this.position.epochTotals;
      totals[0] += lossSum; totals[1] += correct; totals[2] += count;
      this.imagesTimed += count;
      const time = this.now();
      const seconds = Math.max((time - this.lastReportTime) / 1000, 1e-6);
      this.lastReportTime = time;
      this.emit({
        type: 'step', epoch: info.epoch, step: info.step, stepsPerEpoch: this.stepsPerEpoch, globalStep: info.globalStep,
        examples: count, loss: lossSum / count, accuracy: correct / count, imagesPerSecond: count / seconds, lr: info.lr,
      });
    }
    if (releaseSteps) this.gate.releaseSteps();
  }

  /** After an epoch's last step has been reported: evaluates, advances the epoch and reports it. */
  private async finishEpoch(epochStart: number): Promise<void> {
    const trainMs = Math.max(this.now() - epochStart - this.pausedMs, 1e-3);
    const [lossSum, correct, count] = this.position.epochTotals;
    const test = this.evaluateEachEpoch && this.dataset.test.count > 0 ? await this.evaluateSplit(this.dataset.test, false) : null;
    const validation = this.validation && this.evaluateEachEpoch ? await this.evaluateSplit(this.validation, false) : null;
    this.position.epoch++;
    this.position.stepInEpoch = 0;
    this.position.epochTotals = [0, 0, 0];
    this.emit({
      type: 'epoch', epoch: this.position.epoch, loss: lossSum / count, trainAccuracy: correct / count,
      testLoss: test?.loss ?? null, testAccuracy: test?.accuracy ?? null, validationAccuracy: validation?.accuracy ?? null,
      seconds: (this.now() - epochStart - this.pausedMs) / 1000, imagesPerSecond: this.imagesTimed / (trainMs / 1000),
    });
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
        for (let b = 0; b < n; b++) matrix[split.labels[from + b]][argmaxColumn(out, classes, n, b)]++;
      }
      await this.gate.yieldIfDue();
    }
    const [lossSum, correct, count] = await this.backend.read(this.evalMetrics);
    return { loss: count > 0 ? lossSum / count : 0, accuracy: count > 0 ? correct / count : 0, count, ...(matrix ? { confusion: matrix } : {}) };
  }

  private stateParts(): StateParts {
    return { backend: this.backend, network: this.network, optimizer: this.optimizer };
  }

  private emit(event: TrainEvent): void {
    this.onEvent(event);
  }
}
