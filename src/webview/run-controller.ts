// A training run from the panel's side: the status machine (idle → loading → running ⇄ paused →
// done | failed), the engine's events turned into history and progress, and the run's state going to
// the host as checkpoints (Save, Save as…, the final state) and coming back (Resume from checkpoint).

import { errorMessage } from '../engine';
import type { BackendName } from '../engine';
import {
  loadCheckpoint, runFinished, saveCheckpoint, type RunSettings, type TrainingStatePayload, type TrainingStatus,
} from '../protocol';
import { saveState, type EngineCommand, type EngineNotification, type RestorePayload, type TrainEventPayload } from './engine-protocol';
import type { Engines, PanelModel } from './engines';
import type { History } from './history';
import type { HostLink } from './host-link';
import { EtaEstimator } from './lib/eta';
import { baseName, nonFiniteText, recoveredText, resumeNotesText, resumingText } from './lib/run-texts';
import { RunStateAutosave } from './run-autosave';
import type { PanelSettings, RestoredState } from './saved-state';
import type { FeatureView } from './ui/feature-view';
import { showBackend } from './ui/header';
import type { Notices } from './ui/notices';
import type { Plots } from './ui/plots';
import {
  showLastRun, showLearningRate, showProgress, showStatus, showTestAccuracy, type ProgressSnapshot, type StepEvent,
} from './ui/progress';

interface RunInfo {
  epochs: number;
  stepsPerEpoch: number;
  totalSteps: number;
  readonly settings: RunSettings;
  readonly backend: BackendName;
}

export interface RunDeps {
  readonly engines: Engines;
  readonly history: History;
  readonly plots: Plots;
  readonly features: FeatureView;
  readonly notices: Notices;
  readonly host: HostLink;
  /** The model from the host's last init; null while it is loading. */
  panel(): PanelModel | null;
  /** The settings in the controls, or null (marked) when one is invalid. */
  settings(): PanelSettings | null;
  /** The status changed (controls, saved state). */
  statusChanged(status: TrainingStatus): void;
  /** Something the saved state keeps changed. */
  changed(): void;
  /** Redraw the loss and feature maps at the next frame. */
  queueRedraw(): void;
}

type DoneEvent = Extract<TrainEventPayload, { type: 'done' }>;

/** At most 20 step reports and 4 plot captures a second: enough for smooth charts, never a flood. */
const PANEL_PACE = { stepMs: 50, captureMs: 250 };

export class RunController {
  private currentStatus: TrainingStatus = 'idle';
  private current: RunInfo | null = null;
  private epoch = 0;
  private globalStep = 0;
  private imagesPerSecond: number | null = null;
  private readonly eta = new EtaEstimator();
  /** The engine's own description of its backend, e.g. "webgpu (SwiftShader …)". */
  private backendDescription: string | null = null;
  /** The last checkpoint written, offered again after a reload. */
  lastCheckpoint: string | null = null;
  /** The checkpoint the current run continues, for the engine's resume notes. */
  private resumedFrom: string | null = null;
  /** The run was stopped (not completed): its status reads "Stopped". */
  private stopped = false;
  /** The last run's failure, for the banner that says what survived it. */
  private failure: string | null = null;
  private readonly autosave: RunStateAutosave;

  constructor(private readonly d: RunDeps) {
    this.autosave = new RunStateAutosave(() => this.trainingState(), (state) => d.host.notify({ type: 'runState', state }),
      (e) => d.host.log('warn', `could not keep the run's state for the host: ${errorMessage(e)}`));
  }

  get status(): TrainingStatus { return this.currentStatus; }

  /** A run was started in this page. */
  get started(): boolean { return this.current !== null; }

  /** Running, paused or starting. */
  get live(): boolean {
    return this.currentStatus === 'running' || this.currentStatus === 'paused' || this.currentStatus === 'loading';
  }

  /** There is a run whose state can be saved. */
  get hasRun(): boolean {
    const s = this.currentStatus;
    return this.current !== null && this.d.engines.current !== null && (s === 'running' || s === 'paused' || s === 'done');
  }

  /** What the saved state keeps of the run. */
  get progress(): { epoch: number; epochs: number; globalStep: number; totalSteps: number } {
    return { epoch: this.epoch, epochs: this.current?.epochs ?? 0, globalStep: this.globalStep, totalSteps: this.current?.totalSteps ?? 0 };
  }

