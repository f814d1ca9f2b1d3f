// The training panel: controls, progress, live plots, checkpoints and the gradient check.
// Talks to the extension host through src/protocol.ts and to the engine through EngineClient.

import type { BackendName } from '../engine/backend';
import type { GradCheckResult } from '../engine/gradcheck';
import type { TrainEvent } from '../engine/train';
import {
  BACKEND_CHOICES, PANEL_STATE_VERSION, parseHostMessage, tryParse,
  type BackendChoice, type DatasetPayload, type GradCheckSummary, type HostMessage, type ModelPayload, type RunSettings,
  type TrainingStatePayload, type TrainingStatus, type WebviewMessage,
} from '../protocol';
import { cpuWorkerEngine, probeWebGpu, webGpuEngine, type EngineClient, type WebGpuProbe } from './engine-client';
import type { EngineCommand, EngineEvent, FeatureMapPayload, GradientTensor, RestorePayload } from './engine-protocol';
import { EtaEstimator, formatDuration, formatNumber, formatPercent } from './lib/eta';
import { binCenters } from './lib/histogram';
import { decimate, Series, smooth } from './lib/series';
import { Chart, type SeriesStyle } from './ui/charts';
import { byId, h } from './ui/dom';
import { drawFilters, drawImage, drawPlanes } from './ui/heatmaps';
import { confusionTable, gradCheckTable } from './ui/tables';

export interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}

/** Smoothing of the loss curve (TensorBoard's default is 0.6; steps are reported every few steps). */
const LOSS_SMOOTHING = 0.8;
/** Points drawn per chart (min/max decimation keeps spikes). */
const MAX_DRAWN_POINTS = 1200;
/** Points kept per series in the saved panel state. */
const MAX_SAVED_POINTS = 600;

interface SettingsState {
  epochs: number; batch: number; lr: number; backend: BackendChoice; plotEvery: number; example: number;
}

/** What survives a reload (webview setState), besides the model URI the host needs. */
interface SavedState {
  version: typeof PANEL_STATE_VERSION;
  modelUri: string;
  settings: SettingsState;
  status: TrainingStatus;
  progress: { epoch: number; epochs: number; globalStep: number; totalSteps: number };
  loss: { x: number[]; y: number[] };
  accuracy: { epoch: number[]; train: (number | null)[]; test: (number | null)[] };
  gradNorms: { names: string[]; x: number[]; y: number[][] };
  confusion: number[][] | null;
  gradcheck: GradCheckSummary | null;
  backend: string | null;
  checkpoint: string | null;
}

interface RunInfo {
  epochs: number;
  stepsPerEpoch: number;
  totalSteps: number;
  settings: RunSettings;
  backend: BackendName;
}

export class App {
  private model: ModelPayload | null = null;
  private dataset: DatasetPayload | null = null;
  private checkpointPath: string | null = null;
  private lastCheckpoint: string | null = null;
  private engine: EngineClient | null = null;
  /** The model/data set the engine has loaded (a new init makes it stale). */
  private engineLoaded: ModelPayload | null = null;
  private readonly gpuProbe: Promise<WebGpuProbe>;
  private status: TrainingStatus = 'idle';
  private run: RunInfo | null = null;
  private backendDescription: string | null = null;
  private epoch = 0;
  private globalStep = 0;
  private imagesPerSecond: number | null = null;
  private readonly eta = new EtaEstimator();
  private nextId = 1;
  private readonly pendingStates = new Map<number, { resolve: (s: RestorePayload) => void; reject: (e: Error) => void }>();
  private gradcheckId: number | null = null;
  private gradcheckStarted = 0;

  // History
  private loss = new Series();
  private accuracy = { epoch: [] as number[], train: [] as (number | null)[], test: [] as (number | null)[] };
  private gradNorms: { names: string[]; x: Series[] } = { names: [], x: [] };
  private latestGradients: GradientTensor[] = [];
  private features: EngineEventOf<'features'> | null = null;
  private filters: EngineEventOf<'filters'> | null = null;
  private confusion: number[][] | null = null;
  private gradcheck: GradCheckSummary | null = null;

  private readonly charts: { loss: Chart; accuracy: Chart; gradNorms: Chart; histogram: Chart };
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  /** Controls were restored from saved state: a later init must not overwrite them with the model's defaults. */
  private restoredSettings = false;
  private redrawQueued = false;

