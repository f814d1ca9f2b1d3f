// The training loop shared by the CLI, the webview (WebGPU) and the webview's CPU Web Worker: the
// public face of training, composed of the parts beside it (index.ts lists them), and the sgd/adam
// loop, which feeds batches, evaluates after each epoch and reports events (optimizer=newton's loop
// is newton-run.ts). No Node APIs and no DOM: progress leaves through onEvent only.
//
// No stall per step: every step is enqueued without reading anything back; metrics are read every
// `reportEvery` steps while later steps are already queued.

import type { Backend } from '../backend';
import { exampleSize, type Dataset, type Split } from '../data/dataset';
import { takeExamples } from '../data/split';
import { trackAllocations } from '../layers/allocations';
import type { Pass } from '../layers/layer';
import { Network } from '../network';
import type { NewtonTraining } from '../newton/newton-training';
import { decayedLearningRate, type Optimizer, type OptimizerState } from '../optim/optimizer';
import { BatchLoader } from './batch-loader';
import { checkClasses, checkInputShape, checkValidationSplit } from './data-fit';
import { EpochClock } from './epoch-clock';
import { TrainError } from './errors';
import { Evaluator, type Evaluation } from './evaluation';
import type { TrainEvent } from './events';
import { LastGoodState, type CaptureCompletion } from './last-good-state';
import { Inspector, type Inspection, type ParameterGradient } from './inspection';
import { MetricsRing } from './metrics-ring';
import { runNewton } from './newton-run';
import { NonFiniteGuard } from './non-finite';
import { recoverFromNonFinite } from './non-finite-recovery';
import { epochOrder, holdOut, stepSeed } from './order';
import { resolveSettings, type TrainerSettings } from './settings';
import { resumeNotes } from './resume-notes';
import { initialProgress, readTrainerState, writeTrainerState, type StateParts, type TrainerState, type TrainingProgress } from './state';
import { holdsOptimizerState } from './state-fit';
import { StepGate, type TrainerStatus } from './step-gate';
import type { TrainerOptions } from './trainer-options';
import { createUpdateRule } from './update-rule';

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
  private readonly now: () => number;

  private readonly gate: StepGate;
  private readonly metrics: MetricsRing;
  private readonly evaluator: Evaluator;
  private readonly inspector: Inspector;
  private readonly guard: NonFiniteGuard;
  private readonly lastGood: LastGoodState;
  private readonly loader: BatchLoader;
  private readonly clock: EpochClock;

  private baseLr: number;
  private position: TrainingProgress = initialProgress();
  private stepsSinceReport = 0;

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
    this.loader = new BatchLoader(backend, this.network, dataset, this.settings.batch);
    const update = createUpdateRule(backend, this.network, {
      settings: this.settings, newtonSettings: spec.train.newton, examples: this.trainIndices,
      load: (indices) => this.loader.load(this.dataset.train, indices), yieldIfDue: () => this.gate.yieldIfDue(),
    });
    this.stepRule = update.stepRule;
    this.newton = update.newton;
    this.optimizer = update.optimizer;
    this.stepsPerEpoch = update.stepsPerEpoch;

    this.clock = new EpochClock(this.now);
    this.gate = new StepGate({
      now: this.now,
      settle: () => this.metrics.drain(),
      paused: () => this.emit({ type: 'paused', epoch: this.position.epoch, step: this.position.globalStep }),
      resumed: () => this.emit({ type: 'resumed', epoch: this.position.epoch, step: this.position.globalStep }),
      slept: (ms) => this.clock.paused(ms),
    });
    this.metrics = new MetricsRing(backend);
    this.evaluator = new Evaluator(backend, this.network, this.loader, this.settings.batch,
      { dataset, validation: this.validation, eachEpoch: options.evaluateEachEpoch ?? true }, () => this.gate.yieldIfDue());
    this.inspector = new Inspector(backend, this.network, dataset);
    this.guard = new NonFiniteGuard(backend, this.network, this.optimizer);
    this.lastGood = new LastGoodState(options.lastGoodStateEvery ?? 0);
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
      const reason = this.newton ? await runNewton(this.newton, {
        settings: this.settings, dataName: this.dataset.name, trainExamples: this.trainIndices.length, gate: this.gate, clock: this.clock,
        lastGood: this.lastGood, position: () => this.position, stateParts: () => this.stateParts(), evaluateEpoch: () => this.evaluator.afterEpoch(),
        emit: (event) => this.emit(event),
      }, untilStep) : await this.runSteps(untilStep);
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
      this.clock.startEpoch();
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
      await this.finishEpoch();
    }
    return reason;
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
    return this.evaluator.evaluate(which, options.confusion ?? false);
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
    this.loader.load(this.dataset.train, indices);
    return indices.length;
  }

  /** After a report's loss came back non-finite: back to the last good state, reported, and paused there. */
  private async recoverFromNonFinite(order: Int32Array): Promise<void> {
    const event = await recoverFromNonFinite({
      backend: this.backend, network: this.network, guard: this.guard, metrics: this.metrics,
      seed: this.settings.seed, stepsPerEpoch: this.stepsPerEpoch,
      position: () => this.position, setPosition: (position) => { this.position = position; },
      trainStep: () => this.trainStep(order), loadStepBatch: () => this.loadStepBatch(order),
    });
    this.stepsSinceReport = 0;
    this.emit(event);
    this.gate.pause();
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
      const seconds = this.clock.reported(count);
      this.emit({
        type: 'step', epoch: info.epoch, step: info.step, stepsPerEpoch: this.stepsPerEpoch, globalStep: info.globalStep,
        examples: count, loss: lossSum / count, accuracy: correct / count, imagesPerSecond: count / seconds, lr: info.lr,
      });
    }
    if (releaseSteps) this.gate.releaseSteps();
  }

  /** After an epoch's last step has been reported: evaluates, advances the epoch and reports it. */
  private async finishEpoch(): Promise<void> {
    const trainSeconds = this.clock.trainSeconds();
    const [lossSum, correct, count] = this.position.epochTotals;
    const { test, validation } = await this.evaluator.afterEpoch();
    this.position.epoch++;
    this.position.stepInEpoch = 0;
    this.position.epochTotals = [0, 0, 0];
    this.emit({
      type: 'epoch', epoch: this.position.epoch, loss: lossSum / count, trainAccuracy: correct / count,
      testLoss: test?.loss ?? null, testAccuracy: test?.accuracy ?? null, validationAccuracy: validation?.accuracy ?? null,
      seconds: this.clock.seconds(), imagesPerSecond: this.clock.imagesTimed / trainSeconds,
    });
  }

  private stateParts(): StateParts {
    return { backend: this.backend, network: this.network, optimizer: this.optimizer };
  }

  private emit(event: TrainEvent): void {
    this.onEvent(event);
  }
}