  /** A new run, or one continuing the state of the checkpoint at `resume.path`. */
  async start(resume: { readonly state: RestorePayload; readonly path: string; readonly modelDiffers?: boolean } | null = null): Promise<void> {
    const restore = resume?.state ?? null;
    if (this.live) throw new Error('training is already running');
    const panel = this.d.panel();
    if (!panel) throw new Error('the model is still loading');
    const s = this.d.settings();
    if (!s) return;
    if (restore && restore.epoch >= s.epochs) {
      throw new Error(`the checkpoint already has ${restore.epoch} epoch${restore.epoch === 1 ? '' : 's'}; set Epochs above ${restore.epoch} to continue training it`);
    }
    const train = panel.model.spec.train;
    const settings: RunSettings = {
      epochs: s.epochs, batch: s.batch, lr: s.lr, optimizer: train.optimizer, momentum: train.momentum,
      decay: train.decay, weightDecay: train.weightDecay, seed: train.seed,
    };
    this.setStatus('loading');
    try {
      const kind = await this.d.engines.kindFor(s.backend);
      const engine = await this.d.engines.ensure(kind, panel);
      // A resumed run continues the curves up to the checkpoint's step; a new run starts them afresh.
      if (restore) this.keepHistoryUpTo(restore.step, restore.epoch);
      else this.resetHistory();
      this.current = { epochs: s.epochs, stepsPerEpoch: 0, totalSteps: 0, settings, backend: kind };
      if (restore) { this.epoch = restore.epoch; this.globalStep = restore.step; }
      this.eta.reset();
      this.autosave.reset(performance.now());
      this.stopped = false;
      this.resumedFrom = resume?.path ?? null;
      this.d.notices.clearBanner('error');
      this.d.notices.clearNotice();
      // Reports every few steps: software backends are slow, so they report more often.
      const software = await this.d.engines.isSoftware(kind);
      engine.send({
        type: 'start', settings, reportEvery: software ? 2 : 10,
        plots: { plotEvery: s.plotEvery, example: s.example }, restore, pace: PANEL_PACE,
      });
      if (resume) {
        const differs = resume.modelDiffers ? ' It was saved from a different version of the model; its tensors fit, so training continues from it.' : '';
        this.d.notices.notice(differs ? 'warning' : 'info', `${resumingText(resume.path, resume.state.epoch, resume.state.step)}.${differs}`);
      }
    } catch (e) {
      this.setStatus('failed');
      throw e;
    }
    this.setStatus('running');
  }

  /** "Resume from checkpoint": the host reads `path`, or lets the person pick a checkpoint. */
  async resumeFromCheckpoint(path?: string): Promise<void> {
    const c = await this.d.host.request(loadCheckpoint, path === undefined ? {} : { path });
    if (!c) return;
    if (this.live) throw new Error('stop the running training before resuming from a checkpoint');
    const { path: from, modelDiffers, ...state } = c;
    await this.start({ state, path: from, modelDiffers });
  }

  pauseOrResume(): void {
    this.send(this.currentStatus === 'paused' ? { type: 'resume' } : { type: 'pause' });
  }

  stepOnce(): void { this.send({ type: 'step' }); }
  stop(): void {
    this.stopped = true;
    this.send({ type: 'stop' });
  }

  /** Applies live while a run goes; otherwise the next run reads it from the controls. */
  setLearningRate(lr: number): void {
    if (this.live) this.send({ type: 'setLearningRate', lr });
  }

  setPlots(settings: PanelSettings): void {
    const engine = this.d.engines.current;
    if (engine && this.current) engine.send({ type: 'setPlots', plots: { plotEvery: settings.plotEvery, example: settings.example } });
  }

  /** Save checkpoint (choose: Save as…). */
  async saveCheckpoint(choose: boolean): Promise<void> {
    const { path } = await this.d.host.request(saveCheckpoint, { choose, state: await this.trainingState() });
    if (path !== null) this.checkpointSaved(path);
  }

  /** Takes back what a reload left: the last checkpoint, how far the run had come, and that it ended. */
  restore(s: RestoredState): void {
    this.lastCheckpoint = s.checkpoint ?? null;
    if (s.progress && s.progress.totalSteps > 0) {
      this.globalStep = s.progress.globalStep;
      this.epoch = s.progress.epoch;
      showLastRun(s.progress.globalStep, s.progress.totalSteps);
    }
    if (s.status === 'running' || s.status === 'paused' || s.status === 'loading') {
      this.d.notices.banner('info', `VS Code reloaded while this model was training (epoch ${(s.progress?.epoch ?? 0) + 1}, step ${s.progress?.globalStep ?? 0}); ` +
        'that run has ended. The plots show its history. ' +
        (this.lastCheckpoint ? `Use "Resume from checkpoint" to continue from ${baseName(this.lastCheckpoint)}.` : 'Start to train again.'));
    }
  }

