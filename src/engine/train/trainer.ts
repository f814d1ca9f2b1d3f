// The training loop shared by the CLI, the webview (WebGPU) and the webview's CPU Web Worker: it
// feeds batches, evaluates after each epoch and reports events. The control of the loop
// (step-gate.ts), metric read-backs (metrics-ring.ts), checkpoints (state.ts) and live views
// (inspection.ts) live beside it. No Node APIs and no DOM: progress leaves through onEvent only.
//
// No stall per step: every step is enqueued without reading anything back; metrics are read every
// `reportEvery` steps while later steps are already queued.

import { METRICS_LENGTH, type Backend, type Tensor } from '../backend';
import { exampleSize, fillBatch, type Dataset, type Split } from '../data/dataset';
import { takeExamples } from '../data/split';
import { trackAllocations } from '../layers/allocations';
import type { Pass } from '../layers/layer';
import { Network } from '../network';
import { NewtonTraining } from '../newton/newton-training';
import { createOptimizer, decayedLearningRate, type Optimizer, type OptimizerState } from '../optim/optimizer';
import { checkClasses, checkInputShape, checkValidationSplit } from './data-fit';
import { TrainError } from './errors';
import { evaluateSplit, type Evaluation } from './evaluation';
import type { TrainEvent } from './events';
import { LastGoodState, type CaptureCompletion } from './last-good-state';
import { Inspector, type Inspection, type ParameterGradient } from './inspection';
import { MetricsRing } from './metrics-ring';
import { describeNonFinite, NonFiniteGuard, type NonFiniteSite } from './non-finite';
import { epochOrder, holdOut, stepSeed } from './order';
import { resolveSettings, type TrainerSettings } from './settings';
import { resumeNotes } from './resume-notes';
import { initialProgress, readTrainerState, writeTrainerState, type StateParts, type TrainerState, type TrainingProgress } from './state';
import { holdsOptimizerState } from './state-fit';
import { StepGate, type TrainerStatus } from './step-gate';
import type { TrainerOptions } from './trainer-options';

export type { TrainerOptions };

/** What a step event reports, fixed when its metrics are snapshotted; `report` numbers it for the NaN guard. */
interface StepInfo {
  readonly epoch: number; readonly step: number; readonly globalStep: number; readonly lr: number; readonly report: number;
  readonly keep: CaptureCompletion | null;
}

export class Trainer {
  readonly network: Network;
  readonly settings: TrainerSettings;
  /** Optimizer steps per epoch; 1 with optimizer=newton, whose iterations count as epochs. */
  readonly stepsPerEpoch: number;
  /** The optimizer's saved state: sgd/adam slots, or Newton's λ (its step count = Newton iterations). */
  readonly optimizer: OptimizerState;
  /** The per-step update rule (sgd, adam); null with optimizer=newton. */
  private readonly stepRule: Optimizer | null;
  /** Newton's method (optimizer=newton), else null. */
  private readonly newton: NewtonTraining | null;
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
  private readonly guard: NonFiniteGuard;
  private readonly lastGood: LastGoodState;
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

    const input = checkInputShape(spec, dataset);
    // The network tracks (and releases) its own tensors; the view above tracks only the trainer's.
    this.network = new Network(options.backend, spec, { maxBatch: this.settings.batch, seed: this.settings.seed });
    checkClasses(dataset, this.network.classes);
    checkValidationSplit(options.validationSplit, input);
    const split = holdOut(dataset.train.count, options.validationSplit ? 0 : this.settings.validation, this.settings.seed);
    this.trainIndices = split.train;
    this.validation = options.validationSplit ?? (split.validation.length > 0 ? takeExamples(dataset.train, exampleSize(dataset), split.validation) : null);
    if (this.trainIndices.length === 0) throw new TrainError(`data set '${dataset.name}' has no training examples left to train on`);
    if (this.settings.optimizer === 'newton') {
      this.newton = new NewtonTraining(backend, this.network, {
        settings: spec.train.newton, examples: this.trainIndices, seed: this.settings.seed,
        load: (indices) => this.loadBatch(this.dataset.train, indices), yieldIfDue: () => this.gate.yieldIfDue(),
      });
      this.stepRule = null;
      this.optimizer = this.newton.state;
      this.stepsPerEpoch = 1;
    } else {
      this.newton = null;
      this.stepRule = createOptimizer(backend, this.network.parameters, this.settings);
      this.optimizer = this.stepRule;
      this.stepsPerEpoch = Math.ceil(this.trainIndices.length / this.settings.batch);
    }

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
    this.guard = new NonFiniteGuard(backend, this.network, this.optimizer);
    this.lastGood = new LastGoodState(options.lastGoodStateEvery ?? 0);
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

