// The engine side of the panel: owns the backend, the Trainer and the plot readbacks, and speaks
// engine-protocol.ts. The same class runs in the webview's thread (WebGPU engine) and in the CPU
// Web Worker (cpu-worker.ts), so the UI never knows which one it drives.
//
// Readbacks for plots are occasional and asynchronous. Gradients, feature maps and filters are
// captured every `plotEvery` steps, from inside a trainer event callback: the trainer enqueues each
// step synchronously, so at that moment no step is half-recorded, and the capture enqueues copies
// into snapshot tensors (and, for feature maps, one eval-mode forward pass of the chosen test image)
// between two steps. Only then are the snapshots read, while training already continues.
//
// Test evaluation with the confusion matrix needs a trainer that is not running: after each epoch the
// runner pauses the trainer, evaluates, and resumes it. Those internal pauses are invisible to the UI,
// whose own pause state is tracked separately (`paused` events).

import type { Backend, Tensor } from '../engine/backend';
import { fillBatch, type Dataset } from '../engine/data/dataset';
import { CpuBackend } from '../engine/cpu/backend';
import { gradientCheck } from '../engine/gradcheck';
import type { Network } from '../engine/network';
import { Trainer, type TrainEvent } from '../engine/train';
import type { ModelSpec } from '../lang/spec';
import { parse, tryParse, type RunSettings } from '../protocol';
import {
  engineCommandSchema, type EngineCommand, type EngineEvent, type PlotOptions, type RestorePayload,
} from './engine-protocol';
import { histogram, l2norm } from './lib/histogram';

/** Bins of the gradient histograms. */
export const HISTOGRAM_BINS = 40;

export type BackendPurpose = 'train' | 'gradcheck';
export type Emit = (event: EngineEvent, transfer?: Transferable[]) => void;

export class EngineRunner {
  private spec: ModelSpec | null = null;
  private dataset: Dataset | null = null;
  private run: Run | null = null;

  constructor(private readonly emit: Emit, private readonly createBackend: (purpose: BackendPurpose) => Promise<Backend>) {}

  /** Validates and executes one command; failures become `failed` events, never exceptions. */
  receive(data: unknown): void {
    const parsed = tryParse((x) => parse(engineCommandSchema, x, 'command'), data);
    if (!parsed.ok) {
      this.emit({ type: 'failed', id: null, message: `engine: ignored a malformed command (${parsed.error})` });
      return;
    }
    this.handle(parsed.message).catch((e: unknown) => {
      const id = 'id' in parsed.message ? (parsed.message.id as number) : null;
      this.emit({ type: 'failed', id, message: errorText(e) });
    });
  }

  private async handle(c: EngineCommand): Promise<void> {
    switch (c.type) {
      case 'load':
        if (this.run?.live) throw new Error('cannot load a new model while training runs; stop it first');
        this.spec = c.spec;
        this.dataset = c.dataset;
        return;
      case 'start': return this.start(c.settings, c.reportEvery, c.plots, c.restore);
      case 'gradientCheck': return this.gradientCheck(c.id);
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
      case 'saveState': return run.saveState(c.id);
    }
  }

