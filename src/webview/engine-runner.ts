// The engine side of the panel: owns the backend, the Trainer and the plot readbacks, and speaks
// engine-protocol.ts. The same class runs in the webview's thread (WebGPU engine) and in the CPU
// Web Worker (cpu-worker.ts), so the UI never knows which one it drives.
//
// Readbacks for plots (telemetry.ts) are occasional and asynchronous. Gradients, feature maps and
// filters are captured every `plotEvery` steps, from inside a trainer event callback: the trainer
// enqueues each step synchronously, so at that moment no step is half-recorded, and the capture
// enqueues its reads (for feature maps after one eval-mode forward pass of the chosen test image)
// between two steps. They arrive while training already continues.
//
// Test evaluation with the confusion matrix needs a trainer that is not running: after each epoch the
// runner pauses the trainer, evaluates, and resumes it. Those internal pauses are invisible to the UI,
// whose own pause state is tracked separately (`paused` events).

import { CpuBackend, gradientCheck, Trainer, type Backend, type Dataset, type GradCheckResult, type TrainEvent, errorMessage } from '../engine';
import type { ModelSpec } from '../lang';
import { trainerStateOf, trainerStatePayload, type RunSettings } from '../protocol';
import { Responder } from '../rpc';
import { parse, tryParse } from '../schema';
import {
  checkGradients, engineCommandSchema, saveState, type EngineCommand, type EngineEvent, type PlotOptions, type RestorePayload,
} from './engine-protocol';
import { Telemetry } from './telemetry';

export type BackendPurpose = 'train' | 'gradcheck';
/** Reports between host copies of a GPU run's state: each costs one read of every weight. */
export const LAST_GOOD_STATE_EVERY = 10;
export type Emit = (event: EngineEvent, transfer?: Transferable[]) => void;

export class EngineRunner {
  private spec: ModelSpec | null = null;
  private dataset: Dataset | null = null;
  private run: Run | null = null;

  constructor(private readonly emit: Emit, private readonly createBackend: (purpose: BackendPurpose) => Promise<Backend>) {}

  /** Answers the UI's requests (rpc.ts); a failure becomes the request's error reply. */
  private readonly responder = new Responder((response, transfer) => this.emit(response, transfer))
    .on(saveState, () => {
      if (!this.run) throw new Error('nothing to saveState: training has not started');
      return this.run.saveState();
    })
    .on(checkGradients, () => this.gradientCheck());

  /** Validates and executes one command or request; failures become `failed` events or error replies, never exceptions. */
  receive(data: unknown): void {
    const parsed = tryParse((x) => parse(engineCommandSchema, x, 'command'), data);
    if (!parsed.ok) {
      this.emit({ type: 'failed', message: `engine: ignored a malformed command (${parsed.error})` });
      return;
    }
    const c = parsed.message;
    if (c.type === 'request') void this.responder.receive(c);
    else this.handle(c).catch((e: unknown) => this.emit({ type: 'failed', message: errorMessage(e) }));
  }

  private async handle(c: EngineCommand): Promise<void> {
    switch (c.type) {
      case 'load':
        if (this.run?.live) throw new Error('cannot load a new model while training runs; stop it first');
        this.spec = c.spec;
        this.dataset = c.dataset;
        return;
      case 'start': return this.start(c.settings, c.reportEvery, c.plots, c.restore, c.pace ?? EVERY_REPORT);
      default: break;
    }
    const run = this.run;
    if (!run) {
      if (c.type === 'setPlots' || c.type === 'setLearningRate') return;  // nothing running: keep for the next run
      throw new Error(`nothing to ${c.type}: training has not started`);
    }
    switch (c.type) {
      case 'pause': return run.pause();
      case 'resume': return run.resume();
      case 'stop': return run.stop();
      case 'step': return run.stepOnce();
      case 'setLearningRate': return run.trainer.setLearningRate(c.lr);
      case 'setPlots': return run.setPlots(c.plots);
    }
  }