  /**
   * Trains until every epoch is done or stop() is called, or (with untilStep) once that many
   * optimizer steps have been taken in all. Resolves with the reason; untilStep's is 'stopped'.
   */
  async run(options: { untilStep?: number } = {}): Promise<'completed' | 'stopped'> {
    const untilStep = options.untilStep ?? Infinity;
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
      const reason = this.newton ? await this.runNewton(this.newton, untilStep) : await this.runSteps(untilStep);
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

  /** The sgd/adam loop: epochs of steps, metrics read every few steps; resolves with why it ended. */
  private async runSteps(untilStep: number): Promise<'completed' | 'stopped'> {
    let reason: 'completed' | 'stopped' = 'completed';
    // Every pipeline a step launches, built up front and asynchronously (no stall in the webview).
    // The optimizer's dry step is undone on the host: its count is the only state a dry pass touches.
    const rule = this.stepRule;
    await this.network.compilePipelines(this.metrics.accumulator,
      rule ? () => { const steps = rule.steps; rule.step(this.learningRate); rule.restoreSteps(steps); } : undefined);
    while (this.position.epoch < this.settings.epochs) {
      const order = epochOrder(this.trainIndices, this.settings.seed, this.position.epoch);
      const epochStart = this.now();
      this.lastReportTime = epochStart;
      this.pausedMs = 0;
      this.imagesTimed = 0;
      this.guard.epochStart(this.position);
      while (this.position.stepInEpoch < this.stepsPerEpoch) {
        if (this.guard.badReport !== null) await this.recoverFromNonFinite(order);
        if (this.position.globalStep >= untilStep) this.gate.stop();
        if (!(await this.gate.pass())) break;
        const single = this.gate.status === 'paused';
        this.trainStep(order);
        if (this.stepsSinceReport >= this.reportEvery || this.position.stepInEpoch === this.stepsPerEpoch || single) {
          await this.report(single);
        }
      }
      if (this.gate.stopping) { reason = 'stopped'; break; }
      await this.metrics.drain();
      if (this.guard.badReport !== null) { await this.recoverFromNonFinite(order); continue; }
      await this.finishEpoch(epochStart);
    }
    return reason;
  }

  /**
   * optimizer=newton: one Newton iteration per epoch (engine/newton), pause and stop honoured
   * between iterations; each reports a `newton` event, then an `epoch` event with the evaluations.
   */
  private async runNewton(newton: NewtonTraining, untilStep: number): Promise<'completed' | 'stopped'> {
    while (this.position.epoch < this.settings.epochs) {
      if (this.position.globalStep >= untilStep) this.gate.stop();
      if (!(await this.gate.pass())) return 'stopped';
      const single = this.gate.status === 'paused';
      const started = this.now();
      this.pausedMs = 0;
      const it = await newton.iterate();
      const trainSeconds = Math.max(this.now() - started - this.pausedMs, 1e-3) / 1000;
      const test = this.evaluateEachEpoch && this.dataset.test.count > 0 ? await this.evaluateSplit(this.dataset.test, false) : null;
      const validation = this.validation && this.evaluateEachEpoch ? await this.evaluateSplit(this.validation, false) : null;
      const examples = this.trainIndices.length;
      this.position.globalStep++;
      this.position.stepInEpoch = 1;
      this.lastGood.capture(this.stateParts(), this.position, { stepsPerEpoch: 1, settings: this.settings, dataName: this.dataset.name })
        ?.([it.loss * examples, it.accuracy * examples, examples]);
      this.position.epoch++;
      this.position.stepInEpoch = 0;
      const seconds = (this.now() - started - this.pausedMs) / 1000;
      this.emit({
        type: 'newton', iteration: it.iteration, f: it.f, previousF: it.previousF, loss: it.loss, gradientNorm: it.gradientNorm, stepSize: it.stepSize,
        cgIterations: it.cgIterations, actualReduction: it.actualReduction, predictedReduction: it.predictedReduction, lambda: it.lambda,
        backtracks: it.backtracks, subsampleSize: newton.subsampleSize, trainAccuracy: it.accuracy,
        validationAccuracy: validation?.accuracy ?? null, testAccuracy: test?.accuracy ?? null, seconds,
      });
      this.emit({
        type: 'epoch', epoch: this.position.epoch, loss: it.loss, trainAccuracy: it.accuracy,
        testLoss: test?.loss ?? null, testAccuracy: test?.accuracy ?? null, validationAccuracy: validation?.accuracy ?? null,
        // Examples through the forward pass of the objective's evaluations: the line search's tries and the gradient.
        seconds, imagesPerSecond: examples * (it.backtracks + 2) / trainSeconds,
      });
      if (single) this.gate.releaseSteps();
    }
    return 'completed';
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

  /**
   * The state as of a recent report, kept on the host (with lastGoodStateEvery): after the device
   * was lost, restoreState() it into a trainer on a new device or the cpu to go on from there.
   */
  lastGoodState(): TrainerState | null { return this.lastGood.state; }

  /** Full state for a checkpoint; call while idle, paused or done. */
  async saveState(): Promise<TrainerState> {
    if (this.status === 'running') throw new TrainError('pause training before saving its state');
    await this.metrics.drain();
    return readTrainerState(this.stateParts(), this.position, {
      settings: this.settings, dataName: this.dataset.name, unreportedSteps: this.stepsSinceReport, accumulator: this.metrics.accumulator,
    });
  }

  /**
   * Continues from a saved state (before run(), or while paused). Optimizer state is optional (a
   * weights-only checkpoint starts the optimizer fresh); weights and buffers are required, and a
   * state that does not fit is refused whole. Resolves with what differs from the saved run (see
   * resume-notes.ts): empty when training continues exactly as it would have.
   */
  async restoreState(state: TrainerState): Promise<string[]> {
    if (this.status === 'running') throw new TrainError('pause training before restoring a state');
    const restored = writeTrainerState(this.stateParts(), state,
      { stepsPerEpoch: this.stepsPerEpoch, batch: this.settings.batch, trainExamples: this.trainIndices.length });
    // Reports still in flight belong to the old progress; let them land before replacing it.
    await this.metrics.drain();
    this.position = restored;
    this.newton?.invalidate();
    this.metrics.discard();
    this.stepsSinceReport = 0;
    // Sums of the steps after the saved run's last report go back where they were, so this run
    // reports (and rounds) in the same groups as an uninterrupted one.
    if (state.unreported && restored.stepInEpoch > 0) {
      this.backend.write(this.metrics.accumulator, state.unreported.sums);
      this.stepsSinceReport = state.unreported.steps;
    }
    return resumeNotes(state, {
      settings: this.settings, dataName: this.dataset.name, hasOptimizerState: holdsOptimizerState(state.tensors, this.optimizer),
      stepInEpoch: restored.stepInEpoch, stepsPerEpoch: this.stepsPerEpoch,
    });
  }

  // ── the loop's pieces ───────────────────────────────────────────────────────────────────────

  /** Enqueues one training step on the batch at the current position of `order`. */
  private trainStep(order: Int32Array): void {
    const at = this.position, n = this.loadStepBatch(order);
    const pass: Pass = { n, training: true, seed: stepSeed(this.settings.seed, at.globalStep) };
    const net = this.network;
    net.forward(pass);
    net.computeLoss(n, this.metrics.accumulator, true);
    net.backward(pass);
    if (!this.stepRule) throw new TrainError(`optimizer=${this.settings.optimizer} takes no per-step updates`);
    this.stepRule.step(this.learningRate);
    this.backend.flush();
    at.stepInEpoch++;
    at.globalStep++;
    this.stepsSinceReport++;
  }

  /** Loads the batch of the current position's step; returns its size. */
  private loadStepBatch(order: Int32Array): number {
    const batch = this.settings.batch, from = this.position.stepInEpoch * batch;
    const indices = order.subarray(from, Math.min(from + batch, order.length));
    this.loadBatch(this.dataset.train, indices);
    return indices.length;
  }

  /**
   * After a report's loss came back non-finite: back to the last good state, then the steps from
   * there one at a time until one gives a non-finite loss or weights; that step is undone, searched
   * for the layer where values first stop being finite, reported, and training pauses before it.
   */
  private async recoverFromNonFinite(order: Int32Array): Promise<void> {
    await this.metrics.drain();
    const reachedStep = this.position.globalStep;
    this.position = this.guard.rollback();
    this.metrics.discard();  // sums of steps after the last report belong to the rolled-back steps
    const spoiled = await this.guard.firstNonFiniteParameter();
    let found: { step: number | null; site: NonFiniteSite | null } | null = spoiled ? { step: null, site: this.guard.updateSite(spoiled) } : null;
    while (!found && this.position.globalStep < reachedStep && this.position.stepInEpoch < this.stepsPerEpoch) {
      this.guard.keepBeforeStep(this.position);
      this.trainStep(order);
      const [lossSum, correct, count] = await this.backend.read(this.metrics.accumulator);
      this.metrics.discard();
      const badWeight = Number.isFinite(lossSum) ? await this.guard.firstNonFiniteParameter() : null;
      if (Number.isFinite(lossSum) && badWeight === null) {
        const totals = this.position.epochTotals;
        totals[0] += lossSum; totals[1] += correct; totals[2] += count;
        continue;
      }
      this.position = this.guard.undoStep();
      const n = this.loadStepBatch(order);
      const site = await this.guard.locate(n, stepSeed(this.settings.seed, this.position.globalStep), this.metrics.accumulator)
        ?? (badWeight ? this.guard.updateSite(badWeight) : null);
      this.position = this.guard.undoStep();  // locate's forward pass moved batch-norm statistics
      found = { step: this.position.globalStep + 1, site };
    }
    this.stepsSinceReport = 0;
    this.metrics.discard();
    const step = found?.step ?? null, site = found?.site ?? null;
    this.emit({
      type: 'nonFinite', epoch: this.position.epoch + 1, step, layer: site?.layer ?? null, where: site?.where ?? null, tensor: site?.tensor ?? null,
      message: describeNonFinite(this.network, step, site, reachedStep, this.position.globalStep), lastGoodStep: this.position.globalStep,
    });
    this.gate.pause();
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
    const report = this.guard.report(this.position, stepInEpoch < this.stepsPerEpoch);
    const keep = this.lastGood.capture(this.stateParts(), this.position, { stepsPerEpoch: this.stepsPerEpoch, settings: this.settings, dataName: this.dataset.name });
    const info: StepInfo = { epoch: epoch + 1, step: stepInEpoch, globalStep, lr: decayedLearningRate(this.baseLr, this.settings.decay, globalStep - 1), report, keep };
    this.stepsSinceReport = 0;
    return this.metrics.report((lossSum, correct, count) => this.onMetrics(lossSum, correct, count, info, releaseSteps));
  }

  private onMetrics(lossSum: number, correct: number, count: number, info: StepInfo, releaseSteps: boolean): void {
    // From a non-finite report on, figures wait for the recovery (which recounts the good steps).
    const counted = count > 0 && this.guard.badReport === null && Number.isFinite(lossSum);
    const totals = this.position.epochTotals;
    if (counted) { totals[0] += lossSum; totals[1] += correct; totals[2] += count; }
    this.guard.read(info.report, lossSum, totals);
    info.keep?.(this.guard.badReport === null ? totals : null);
    if (counted) {
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

  private evaluateSplit(split: Split, confusion: boolean): Promise<Evaluation> {
    return evaluateSplit({
      backend: this.backend, network: this.network, metrics: this.evalMetrics, batch: this.settings.batch,
      load: (indices) => this.loadBatch(split, indices), yieldIfDue: () => this.gate.yieldIfDue(),
    }, split, confusion);
  }

  private stateParts(): StateParts {
    return { backend: this.backend, network: this.network, optimizer: this.optimizer };
  }

  private emit(event: TrainEvent): void {
    this.onEvent(event);
  }
}