  /** Until the host's init: the panel waits for its model. */
  loading(): void {
    this.setStatus('loading');
  }

  /** The host's init arrived: a panel that waited for it is ready. */
  modelArrived(): void {
    this.setStatus(this.currentStatus === 'loading' ? 'idle' : this.currentStatus);
  }

  onEngineEvent(e: EngineNotification): void {
    switch (e.type) {
      case 'backend':
        this.backendDescription = e.description;
        showBackend(e.name, e.description);
        return;
      case 'train': return this.onTrainEvent(e.event);
      case 'restored': {
        const text = resumeNotesText(this.resumedFrom ?? 'the checkpoint', e.epoch, e.step, e.notes);
        for (const note of e.notes) this.d.host.log('info', `resume note: ${note}`);
        if (text) this.d.notices.notice('warning', text);
        return;
      }
      case 'paused':
        // Steps since the last report are counted here already (their loss arrives with the next report).
        this.globalStep = Math.max(this.globalStep, e.globalStep);
        if (this.currentStatus === 'running' || this.currentStatus === 'paused') this.setStatus(e.paused ? 'paused' : 'running');
        this.renderProgress();
        if (e.paused) this.eta.pause();
        else this.eta.resume(this.globalStep, performance.now());
        return;
      case 'gradients':
        this.d.plots.drawGradients(this.d.history.addGradients(e.globalStep, e.tensors));
        return;
      case 'features': return this.d.features.showFeatures(e);
      case 'filters': return this.d.features.showFilters(e);
      case 'evaluation':
        this.d.history.testAccuracy(e.epoch, e.accuracy);
        this.d.history.confusion = e.confusion;
        this.d.plots.drawAccuracy();
        this.d.plots.drawConfusion();
        showTestAccuracy(e.accuracy);
        this.d.changed();
        return;
      case 'recoverable':
        void this.keepRecovered(e.state);
        return;
      case 'failed':
        if (this.currentStatus === 'loading' || (this.currentStatus === 'running' && this.current?.totalSteps === 0)) this.setStatus('failed');
        this.d.notices.error(e.message);
        return;
    }
  }

  private onTrainEvent(e: TrainEventPayload): void {
    switch (e.type) {
      case 'start':
        if (this.current) {
          this.current.stepsPerEpoch = e.stepsPerEpoch;
          this.current.epochs = e.epochs;
          this.current.totalSteps = e.epochs * e.stepsPerEpoch;
        }
        this.epoch = e.epoch;
        this.globalStep = e.step;
        this.eta.resume(e.step, performance.now());
        showBackend(this.current?.backend ?? 'cpu', e.backend);
        this.renderProgress();
        return;
      case 'step':
        this.epoch = e.epoch - 1;
        this.globalStep = e.globalStep;
        this.imagesPerSecond = this.imagesPerSecond === null ? e.imagesPerSecond : 0.7 * this.imagesPerSecond + 0.3 * e.imagesPerSecond;
        this.eta.update(e.globalStep, performance.now());
        this.d.history.loss.push(e.globalStep, e.loss);
        showLearningRate(e.lr);
        this.d.queueRedraw();
        this.renderProgress(e);
        this.postStatus();
        this.autosave.due(performance.now());
        return;
      case 'newton':
        this.d.history.addNewton({
          iteration: e.iteration, f: e.f, gradientNorm: e.gradientNorm, stepSize: e.stepSize, cgIterations: e.cgIterations,
          actualReduction: e.actualReduction, predictedReduction: e.predictedReduction, lambda: e.lambda, testAccuracy: e.testAccuracy,
        });
        // An iteration is one optimizer step: the loss curve gets its point too.
        this.globalStep = e.iteration;
        this.d.history.loss.push(e.iteration, e.loss);
        this.eta.update(e.iteration, performance.now());
        this.d.plots.drawNewton();
        this.d.queueRedraw();
        this.renderProgress();
        this.postStatus();
        this.d.changed();
        return;
      case 'epoch':
        this.epoch = e.epoch;
        this.d.history.trainAccuracy(e.epoch, e.trainAccuracy);
        this.d.plots.drawAccuracy();
        this.renderProgress();
        this.d.changed();
        this.autosave.now(performance.now());
        return;
      case 'nonFinite':
        this.globalStep = e.lastGoodStep;
        // The host logs it, and notifies the person when the panel is out of sight.
        this.d.notices.banner('error', nonFiniteText(e));
        this.d.host.notify({ type: 'error', message: nonFiniteText(e) });
        this.renderProgress();
        return;
      case 'done':
        this.epoch = e.epoch;
        this.globalStep = e.globalStep;
        this.stopped = e.reason === 'stopped';
        this.setStatus('done');
        this.renderProgress();
        void this.finish(e);
        return;
      case 'error':
        this.setStatus('failed');
        this.failure = `Training failed: ${e.message}`;
        this.d.notices.error(this.failure);
        return;
    }
  }