  constructor(private readonly vscode: VsCodeApi, private readonly workerUrl: string) {
    this.gpuProbe = probeWebGpu(navigator.gpu);
    buildLayout();
    this.charts = {
      loss: new Chart(byId('loss-chart'), {
        xLabel: 'step', yLabel: 'loss',
        series: [{ label: 'loss', color: 0, alpha: 0.35, width: 1 }, { label: `smoothed (${LOSS_SMOOTHING})`, color: 0, width: 2 }],
        yFormat: formatNumber,
      }),
      accuracy: new Chart(byId('accuracy-chart'), {
        xLabel: 'epoch', yLabel: 'accuracy', yRange: [0, 1], yFormat: (v) => formatPercent(v, 0), xIncrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
        series: [{ label: 'train', color: 0, points: true, width: 2 }, { label: 'test', color: 1, points: true, width: 2 }],
      }),
      gradNorms: new Chart(byId('gradnorm-chart'), { xLabel: 'step', yLabel: '‖∇‖ (log)', yLog: true, series: [], yFormat: formatNumber }),
      histogram: new Chart(byId('histogram-chart'), { xLabel: 'gradient value', yLabel: 'count', bars: true, series: [{ label: 'count', color: 2 }], xFormat: formatNumber }),
    };
    this.wireControls();
    this.restore(vscode.getState());
    new MutationObserver(() => this.onThemeChange()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
    new ResizeObserver(() => this.queueRedraw()).observe(byId('features'));
    void this.showBackendAvailability();
  }

  // ── host messages ──────────────────────────────────────────────────────────────────────────

  receive(data: unknown): void {
    const parsed = tryParse(parseHostMessage, data);
    if (!parsed.ok) {
      this.log('error', `ignored a malformed message from the extension: ${parsed.error}`);
      return;
    }
    void this.handle(parsed.message).catch((e: unknown) => this.showError(errorText(e)));
  }

  private async handle(m: HostMessage): Promise<void> {
    switch (m.type) {
      case 'init': {
        this.model = m.model;
        this.dataset = m.dataset;
        this.checkpointPath = m.checkpointPath;
        byId('save').title = `Write ${this.checkpointPath} (replaces it atomically)`;
        this.renderModel();
        if (this.features === null) this.clampExample();
        this.setStatus(this.status === 'loading' ? 'idle' : this.status);
        this.updateControls();
        return;
      }
      case 'start': return this.start(null);
      case 'checkpoint': {
        if (this.isLive()) throw new Error('stop the running training before resuming from a checkpoint');
        if (m.modelDiffers) this.notice('warning', `${baseName(m.path)} was saved from a different version of the model; its tensors fit, so training continues from it.`);
        return this.start({ epoch: m.epoch, step: m.step, tensors: m.tensors }, m.path);
      }
      case 'checkpointSaved':
        this.lastCheckpoint = m.path;
        this.notice('info', `Checkpoint saved: ${m.path}`);
        this.persistSoon();
        return;
      case 'notice':
        this.notice(m.level, m.message);
        return;
      case 'runGradientCheck': return this.gradientCheck();
    }
  }

  private post(message: WebviewMessage): void {
    this.vscode.postMessage(message);
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    this.post({ type: 'log', level, message });
  }

  // ── engine ─────────────────────────────────────────────────────────────────────────────────

  /** The engine for `kind`, created (and loaded with the model) if needed. */
  private async ensureEngine(kind: BackendName): Promise<EngineClient> {
    if (!this.model || !this.dataset) throw new Error('the model is still loading');
    if (this.engine && this.engine.kind !== kind) {
      this.engine.dispose();
      this.engine = null;
    }
    if (!this.engine) {
      const callbacks = { onEvent: (e: EngineEvent) => this.onEngineEvent(e), onProblem: (msg: string) => this.log('warn', msg) };
      this.engine = kind === 'webgpu' ? webGpuEngine(navigator.gpu, callbacks) : await cpuWorkerEngine(this.workerUrl, callbacks);
      this.engineLoaded = null;
    }
    if (this.engineLoaded !== this.model) {
      // The worker gets a copy (structured clone), so the panel keeps its own for the next engine.
      this.engine.send({ type: 'load', spec: this.model.spec, dataset: this.dataset });
      this.engineLoaded = this.model;
    }
    return this.engine;
  }

  /** Which engine a run uses: the chosen one, WebGPU for 'auto' when available. */
  private async engineKind(choice: BackendChoice): Promise<BackendName> {
    if (choice === 'cpu') return 'cpu';
    const probe = await this.gpuProbe;
    if (probe.available) return 'webgpu';
    if (choice === 'webgpu') throw new Error(`WebGPU is not available here, so the webgpu backend cannot run: ${probe.reason}. Choose auto or cpu.`);
    return 'cpu';
  }

  private async showBackendAvailability(): Promise<void> {
    const probe = await this.gpuProbe;
    const badge = byId('backend-badge');
    if (probe.available) {
      badge.dataset.available = 'webgpu';
      if (!this.run) badge.textContent = `WebGPU available · ${probe.description.replace(/^webgpu \((.*)\)$/, '$1')}`;
    } else {
      badge.dataset.available = 'cpu';
      if (!this.run) badge.textContent = 'CPU engine (no WebGPU)';
      this.banner('warning', 'WebGPU is not available in this panel, so ConvLab trains on its CPU engine in a background worker ' +
        `(same results, slower). Reason: ${probe.reason}`);
    }
  }

  private async start(restore: RestorePayload | null, from?: string): Promise<void> {
    if (this.isLive()) throw new Error('training is already running');
    if (!this.model) throw new Error('the model is still loading');
    const s = this.readSettings();
    if (!s) return;
    if (restore && restore.epoch >= s.epochs) {
      throw new Error(`the checkpoint already has ${restore.epoch} epoch${restore.epoch === 1 ? '' : 's'}; set Epochs above ${restore.epoch} to continue training it`);
    }
    const train = this.model.spec.train;
    const settings: RunSettings = {
      epochs: s.epochs, batch: s.batch, lr: s.lr, optimizer: train.optimizer, momentum: train.momentum,
      decay: train.decay, weightDecay: train.weightDecay, seed: train.seed,
    };
    this.setStatus('loading');
    let kind: BackendName;
    try {
      kind = await this.engineKind(s.backend);
      const engine = await this.ensureEngine(kind);
      // A resumed run continues the curves up to the checkpoint's step; a new run starts them afresh.
      if (restore) this.keepHistoryUpTo(restore.step, restore.epoch);
      else this.resetHistory();
      this.run = { epochs: s.epochs, stepsPerEpoch: 0, totalSteps: 0, settings, backend: kind };
      if (restore) { this.epoch = restore.epoch; this.globalStep = restore.step; }
      this.eta.reset();
      this.clearBanner('error');
      const probe = await this.gpuProbe;
      // Reports every few steps: software backends are slow, so they report more often.
      const software = kind === 'cpu' || (probe.available && /fallback|swiftshader/i.test(probe.description));
      engine.send({
        type: 'start', settings, reportEvery: software ? 2 : 10,
        plots: { plotEvery: s.plotEvery, example: s.example }, restore,
      });
      if (from) this.notice('info', `Resuming from ${baseName(from)} (epoch ${restore!.epoch}, step ${restore!.step}).`);
    } catch (e) {
      this.setStatus('failed');
      throw e;
    }
    this.setStatus('running');
  }

  private onEngineEvent(e: EngineEvent): void {
    switch (e.type) {
      case 'backend':
        this.backendDescription = e.description;
        this.renderBackend(e.name, e.description);
        return;
      case 'train': return this.onTrainEvent(e.event);
      case 'paused':
        // Steps since the last report are counted here already (their loss arrives with the next report).
        this.globalStep = Math.max(this.globalStep, e.globalStep);
        if (this.status === 'running' || this.status === 'paused') this.setStatus(e.paused ? 'paused' : 'running');
        this.renderProgress();
        if (e.paused) this.eta.pause();
        else this.eta.resume(this.globalStep, performance.now());
        return;
      case 'gradients': return this.onGradients(e);
      case 'features':
        this.features = e;
        this.drawFeatures();
        return;
      case 'filters':
        this.filters = e;
        this.drawFilters();
        return;
      case 'evaluation': {
        const i = this.accuracy.epoch.indexOf(e.epoch);
        if (i >= 0) this.accuracy.test[i] = e.accuracy;
        else { this.accuracy.epoch.push(e.epoch); this.accuracy.train.push(null); this.accuracy.test.push(e.accuracy); }
        this.confusion = e.confusion;
        this.drawAccuracy();
        this.drawConfusion();
        byId('test-accuracy').textContent = `test ${formatPercent(e.accuracy)}`;
        this.persistSoon();
        return;
      }
      case 'state': {
        const pending = this.pendingStates.get(e.id);
        this.pendingStates.delete(e.id);
        pending?.resolve({ epoch: e.epoch, step: e.step, tensors: e.tensors });
        return;
      }
      case 'gradientCheck': return this.onGradientCheck(e.id, e.result as GradCheckResult);
      case 'failed': {
        const pending = e.id !== null ? this.pendingStates.get(e.id) : undefined;
        if (pending && e.id !== null) {
          this.pendingStates.delete(e.id);
          pending.reject(new Error(e.message));
          return;
        }
        if (e.id !== null && e.id === this.gradcheckId) {
          this.gradcheckId = null;
          byId('gradcheck').replaceChildren(h('p', { class: 'error' }, `Gradient check failed: ${e.message}`));
          this.updateControls();
        }
        if (this.status === 'loading' || (this.status === 'running' && this.run?.totalSteps === 0)) this.setStatus('failed');
        this.showError(e.message);
        return;
      }
    }
  }

  private onTrainEvent(e: TrainEvent): void {
    switch (e.type) {
      case 'start':
        if (this.run) {
          this.run.stepsPerEpoch = e.stepsPerEpoch;
          this.run.epochs = e.epochs;
          this.run.totalSteps = e.epochs * e.stepsPerEpoch;
        }
        this.epoch = e.epoch;
        this.globalStep = e.step;
        this.eta.resume(e.step, performance.now());
        this.renderBackend(this.run?.backend ?? 'cpu', e.backend);
        this.renderProgress();
        return;
      case 'step':
        this.epoch = e.epoch - 1;
        this.globalStep = e.globalStep;
        this.imagesPerSecond = this.imagesPerSecond === null ? e.imagesPerSecond : 0.7 * this.imagesPerSecond + 0.3 * e.imagesPerSecond;
        this.eta.update(e.globalStep, performance.now());
        this.loss.push(e.globalStep, e.loss);
        byId('lr-live').textContent = `lr ${formatNumber(e.lr)}`;
        this.queueRedraw();
        this.renderProgress(e);
        this.postStatus();
        return;
      case 'epoch': {
        this.epoch = e.epoch;
        const i = this.accuracy.epoch.indexOf(e.epoch);
        if (i >= 0) this.accuracy.train[i] = e.trainAccuracy;
        else { this.accuracy.epoch.push(e.epoch); this.accuracy.train.push(e.trainAccuracy); this.accuracy.test.push(null); }
        this.drawAccuracy();
        this.renderProgress();
        this.persistSoon();
        return;
      }
      case 'done':
        this.epoch = e.epoch;
        this.globalStep = e.globalStep;
        this.setStatus('done');
        this.renderProgress();
        void this.finish(e);
        return;
      case 'error':
        this.setStatus('failed');
        this.showError(`Training failed: ${e.message}`);
        return;
      case 'paused': case 'resumed':
        return;
    }
  }

  /** After a run: its final state goes to the host, which saves the default checkpoint and shows the summary. */
  private async finish(e: Extract<TrainEvent, { type: 'done' }>): Promise<void> {
    const last = this.accuracy.epoch.length - 1;
    const summary = {
      reason: e.reason, epochs: e.epoch, globalStep: e.globalStep, seconds: e.seconds,
      loss: this.loss.lastY ?? null,
      trainAccuracy: last >= 0 ? this.accuracy.train[last] : null,
      testAccuracy: last >= 0 ? this.accuracy.test[last] : null,
      backend: this.backendDescription ?? this.run?.backend ?? 'unknown',
    };
    let state: TrainingStatePayload | null = null;
    try {
      state = e.globalStep > 0 ? await this.trainingState() : null;
    } catch (err) {
      this.log('error', `could not read the final state: ${errorText(err)}`);
    }
    this.post({ type: 'finished', summary, state });
    this.persistSoon();
  }

  /** The trainer's full state, for a checkpoint. */
  private trainingState(): Promise<TrainingStatePayload> {
    const engine = this.engine, run = this.run;
    if (!engine || !run) return Promise.reject(new Error('nothing to save yet: start training first'));
    const id = this.nextId++;
    return new Promise<RestorePayload>((resolve, reject) => {
      this.pendingStates.set(id, { resolve, reject });
      engine.send({ type: 'saveState', id });
    }).then((s) => ({ ...s, backend: run.backend, settings: run.settings }));
  }

  private async saveCheckpoint(choose: boolean): Promise<void> {
    const state = await this.trainingState();
    this.post({ type: 'saveCheckpoint', requestId: this.nextId++, choose, state });
  }

  private async gradientCheck(): Promise<void> {
    if (this.gradcheckId !== null) return;
    if (!this.model) throw new Error('the model is still loading');
    byId('gradcheck-card').hidden = false;
    // A live run keeps its engine; otherwise the best available one.
    const kind = this.isLive() && this.engine ? this.engine.kind : await this.engineKind(this.readSettings()?.backend ?? 'auto').catch(() => 'cpu' as const);
    const engine = await this.ensureEngine(kind);
    this.gradcheckId = this.nextId++;
    this.gradcheckStarted = performance.now();
    byId('gradcheck').replaceChildren(h('p', { class: 'muted', role: 'status' },
      h('vscode-progress-ring', { class: 'inline-ring' }), ` Checking gradients on the ${kind === 'webgpu' ? 'WebGPU' : 'CPU'} engine…`));
    byId('gradcheck-card').scrollIntoView({ behavior: 'smooth', block: 'nearest' });
    this.updateControls();
    engine.send({ type: 'gradientCheck', id: this.gradcheckId });
  }

  private onGradientCheck(id: number, r: GradCheckResult): void {
    if (id !== this.gradcheckId) return;
    this.gradcheckId = null;
    const summary: GradCheckSummary = {
      backend: r.backend, precision: r.precision, tolerance: r.tolerance, epsilon: r.epsilon, passed: r.passed,
      seconds: (performance.now() - this.gradcheckStarted) / 1000,
      reference: r.reference?.backend ?? null,
      tensors: r.tensors.map((t) => ({
        name: t.name, shape: [...t.shape], checked: t.checked, skipped: t.skipped, total: t.total,
        maxRelativeError: t.maxRelativeError, analytic: t.worst.analytic, numeric: t.worst.numeric,
        referenceError: t.referenceError ?? null, passed: t.passed,
      })),
    };
    this.gradcheck = summary;
    this.drawGradcheck();
    this.updateControls();
    this.post({ type: 'gradientCheckDone', result: summary });
    this.persistSoon();
  }

  // ── controls ───────────────────────────────────────────────────────────────────────────────

  private wireControls(): void {
    const act = (id: string, fn: () => unknown) => byId(id).addEventListener('click', () => {
      if ((byId(id) as HTMLElement & { disabled?: boolean }).disabled) return;
      void Promise.resolve().then(fn).catch((e: unknown) => this.showError(errorText(e)));
    });
    act('start', () => this.start(null));
    act('pause', () => this.send(this.status === 'paused' ? { type: 'resume' } : { type: 'pause' }));
    act('step', () => this.send({ type: 'step' }));
    act('stop', () => this.send({ type: 'stop' }));
    act('save', () => this.saveCheckpoint(false));
    act('save-as', () => this.saveCheckpoint(true));
    act('resume-checkpoint', () => this.post({ type: 'pickCheckpoint' }));
    act('gradcheck-button', () => this.gradientCheck());
    act('example-prev', () => this.setExample(this.settingsValue('example') - 1));
    act('example-next', () => this.setExample(this.settingsValue('example') + 1));
    act('example-random', () => this.setExample(Math.floor(Math.random() * (this.dataset?.test.count ?? 1))));
    byId('lr').addEventListener('change', () => {
      const lr = Number(field('lr').value);
      if (!(lr > 0) || !Number.isFinite(lr)) { this.fieldError('lr', 'a positive number'); return; }
      this.fieldError('lr', null);
      if (this.isLive()) this.send({ type: 'setLearningRate', lr });
      this.persistSoon();
    });
    for (const id of ['epochs', 'batch', 'plot-every']) {
      byId(id).addEventListener('change', () => { if (this.readSettings()) { this.sendPlots(); this.persistSoon(); } });
    }
    byId('example').addEventListener('change', () => this.setExample(Number(field('example').value)));
    byId('backend').addEventListener('change', () => this.persistSoon());
    byId('histogram-select').addEventListener('change', () => this.drawHistogram());
  }

  private send(command: EngineCommand): void {
    if (!this.engine) throw new Error('training has not started');
    this.engine.send(command);
  }

  private setExample(index: number): void {
    const count = this.dataset?.test.count ?? 0;
    const i = count > 0 ? ((Math.round(index) % count) + count) % count : 0;
    field('example').value = String(i);
    this.sendPlots();
    this.persistSoon();
  }

  private clampExample(): void {
    const count = this.dataset?.test.count ?? 0;
    if (count > 0 && this.settingsValue('example') >= count) field('example').value = '0';
  }

  private sendPlots(): void {
    const s = this.readSettings(false);
    if (s && this.engine && this.run) this.engine.send({ type: 'setPlots', plots: { plotEvery: s.plotEvery, example: s.example } });
  }

  private settingsValue(id: 'example'): number {
    const v = Number(field(id).value);
    return Number.isFinite(v) ? v : 0;
  }

  /** The settings in the controls, or null (with the bad fields marked) when one is invalid. */
  private readSettings(mark = true): SettingsState | null {
    const int = (id: string, min: number, max: number) => {
      const v = Number(field(id).value);
      const ok = Number.isInteger(v) && v >= min && v <= max;
      if (mark) this.fieldError(id, ok ? null : `a whole number from ${min} to ${max}`);
      return ok ? v : null;
    };
    const epochs = int('epochs', 1, 100_000), batch = int('batch', 1, 4096), plotEvery = int('plot-every', 1, 100_000);
    const example = int('example', 0, Math.max(0, (this.dataset?.test.count ?? 1 << 26) - 1));
    const lr = Number(field('lr').value);
    const lrOk = lr > 0 && Number.isFinite(lr);
    if (mark) this.fieldError('lr', lrOk ? null : 'a positive number');
    const backend = (byId('backend') as HTMLElement & { value: string }).value as BackendChoice;
    if (epochs === null || batch === null || plotEvery === null || example === null || !lrOk) return null;
    return { epochs, batch, lr, plotEvery, example, backend: BACKEND_CHOICES.includes(backend) ? backend : 'auto' };
  }

  private fieldError(id: string, expected: string | null): void {
    const el = field(id);
    el.invalid = expected !== null;
    el.title = expected ? `Expected ${expected}` : '';
  }

  private isLive(): boolean {
    return this.status === 'running' || this.status === 'paused' || this.status === 'loading';
  }

  private setStatus(status: TrainingStatus): void {
    this.status = status;
    const el = byId('status');
    el.dataset.status = status;
    el.textContent = { idle: 'Ready', loading: 'Starting…', running: 'Training', paused: 'Paused', done: 'Finished', failed: 'Failed' }[status];
    this.updateControls();
    this.postStatus();
    // A reload right after a run ends must find its final state.
    if (status === 'done' || status === 'failed' || status === 'paused') this.persist();
    else this.persistSoon();
  }

  private postStatus(): void {
    this.post({ type: 'status', status: this.status, backend: this.run?.backend ?? null, epoch: this.epoch, globalStep: this.globalStep });
  }

  private updateControls(): void {
    const s = this.status, live = this.isLive(), ready = this.model !== null;
    const set = (id: string, enabled: boolean) => { (byId(id) as HTMLElement & { disabled: boolean }).disabled = !enabled; };
    set('start', ready && !live);
    set('pause', s === 'running' || s === 'paused');
    byId('pause').textContent = s === 'paused' ? 'Resume' : 'Pause';
    set('step', s === 'paused');
    set('stop', s === 'running' || s === 'paused');
    const hasRun = this.run !== null && this.engine !== null && (s === 'running' || s === 'paused' || s === 'done');
    set('save', hasRun);
    set('save-as', hasRun);
    set('resume-checkpoint', ready && !live);
    set('gradcheck-button', ready && this.gradcheckId === null);
    for (const id of ['epochs', 'batch', 'backend']) set(id, !live);
    byId('start').textContent = s === 'done' || s === 'failed' ? 'Train again' : 'Start';
  }

  // ── rendering ──────────────────────────────────────────────────────────────────────────────

  private renderModel(): void {
    const m = this.model, d = this.dataset;
    if (!m || !d) return;
    document.title = `Train ${m.name}`;
    byId('title').textContent = m.name;
    byId('subtitle').textContent = `${d.description} · ${m.totalParams.toLocaleString('en-US')} parameters`;
    byId('subtitle').title = m.path;
    if (!this.restoredSettings) {
      field('epochs').value = String(m.spec.train.epochs);
      field('batch').value = String(m.spec.train.batch);
      field('lr').value = String(m.spec.train.lr);
    }
    this.restoredSettings = false;
    // Histogram choices: every parameter tensor, labelled with its layer.
    const select = byId('histogram-select') as HTMLElement & { value: string };
    const previous = select.value;
    const options = m.layers.filter((l) => l.params > 0).flatMap((l) => ['weight', 'bias'].map((kind) =>
      h('vscode-option', { value: `layers.${l.index}.${kind}` }, `#${l.index} ${l.text} · ${kind}`)));
    select.replaceChildren(...options);
    if (previous && options.some((o) => o.getAttribute('value') === previous)) select.value = previous;
    byId('layers').replaceChildren(...m.layers.map((l) => h('li', {},
      h('span', { class: 'mono' }, `#${l.index} ${l.text}`), ' → ', h('span', { class: 'mono' }, l.output ? l.output.join('×') : '?'))));
  }

  private renderBackend(name: BackendName, description: string): void {
    const badge = byId('backend-badge');
    badge.dataset.backend = name;
    badge.textContent = name === 'webgpu' ? `WebGPU · ${description.replace(/^webgpu \((.*)\)$/, '$1')}` : `CPU · ${description} · worker`;
  }

  private renderProgress(step?: Extract<TrainEvent, { type: 'step' }>): void {
    const run = this.run;
    const bar = byId('progress-bar') as HTMLElement & { value?: number; max: number };
    const counter = byId('step-counter');
    counter.dataset.globalStep = String(this.globalStep);
    if (!run || run.totalSteps === 0) {
      counter.textContent = run ? 'starting…' : 'not started';
      return;
    }
    bar.max = run.totalSteps;
    bar.value = this.globalStep;
    // Epoch and step within it, from the global step (the last step of an epoch shows as n/n).
    const epochIndex = step ? step.epoch - 1 : Math.min(run.epochs - 1, Math.max(0, Math.ceil(this.globalStep / run.stepsPerEpoch) - 1));
    const epochShown = epochIndex + 1;
    const inEpoch = step ? step.step : this.globalStep - epochIndex * run.stepsPerEpoch;
    counter.textContent = `epoch ${epochShown}/${run.epochs} · step ${Math.max(0, Math.min(inEpoch, run.stepsPerEpoch))}/${run.stepsPerEpoch} · ` +
      `${this.globalStep.toLocaleString('en-US')} of ${run.totalSteps.toLocaleString('en-US')} steps`;
    byId('speed').textContent = this.imagesPerSecond === null ? '' : `${Math.round(this.imagesPerSecond).toLocaleString('en-US')} images/s`;
    const left = this.status === 'done' ? 0 : this.eta.secondsLeft(this.globalStep, run.totalSteps);
    byId('eta').textContent = this.status === 'done' ? 'done' : `ETA ${formatDuration(left)}`;
    if (this.loss.lastY !== undefined) byId('loss-now').textContent = `loss ${formatNumber(this.loss.lastY)}`;
  }

  private queueRedraw(): void {
    if (this.redrawQueued) return;
    this.redrawQueued = true;
    requestAnimationFrame(() => {
      this.redrawQueued = false;
      this.drawLoss();
      this.drawFeatures();
    });
  }

  private drawLoss(): void {
    const { x, y } = decimate(this.loss.x, this.loss.y, MAX_DRAWN_POINTS);
    const smoothed = smooth(this.loss.y, LOSS_SMOOTHING);
    const ds = decimate(this.loss.x, smoothed, MAX_DRAWN_POINTS);
    // Both decimated on the same x buckets only when no decimation happened; otherwise align by lookup.
    const sy = x.length === ds.x.length ? ds.y : x.map((xv) => smoothed[Math.max(0, lowerBound(this.loss.x, xv))]);
    this.charts.loss.setData(x, [y, sy]);
    const el = byId('loss-chart');
    const n = this.loss.length;
    el.dataset.points = String(n);
    if (n > 0) {
      el.dataset.first = String(smoothed[0]);
      el.dataset.last = String(smoothed[n - 1]);
      el.setAttribute('aria-label', `Training loss: ${n} reports, smoothed from ${formatNumber(smoothed[0])} to ${formatNumber(smoothed[n - 1])}`);
    }
  }

  private drawAccuracy(): void {
    this.charts.accuracy.setData(this.accuracy.epoch, [this.accuracy.train, this.accuracy.test]);
    byId('accuracy-chart').dataset.epochs = String(this.accuracy.epoch.length);
  }

  private onGradients(e: EngineEventOf<'gradients'>): void {
    this.latestGradients = e.tensors;
    // Per layer: √(‖∇W‖² + ‖∇b‖²).
    const perLayer = new Map<string, number>();
    for (const t of e.tensors) {
      const layer = t.name.replace(/\.(weight|bias)$/, '');
      perLayer.set(layer, (perLayer.get(layer) ?? 0) + t.norm * t.norm);
    }
    const names = [...perLayer.keys()];
    if (names.join() !== this.gradNorms.names.join()) {
      this.gradNorms = { names, x: names.map(() => new Series()) };
      this.charts.gradNorms.setSeries(this.gradNormSeries(), [], names.map(() => []));
    }
    names.forEach((n, i) => {
      const s = this.gradNorms.x[i];
      if (s.lastX !== e.globalStep) s.push(e.globalStep, Math.sqrt(perLayer.get(n)!));
    });
    this.drawGradNorms();
    this.drawHistogram();
    byId('gradnorm-chart').dataset.points = String(this.gradNorms.x[0]?.length ?? 0);
  }

  private gradNormSeries(): SeriesStyle[] {
    return this.gradNorms.names.map((n, i) => {
      const index = Number(n.split('.')[1]);
      const layer = this.model?.layers.find((l) => l.index === index);
      return { label: layer ? `#${index} ${layer.kind}` : n, color: i, width: 1.5 };
    });
  }

  private drawGradNorms(): void {
    const series = this.gradNorms.x;
    if (series.length === 0) return;
    const base = series[0];
    const ys = series.map((s) => decimateTo(s, base.length));
    const x = decimateTo({ x: base.x, y: base.x, length: base.length }, base.length);
    this.charts.gradNorms.setData(x, ys);
  }

  private drawHistogram(): void {
    const select = byId('histogram-select') as HTMLElement & { value: string };
    const t = this.latestGradients.find((g) => g.name === select.value) ?? this.latestGradients[0];
    if (!t) return;
    if (select.value !== t.name) select.value = t.name;
    const centers = binCenters({ min: t.min, max: t.max, counts: t.counts, nonFinite: 0 });
    this.charts.histogram.setData(centers, [t.counts]);
    byId('histogram-info').textContent = `${t.name} · ‖∇‖ = ${formatNumber(t.norm)} · range ${formatNumber(t.min)} … ${formatNumber(t.max)}`;
  }

  private drawFeatures(): void {
    const f = this.features;
    if (!f) return;
    const container = byId('features');
    const width = Math.max(120, container.clientWidth - 8);
    const inputCanvas = byId<HTMLCanvasElement>('input-canvas');
    drawImage(inputCanvas, f.input.data, f.input.shape, 112);
    const name = (k: number) => this.dataset?.classNames[k] ?? String(k);
    const right = f.predicted === f.label;
    byId('example-info').replaceChildren(
      h('span', {}, `Test image #${f.example} · label `), h('strong', {}, name(f.label)), h('span', {}, ' · predicted '),
      h('strong', { class: right ? 'ok' : 'wrong' }, name(f.predicted)), h('span', {}, ` (${formatPercent(f.confidence, 0)}) · step ${f.globalStep}`));
    const list = byId('feature-maps');
    const existing = new Map<string, HTMLCanvasElement>();
    for (const c of Array.from(list.querySelectorAll<HTMLCanvasElement>('canvas.feature-map'))) existing.set(c.dataset.layer!, c);
    const sections = f.maps.map((m: FeatureMapPayload) => {
      const canvas = existing.get(String(m.layer)) ?? h('canvas', { class: 'feature-map', 'data-layer': m.layer });
      const layer = this.model?.layers.find((l) => l.index === m.layer);
      canvas.setAttribute('aria-label', `Feature maps of layer ${m.layer} (${m.kind}): ${m.shape.join('×')}`);
      drawPlanes(canvas, m.data, m.shape[0], m.shape[2], m.shape[1], width);
      return h('figure', { class: 'feature-layer' },
        h('figcaption', {}, h('span', { class: 'mono' }, `#${m.layer} ${layer?.text ?? m.kind}`), ` → ${m.shape.join('×')}`), canvas);
    });
    if (sections.length === 0) {
      list.replaceChildren(h('p', { class: 'muted' }, 'This model has no conv or pooling layers, so there are no feature maps to draw.'));
    } else {
      list.replaceChildren(...sections);
    }
    this.drawFilters();
  }

  private drawFilters(): void {
    const f = this.filters;
    const canvas = byId<HTMLCanvasElement>('filters-canvas');
    if (!f) return;
    const width = Math.max(120, byId('filters-card').clientWidth - 32);
    drawFilters(canvas, f.data, f.shape, width);
    const layer = this.model?.layers.find((l) => l.index === f.layer);
    byId('filters-info').textContent = `#${f.layer} ${layer?.text ?? 'conv'} · ${f.shape[0]} kernels of ${f.shape.slice(1).join('×')} · step ${f.globalStep} · blue < 0 < red`;
  }

  private drawConfusion(): void {
    if (!this.confusion || this.confusion.length === 0) return;
    byId('confusion').replaceChildren(confusionTable(this.confusion, this.dataset?.classNames ?? []));
  }

  private drawGradcheck(): void {
    if (!this.gradcheck) return;
    byId('gradcheck-card').hidden = false;
    byId('gradcheck').replaceChildren(gradCheckTable(this.gradcheck));
  }

  private onThemeChange(): void {
    for (const c of Object.values(this.charts)) c.rebuild();
    this.charts.gradNorms.setSeries(this.gradNormSeries(), [], this.gradNorms.names.map(() => []));
    this.drawLoss();
    this.drawAccuracy();
    this.drawGradNorms();
    this.drawHistogram();
  }

  // ── banners and notices ────────────────────────────────────────────────────────────────────

  private banner(kind: 'warning' | 'error' | 'info', text: string): void {
    const el = byId(`banner-${kind === 'error' ? 'error' : 'main'}`);
    el.hidden = false;
    el.dataset.kind = kind;
    el.querySelector('.banner-text')!.textContent = text;
  }

  private clearBanner(which: 'error' | 'main'): void {
    byId(`banner-${which}`).hidden = true;
  }

  private showError(message: string): void {
    this.banner('error', message);
    this.log('error', message);
  }

  private notice(level: 'info' | 'warning' | 'error', message: string): void {
    if (level === 'error') { this.showError(message); return; }
    const el = byId('notice');
    el.dataset.level = level;
    el.textContent = message;
    el.hidden = false;
  }

  private resetHistory(): void {
    this.loss = new Series();
    this.accuracy = { epoch: [], train: [], test: [] };
    this.gradNorms = { names: [], x: [] };
    this.latestGradients = [];
    this.confusion = null;
    this.imagesPerSecond = null;
    this.epoch = 0;
    this.globalStep = 0;
    this.charts.gradNorms.setSeries([], [], []);
    byId('confusion').replaceChildren(h('p', { class: 'muted' }, 'Appears after the first epoch.'));
    byId('test-accuracy').textContent = '';
    this.drawLoss();
    this.drawAccuracy();
  }

  /** Keeps the plotted history up to a checkpoint's step and epoch, dropping what came after it. */
  private keepHistoryUpTo(step: number, epoch: number): void {
    this.loss.truncateAfter(step);
    for (const s of this.gradNorms.x) s.truncateAfter(step);
    const keep = this.accuracy.epoch.map((e) => e <= epoch);
    this.accuracy = {
      epoch: this.accuracy.epoch.filter((_, i) => keep[i]),
      train: this.accuracy.train.filter((_, i) => keep[i]),
      test: this.accuracy.test.filter((_, i) => keep[i]),
    };
    this.imagesPerSecond = null;
    this.drawLoss();
    this.drawAccuracy();
    this.drawGradNorms();
  }

  // ── saved state (hidden panels keep their context; this is for VS Code reloads) ─────────────

  private persistSoon(): void {
    if (this.saveTimer !== null) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      this.persist();
    }, 1000);
  }

  private persist(): void {
    if (!this.model) return;
    const settings = this.readSettings(false);
    const loss = decimate(this.loss.x, this.loss.y, MAX_SAVED_POINTS);
    const base = this.gradNorms.x[0];
    const state: SavedState = {
      version: PANEL_STATE_VERSION,
      modelUri: this.model.uri,
      settings: settings ?? { epochs: 1, batch: 64, lr: 0.01, backend: 'auto', plotEvery: 10, example: 0 },
      status: this.status,
      progress: { epoch: this.epoch, epochs: this.run?.epochs ?? 0, globalStep: this.globalStep, totalSteps: this.run?.totalSteps ?? 0 },
      loss,
      accuracy: this.accuracy,
      gradNorms: {
        names: this.gradNorms.names,
        x: base ? decimate(base.x, base.x, MAX_SAVED_POINTS).x : [],
        y: this.gradNorms.x.map((s) => decimate(s.x, s.y, MAX_SAVED_POINTS).y),
      },
      confusion: this.confusion,
      gradcheck: this.gradcheck,
      backend: this.backendDescription,
      checkpoint: this.lastCheckpoint,
    };
    this.vscode.setState(state);
  }

  /** Redraws what the panel showed before VS Code reloaded. A run that was going did not survive. */
  private restore(raw: unknown): void {
    const s = raw as Partial<SavedState> | undefined;
    if (!s || s.version !== PANEL_STATE_VERSION) { this.setStatus('loading'); return; }
    try {
      if (s.settings) {
        field('epochs').value = String(s.settings.epochs);
        field('batch').value = String(s.settings.batch);
        field('lr').value = String(s.settings.lr);
        field('plot-every').value = String(s.settings.plotEvery);
        field('example').value = String(s.settings.example);
        (byId('backend') as HTMLElement & { value: string }).value = s.settings.backend;
        this.restoredSettings = true;
      }
      if (s.loss) this.loss = Series.from(s.loss.x, s.loss.y);
      if (s.accuracy) this.accuracy = s.accuracy;
      if (s.gradNorms && s.gradNorms.names.length > 0) {
        this.gradNorms = { names: s.gradNorms.names, x: s.gradNorms.y.map((y) => Series.from(s.gradNorms!.x, y)) };
        this.charts.gradNorms.setSeries(this.gradNormSeries(), [], this.gradNorms.names.map(() => []));
        this.drawGradNorms();
      }
      this.confusion = s.confusion ?? null;
      this.gradcheck = s.gradcheck ?? null;
      this.lastCheckpoint = s.checkpoint ?? null;
      this.drawLoss();
      this.drawAccuracy();
      this.drawConfusion();
      this.drawGradcheck();
      if (s.progress && s.progress.totalSteps > 0) {
        this.globalStep = s.progress.globalStep;
        this.epoch = s.progress.epoch;
        byId('step-counter').textContent = `last run: ${s.progress.globalStep.toLocaleString('en-US')} of ${s.progress.totalSteps.toLocaleString('en-US')} steps`;
      }
      if (s.status === 'running' || s.status === 'paused' || s.status === 'loading') {
        this.banner('info', `VS Code reloaded while this model was training (epoch ${(s.progress?.epoch ?? 0) + 1}, step ${s.progress?.globalStep ?? 0}); ` +
          'that run has ended. The plots show its history. ' +
          (this.lastCheckpoint ? `Use "Resume from checkpoint" to continue from ${baseName(this.lastCheckpoint)}.` : 'Start to train again.'));
      }
    } catch (e) {
      this.log('warn', `could not restore the panel's saved state: ${errorText(e)}`);
    }
    this.setStatus('loading');
  }
}