  private async start(settings: RunSettings, reportEvery: number, plots: PlotOptions, restore: RestorePayload | null, pace: Pace): Promise<void> {
    if (!this.spec || !this.dataset) throw new Error('no model loaded');
    if (this.run?.live) throw new Error('training is already running; stop it before starting again');
    this.run?.dispose();
    this.run = null;
    const backend = await this.createBackend('train');
    this.emit({ type: 'backend', name: backend.name, description: backend.description });
    let trainer: Trainer;
    let run: Run | null = null;
    try {
      trainer = new Trainer({
        spec: this.spec, dataset: this.dataset, backend, reportEvery, evaluateEachEpoch: false,
        settings: { ...settings, validation: typeof this.spec.train.validation === 'number' ? this.spec.train.validation : 0 },
        // On a GPU the device can be lost mid-run: keep a recent state on the host to continue from.
        ...(backend.name === 'webgpu' ? { lastGoodStateEvery: LAST_GOOD_STATE_EVERY } : {}),
        onEvent: (e) => run?.onTrainEvent(e),
      });
      if (restore) {
        const notes = await trainer.restoreState(trainerStateOf(restore));
        this.emit({ type: 'restored', epoch: restore.epoch, step: restore.step, notes });
      }
    } catch (e) {
      backend.destroy();
      throw e;
    }
    run = new Run(trainer, backend, this.dataset, this.spec, plots, pace, this.emit);
    this.run = run;
    run.begin();
  }

  /** Ends any run and frees its backend. */
  dispose(): void {
    this.run?.dispose();
    this.run = null;
  }

  private async gradientCheck(): Promise<GradCheckResult> {
    if (!this.spec) throw new Error('no model loaded');
    const backend = await this.createBackend('gradcheck');
    // f32 finite differences only catch gross errors: on WebGPU also compare with the f64 CPU's gradients.
    const reference = backend.name === 'cpu' ? undefined : new CpuBackend({ precision: 'f64' });
    try {
      return await gradientCheck(backend, this.spec, reference ? { reference } : {});
    } finally {
      backend.destroy();
      reference?.destroy();
    }
  }
}

/**
 * How often the page hears of steps and gets new plots, at most. A fast engine (the wasm CPU trains
 * hundreds of steps a second) must not flood the page with redraws: steps between two reports still
 * count in the next report's step number; only their intermediate loss points are not drawn.
 */
export interface Pace { readonly stepMs: number; readonly captureMs: number }
const EVERY_REPORT: Pace = { stepMs: 0, captureMs: 0 };

/** One training run: a trainer on its own backend, with the pause bookkeeping and plot readbacks. */
class Run {
  /** The person's pause (the trainer also pauses internally for jobs). */
  private userPaused = false;
  private pauseShown = false;
  /** Work that needs a stopped trainer (evaluation, state saves), run in order. */
  private readonly jobs: (() => Promise<void>)[] = [];
  private draining = false;
  private finished = false;
  private readonly telemetry: Telemetry;
  private lastGradients = -Infinity;
  /** Gradients exist only after this run's first backward pass (before it they are zeros). */
  private stepped = false;
  private lastFeatures = -Infinity;
  private lastStepReportAt = -Infinity;
  private lastCaptureAt = -Infinity;
  private disposed = false;
  private readonly emit: Emit;

  constructor(readonly trainer: Trainer, private readonly backend: Backend, dataset: Dataset, private readonly spec: ModelSpec,
    private plots: PlotOptions, private readonly pace: Pace, emit: Emit) {
    // A disposed run is silent: its stop, last reports and captures must not reach a new run's panel.
    this.emit = (event, transfer) => { if (!this.disposed) emit(event, transfer); };
    this.telemetry = new Telemetry(backend, trainer.network, dataset, this.emit);
  }

  /** Started and not finished. */
  get live(): boolean { return !this.finished; }

  begin(): void {
    // Filters and feature maps of the untrained network, so the panel shows them before step 1.
    void this.capture(true);
    this.trainer.run().catch(() => {
      // The trainer already reported it as an `error` event.
    });
  }

  onTrainEvent(e: TrainEvent): void {
    switch (e.type) {
      case 'paused':
        // The trainer stopped between steps: run pending jobs, or show the person's pause.
        if (this.jobs.length > 0) void this.drain();
        else if (this.userPaused) this.showPaused(true);
        else this.trainer.resume();
        return;
      case 'resumed':
        return;
      case 'step': {
        this.stepped = true;
        const now = performance.now();
        if (now - this.lastStepReportAt < this.pace.stepMs) return;
        this.lastStepReportAt = now;
        this.emit({ type: 'train', event: e });
        if (now - this.lastCaptureAt >= this.pace.captureMs) void this.capture(false);
        return;
      }
      case 'epoch':
        this.emit({ type: 'train', event: e });
        this.schedule(() => this.evaluate(e.epoch));
        return;
      case 'done':
        this.finished = true;
        // The final plots first, so the panel shows the finished network when it hears `done`.
        this.schedule(async () => {
          await this.capture(true);
          this.emit({ type: 'train', event: e });
        });
        return;
      case 'error': {
        this.finished = true;
        this.emit({ type: 'train', event: e });
        const saved = this.trainer.lastGoodState();
        if (saved && saved.step > 0) this.emit({ type: 'recoverable', state: trainerStatePayload(saved) });
        return;
      }
      case 'nonFinite':
        // The trainer pauses next; that pause is the person's to end (Resume, Step once, Stop).
        this.userPaused = true;
        this.emit({ type: 'train', event: e });
        return;
      case 'start':
      case 'newton':
        this.emit({ type: 'train', event: e });
        return;
    }
  }