  /** After a run: its final state goes to the host, which saves the default checkpoint and shows the summary. */
  private async finish(e: DoneEvent): Promise<void> {
    const accuracy = this.d.history.lastAccuracy;
    const summary = {
      reason: e.reason, epochs: e.epoch, globalStep: e.globalStep, seconds: e.seconds,
      loss: this.d.history.loss.lastY ?? null, trainAccuracy: accuracy.train, testAccuracy: accuracy.test,
      backend: this.backendDescription ?? this.current?.backend ?? 'unknown',
    };
    let state: TrainingStatePayload | null = null;
    try {
      state = e.globalStep > 0 ? await this.trainingState() : null;
    } catch (err) {
      this.d.host.log('error', `could not read the final state: ${errorMessage(err)}`);
    }
    try {
      const { checkpoint } = await this.d.host.request(runFinished, { summary, state });
      if (checkpoint !== null) this.checkpointSaved(checkpoint);
    } catch (err) {
      this.d.notices.error(errorMessage(err));
    }
    this.d.changed();
  }

  /** A failed run's surviving state (a lost GPU) becomes a numbered checkpoint, so the run is not lost. */
  private async keepRecovered(state: RestorePayload): Promise<void> {
    const run = this.current;
    if (!run) return;
    let path: string | null = null;
    try {
      ({ path } = await this.d.host.request(saveCheckpoint, { choose: false, state: { ...state, backend: run.backend, settings: run.settings } }));
      if (path !== null) this.checkpointSaved(path);
    } catch (err) {
      this.d.host.log('error', `could not save the state that survived the failure: ${errorMessage(err)}`);
    }
    this.d.notices.banner('error', `${this.failure ?? 'Training failed.'} ${recoveredText(state.step, path)}`);
  }

  /** The trainer's full state, for a checkpoint. */
  private async trainingState(): Promise<TrainingStatePayload> {
    const engine = this.d.engines.current, run = this.current;
    if (!engine || !run) throw new Error('nothing to save yet: start training first');
    const s = await engine.request(saveState, {});
    const accuracy = this.d.history.lastAccuracy, loss = this.d.history.loss.lastY;
    const metrics = {
      ...(loss !== undefined && Number.isFinite(loss) ? { loss } : {}),
      ...(accuracy.train !== null ? { accuracy: accuracy.train } : {}), ...(accuracy.test !== null ? { testAccuracy: accuracy.test } : {}),
    };
    return { ...s, backend: run.backend, settings: run.settings, metrics };
  }

  private checkpointSaved(path: string): void {
    this.lastCheckpoint = path;
    this.d.notices.notice('info', `Checkpoint saved: ${path}`);
    this.d.changed();
  }

  private send(command: EngineCommand): void {
    const engine = this.d.engines.current;
    if (!engine) throw new Error('training has not started');
    engine.send(command);
  }

  private setStatus(status: TrainingStatus): void {
    this.currentStatus = status;
    showStatus(status, this.stopped);
    this.postStatus();
    this.d.statusChanged(status);
  }

  private postStatus(): void {
    this.d.host.notify({ type: 'status', status: this.currentStatus, backend: this.current?.backend ?? null, epoch: this.epoch, globalStep: this.globalStep });
  }

  private renderProgress(step?: StepEvent): void {
    const snapshot: ProgressSnapshot = {
      status: this.currentStatus, run: this.current, globalStep: this.globalStep, imagesPerSecond: this.imagesPerSecond,
      secondsLeft: this.current ? this.eta.secondsLeft(this.globalStep, this.current.totalSteps) : null,
      lastLoss: this.d.history.loss.lastY,
    };
    showProgress(snapshot, step);
  }

  private resetHistory(): void {
    this.d.history.reset();
    this.imagesPerSecond = null;
    this.epoch = 0;
    this.globalStep = 0;
    this.d.plots.clear();
    showTestAccuracy(null);
  }

  private keepHistoryUpTo(step: number, epoch: number): void {
    this.d.history.keepUpTo(step, epoch);
    this.imagesPerSecond = null;
    this.d.plots.drawLoss();
    this.d.plots.drawAccuracy();
    this.d.plots.drawGradients(false);
  }
}