  private async start(settings: RunSettings, reportEvery: number, plots: PlotOptions, restore: RestorePayload | null): Promise<void> {
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
        onEvent: (e) => run?.onTrainEvent(e),
      });
      if (restore) {
        await trainer.restoreState({
          tensors: new Map(restore.tensors.map((t) => [t.name, { shape: t.shape, data: t.data }])),
          epoch: restore.epoch, step: restore.step,
        });
      }
    } catch (e) {
      backend.destroy();
      throw e;
    }
    run = new Run(trainer, backend, this.dataset, this.spec, plots, this.emit);
    this.run = run;
    run.begin();
  }

  /** Ends any run and frees its backend. */
  dispose(): void {
    this.run?.dispose();
    this.run = null;
  }

  private async gradientCheck(id: number): Promise<void> {
    if (!this.spec) throw new Error('no model loaded');
    const backend = await this.createBackend('gradcheck');
    // f32 finite differences only catch gross errors: on WebGPU also compare with the f64 CPU's gradients.
    const reference = backend.name === 'cpu' ? undefined : new CpuBackend({ precision: 'f64' });
    try {
      const result = await gradientCheck(backend, this.spec, reference ? { reference } : {});
      this.emit({ type: 'gradientCheck', id, result });
    } finally {
      backend.destroy();
      reference?.destroy();
    }
  }
}

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

  constructor(readonly trainer: Trainer, private readonly backend: Backend, dataset: Dataset, private readonly spec: ModelSpec,
    private plots: PlotOptions, private readonly emit: Emit) {
    this.telemetry = new Telemetry(backend, trainer.network, dataset, emit);
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
      case 'step':
        this.stepped = true;
        this.emit({ type: 'train', event: e });
        void this.capture(false);
        return;
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
      case 'error':
        this.finished = true;
        this.emit({ type: 'train', event: e });
        return;
      case 'start':
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

  saveState(id: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.schedule(async () => {
        try {
          const s = await this.trainer.saveState();
          const tensors = [...s.tensors].map(([name, t]) => ({ name, shape: [...t.shape], data: t.data }));
          this.emit({ type: 'state', id, epoch: s.epoch, step: s.step, tensors }, tensors.map((t) => t.data.buffer as ArrayBuffer));
          resolve();
        } catch (e) {
          reject(e);
        }
      });
    });
  }

  dispose(): void {
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
          this.emit({ type: 'failed', id: null, message: errorText(e) });
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

/** Snapshot tensors and the readbacks of gradients, feature maps and filters. */
class Telemetry {
  private gradSnapshots: Tensor[] | null = null;
  private featureSnapshots: Tensor[] | null = null;
  private outputSnapshot: Tensor | null = null;
  private filterSnapshot: Tensor | null = null;
  /** Reads in flight; a capture while one is pending returns it instead of starting another. */
  readonly inFlight: { gradients: Promise<void> | null; features: Promise<void> | null; filters: Promise<void> | null } =
    { gradients: null, features: null, filters: null };
  private readonly featureLayers: number[];
  private readonly firstConv: number;
  private readonly hostImage: Float32Array;
  private readonly hostLabel = new Uint32Array(1);
  private disposed = false;

  constructor(private readonly backend: Backend, private readonly net: Network, private readonly dataset: Dataset, private readonly emit: Emit) {
    this.featureLayers = net.featureMapLayers();
    this.firstConv = net.layers.findIndex((l) => l.spec.kind === 'conv');
    const [c, h, w] = dataset.shape;
    this.hostImage = new Float32Array(c * h * w);
  }

  /** Copies every parameter gradient now; reads, bins and reports them asynchronously. */
  gradients(globalStep: number): Promise<void> {
    if (this.disposed) return Promise.resolve();
    if (this.inFlight.gradients) return this.inFlight.gradients;
    const params = this.net.parameters;
    const snaps = (this.gradSnapshots ??= params.map((p) => this.backend.zeros(p.length)));
    params.forEach((p, i) => this.backend.copy(p.grad, snaps[i]));
    this.backend.flush();
    return this.track('gradients', Promise.all(snaps.map((s) => this.backend.read(s))).then((values) => {
      if (this.disposed) return;
      const tensors = values.map((g, i) => {
        const h = histogram(g, HISTOGRAM_BINS);
        return { name: params[i].name, norm: l2norm(g), min: h.min, max: h.max, counts: h.counts };
      });
      this.emit({ type: 'gradients', globalStep, tensors });
    }));
  }

  /**
   * Runs test image `example` through the network (eval mode, batch of 1) between two training steps
   * and copies each conv/pool output; reads them asynchronously.
   */
  features(example: number, globalStep: number): Promise<void> {
    if (this.disposed) return Promise.resolve();
    if (this.inFlight.features) return this.inFlight.features;
    const split = this.dataset.test.count > 0 ? this.dataset.test : this.dataset.train;
    if (split.count === 0) return Promise.resolve();
    const index = Math.min(example, split.count - 1);
    const [c, h, w] = this.dataset.shape;
    fillBatch(split, this.dataset.shape, [index], this.hostImage, this.hostLabel);
    this.backend.write(this.net.input, this.hostImage);
    const out = this.net.predict({ n: 1, training: false, seed: 0 });
    const shapes = this.featureLayers.map((i) => shape3(this.net.layers[i].outputShape));
    const snaps = (this.featureSnapshots ??= shapes.map((s) => this.backend.zeros(s[0] * s[1] * s[2])));
    const outSnap = (this.outputSnapshot ??= this.backend.zeros(this.net.classes));
    this.featureLayers.forEach((layer, k) => this.backend.copy(this.net.layerOutput(layer), snaps[k], snaps[k].length));
    this.backend.copy(out, outSnap, this.net.classes);
    this.backend.flush();
    const image = this.hostImage.slice();
    const label = this.hostLabel[0];
    return this.track('features', Promise.all([...snaps, outSnap].map((s) => this.backend.read(s))).then((values) => {
      if (this.disposed) return;
      const probs = values.pop()!;
      let predicted = 0;
      for (let k = 1; k < probs.length; k++) if (probs[k] > probs[predicted]) predicted = k;
      const maps = values.map((data, k) => ({
        layer: this.featureLayers[k], kind: this.net.layers[this.featureLayers[k]].spec.kind, shape: shapes[k],
        data: data instanceof Float32Array ? data : Float32Array.from(data),
      }));
      const input = { layer: -1, kind: 'input', shape: [c, h, w] as [number, number, number], data: image };
      this.emit({ type: 'features', globalStep, example: index, label, predicted, confidence: probs[predicted], input, maps },
        [image.buffer, ...maps.map((m) => m.data.buffer as ArrayBuffer)]);
    }));
  }

  /** The first conv layer's kernels. */
  filters(globalStep: number): Promise<void> {
    if (this.firstConv < 0 || this.disposed) return Promise.resolve();
    if (this.inFlight.filters) return this.inFlight.filters;
    const weight = this.net.parameters.find((p) => p.name === `layers.${this.firstConv}.weight`);
    if (!weight) return Promise.resolve();
    const snap = (this.filterSnapshot ??= this.backend.zeros(weight.length));
    this.backend.copy(weight.value, snap);
    this.backend.flush();
    return this.track('filters', this.backend.read(snap).then((values) => {
      if (this.disposed) return;
      const data = values instanceof Float32Array ? values : Float32Array.from(values);
      this.emit({ type: 'filters', globalStep, layer: this.firstConv, shape: [...weight.shape], data }, [data.buffer as ArrayBuffer]);
    }));
  }

  /** Remembers a read in flight until it settles; a failure becomes a `failed` event. */
  private track(kind: keyof Telemetry['inFlight'], read: Promise<void>): Promise<void> {
    const done = read.catch((e: unknown) => this.fail(`reading ${kind}`, e)).finally(() => { this.inFlight[kind] = null; });
    this.inFlight[kind] = done;
    return done;
  }

  dispose(): void {
    this.disposed = true;
  }

  private fail(what: string, e: unknown): void {
    if (!this.disposed) this.emit({ type: 'failed', id: null, message: `${what}: ${errorText(e)}` });
  }
}

function shape3(shape: readonly number[]): [number, number, number] {
  return shape.length === 3 ? [shape[0], shape[1], shape[2]] : [shape[0], 1, 1];
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