type EngineEventOf<T extends EngineEvent['type']> = Extract<EngineEvent, { type: T }>;

function field(id: string): HTMLElement & { value: string; invalid: boolean; title: string } {
  return byId(id) as HTMLElement & { value: string; invalid: boolean; title: string };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** Index of the first x ≥ value in an ascending array. */
function lowerBound(xs: ArrayLike<number>, value: number): number {
  let lo = 0, hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Every k-th point so a series fits MAX_DRAWN_POINTS (gradient norms are smooth; all series share x). */
function decimateTo(s: { x: ArrayLike<number>; y: ArrayLike<number>; length: number }, length: number): number[] {
  const k = Math.max(1, Math.ceil(length / MAX_DRAWN_POINTS));
  const out: number[] = [];
  for (let i = 0; i < Math.min(length, s.length); i += k) out.push(s.y[i]);
  return out;
}

/** The panel's static structure; the App fills it in. */
function buildLayout(): void {
  const button = (id: string, label: string, attrs: Record<string, string | boolean> = {}) => h('vscode-button', { id, ...attrs }, label);
  const num = (id: string, label: string, value: string, attrs: Record<string, string> = {}) => h('label', { class: 'field', for: id },
    h('span', {}, label), h('vscode-textfield', { id, type: 'number', value, ...attrs }));
  const card = (id: string, title: string, ...body: (Node | string)[]) => h('section', { class: 'card', id: `${id}-card`, 'aria-labelledby': `${id}-title` },
    h('h2', { id: `${id}-title` }, title), ...body);
  const banner = (id: string) => h('div', { id, class: 'banner', hidden: true, role: 'alert' }, h('span', { class: 'banner-text' }),
    h('button', { class: 'banner-close', 'aria-label': 'Dismiss', title: 'Dismiss' }, '×'));

  const app = byId('app');
  app.replaceChildren(
    h('header', {},
      h('div', { class: 'titles' }, h('h1', { id: 'title' }, 'Loading model…'), h('div', { id: 'subtitle', class: 'muted' })),
      h('span', { id: 'backend-badge', class: 'badge' }, 'checking WebGPU…')),
    banner('banner-main'),
    banner('banner-error'),
    h('div', { id: 'notice', class: 'notice', hidden: true, role: 'status' }),
    h('section', { class: 'controls', 'aria-label': 'Training controls' },
      h('div', { class: 'row' },
        button('start', 'Start'), button('pause', 'Pause', { secondary: true }), button('step', 'Step once', { secondary: true }),
        button('stop', 'Stop', { secondary: true }),
        h('span', { class: 'sep' }),
        button('save', 'Save checkpoint', { secondary: true }), button('save-as', 'Save as…', { secondary: true }),
        button('resume-checkpoint', 'Resume from checkpoint', { secondary: true }),
        h('span', { class: 'sep' }),
        button('gradcheck-button', 'Check gradients', { secondary: true })),
      h('div', { class: 'row fields' },
        num('epochs', 'Epochs', '3', { min: '1', step: '1' }),
        num('batch', 'Batch size', '64', { min: '1', step: '1' }),
        num('lr', 'Learning rate (live)', '0.05', { type: 'text', inputmode: 'decimal' }),
        h('label', { class: 'field', for: 'backend' }, h('span', {}, 'Backend'),
          h('vscode-single-select', { id: 'backend' }, ...BACKEND_CHOICES.map((b) => h('vscode-option', { value: b }, b)))),
        num('plot-every', 'Plots every (steps)', '10', { min: '1', step: '1' }))),
    h('section', { class: 'progress', 'aria-label': 'Progress' },
      h('div', { class: 'row' },
        h('span', { id: 'status', class: 'status', 'data-status': 'loading', role: 'status' }, 'Starting…'),
        h('span', { id: 'step-counter', 'data-global-step': '0' }, 'not started'),
        h('span', { id: 'speed', class: 'muted' }), h('span', { id: 'eta', class: 'muted' }),
        h('span', { id: 'loss-now', class: 'muted' }), h('span', { id: 'test-accuracy', class: 'muted' }), h('span', { id: 'lr-live', class: 'muted' })),
      h('vscode-progress-bar', { id: 'progress-bar', value: '0', max: '1', 'aria-label': 'Training progress' })),
    h('main', { class: 'grid' },
      card('loss', 'Training loss', h('div', { id: 'loss-chart', class: 'chart', role: 'img', 'aria-label': 'Training loss: no data yet' })),
      card('accuracy', 'Accuracy per epoch', h('div', { id: 'accuracy-chart', class: 'chart', role: 'img' }),
        h('p', { id: 'accuracy-info', class: 'muted small' }, 'Filled in at the end of each epoch (test accuracy from the full test set).')),
      card('gradnorm', 'Gradient norm per layer', h('div', { id: 'gradnorm-chart', class: 'chart', role: 'img' })),
      card('histogram', 'Gradient histogram',
        h('div', { class: 'row' }, h('vscode-single-select', { id: 'histogram-select', 'aria-label': 'Tensor' })),
        h('div', { id: 'histogram-chart', class: 'chart', role: 'img' }),
        h('p', { id: 'histogram-info', class: 'muted small' })),
      card('features', 'Feature maps',
        h('div', { class: 'row example' },
          h('canvas', { id: 'input-canvas', width: '112', height: '112', 'aria-label': 'The test image' }),
          h('div', {},
            h('div', { class: 'row' },
              button('example-prev', '‹', { secondary: true, title: 'Previous test image' }),
              num('example', 'Test image', '0', { min: '0', step: '1' }),
              button('example-next', '›', { secondary: true, title: 'Next test image' }),
              button('example-random', 'Random', { secondary: true })),
            h('p', { id: 'example-info', class: 'muted' }, 'Shown once training starts.'))),
        h('div', { id: 'features' }, h('div', { id: 'feature-maps' }))),
      card('filters', 'First-layer filters', h('canvas', { id: 'filters-canvas', width: '0', height: '0' }), h('p', { id: 'filters-info', class: 'muted small' })),
      card('confusion', 'Confusion matrix (test set)', h('div', { id: 'confusion' }, h('p', { class: 'muted' }, 'Appears after the first epoch.'))),
      card('gradcheck', 'Gradient check', h('div', { id: 'gradcheck' })),
      card('model', 'Model', h('ol', { id: 'layers', class: 'layers' }))),
  );
  byId('gradcheck-card').hidden = true;
  for (const b of Array.from(app.querySelectorAll('.banner-close'))) {
    b.addEventListener('click', () => { (b.parentElement as HTMLElement).hidden = true; });
  }
}