  pause(): void {
    this.userPaused = true;
    if (this.trainer.status === 'paused' && !this.draining) this.showPaused(true);
    else this.trainer.pause();
  }

  resume(): void {
    this.userPaused = false;
    this.showPaused(false);
    // While jobs run, drain() resumes the trainer when they are done.
    if (!this.draining) this.trainer.resume();
  }

  stop(): void {
    this.userPaused = false;
    this.trainer.stop();
  }

  async stepOnce(): Promise<void> {
    if (!this.userPaused || this.trainer.status !== 'paused' || this.draining) throw new Error('pause training before stepping once');
    await this.trainer.step();
    await this.capture(true);
  }

  setPlots(plots: PlotOptions): void {
    const exampleChanged = plots.example !== this.plots.example;
    this.plots = plots;
    // A paused or finished run shows the new example now; a running one at its next readback.
    if (exampleChanged && this.trainer.status !== 'running') void this.telemetry.features(this.plots.example, this.trainer.progress.globalStep);
    else if (exampleChanged) this.lastFeatures = -Infinity;
  }

  saveState(): Promise<RestorePayload> {
    return new Promise<RestorePayload>((resolve, reject) => {
      this.schedule(async () => {
        try {
          resolve(trainerStatePayload(await this.trainer.saveState()));
        } catch (e) {
          reject(e);
        }
      });
    });
  }

  dispose(): void {
    this.disposed = true;
    this.trainer.stop();
    this.telemetry.dispose();
    this.backend.destroy();
  }

  /** Runs `job` once the trainer is not running (pausing it if needed). */
  private schedule(job: () => Promise<void>): void {
    this.jobs.push(job);
    if (this.trainer.status === 'running') this.trainer.pause();  // drain() starts on the `paused` event
    else void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.jobs.length > 0) {
        try {
          await this.jobs.shift()!();
        } catch (e) {
          this.emit({ type: 'failed', message: errorMessage(e) });
        }
      }
    } finally {
      this.draining = false;
    }
    if (this.trainer.status === 'paused') {
      if (this.userPaused) this.showPaused(true);
      else this.trainer.resume();
    }
  }

  private showPaused(paused: boolean): void {
    if (paused === this.pauseShown) return;
    this.pauseShown = paused;
    const p = this.trainer.progress;
    this.emit({ type: 'paused', paused, epoch: p.epoch, globalStep: p.globalStep });
    if (paused) void this.capture(true);
  }

  /** Gradients, feature maps and filters, when due (or now, with `force`); resolves once reported. */
  private capture(force: boolean): Promise<unknown> {
    const step = this.trainer.progress.globalStep;
    this.lastCaptureAt = performance.now();
    const reads: Promise<void>[] = [];
    if (force || step - this.lastGradients >= this.plots.plotEvery) {
      this.lastGradients = step;
      if (this.stepped) reads.push(this.telemetry.gradients(step));
      reads.push(this.telemetry.filters(step));
    }
    if (force || step - this.lastFeatures >= this.plots.plotEvery) {
      this.lastFeatures = step;
      reads.push(this.telemetry.features(this.plots.example, step));
    }
    return Promise.all(reads);
  }

  private async evaluate(epoch: number): Promise<void> {
    const test = await this.trainer.evaluate('test', { confusion: true });
    const validation = typeof this.spec.train.validation === 'number' && this.spec.train.validation > 0
      ? await this.trainer.evaluate('validation') : null;
    this.emit({
      type: 'evaluation', epoch, loss: test.loss, accuracy: test.accuracy,
      validationAccuracy: validation?.accuracy ?? null, confusion: test.confusion ?? [],
    });
  }
}
