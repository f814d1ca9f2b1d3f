// The training controls: buttons, the settings fields (read, checked, restored) and which of them are
// enabled in each state. What the buttons do is the caller's (ControlActions).

import { BACKEND_CHOICES, type BackendChoice, type ModelPayload, type TrainingStatus } from '../../protocol';
import type { PanelSettings } from '../saved-state';
import { byId } from './dom';

export interface ControlActions {
  start(): Promise<void>;
  pauseOrResume(): void;
  step(): void;
  stop(): void;
  save(choose: boolean): Promise<void>;
  resumeFromCheckpoint(): Promise<void>;
  gradientCheck(): Promise<void>;
  /** "Export model…": to PyTorch or ONNX, with the run's weights. */
  exportModel(): void;
  /** The learning rate field has a new valid value. */
  learningRateChanged(lr: number): void;
  /** Plot frequency or test image changed (and every field is valid). */
  plotsChanged(): void;
  /** A setting for the next run changed. */
  settingsChanged(): void;
  /** A button's action failed. */
  failed(e: unknown): void;
}

export interface ControlState {
  readonly status: TrainingStatus;
  /** The model has arrived. */
  readonly ready: boolean;
  /** There is a run whose state can be saved. */
  readonly hasRun: boolean;
  readonly gradientCheckRunning: boolean;
}

type Field = HTMLElement & { value: string; invalid: boolean; title: string; disabled: boolean };
const field = (id: string) => byId(id) as Field;

export class Controls {
  /** The fields came from saved state: the next init must not overwrite them with the model's defaults. */
  private restored = false;

  /** `exampleCount`: test images in the data set, null before it arrives. */
  constructor(private readonly exampleCount: () => number | null) {}

  wire(actions: ControlActions): void {
    const act = (id: string, fn: () => unknown) => byId(id).addEventListener('click', () => {
      if (field(id).disabled) return;
      void Promise.resolve().then(fn).catch((e: unknown) => actions.failed(e));
    });
    act('start', () => actions.start());
    act('pause', () => actions.pauseOrResume());
    act('step', () => actions.step());
    act('stop', () => actions.stop());
    act('save', () => actions.save(false));
    act('save-as', () => actions.save(true));
    act('resume-checkpoint', () => actions.resumeFromCheckpoint());
    act('gradcheck-button', () => actions.gradientCheck());
    act('export', () => actions.exportModel());
    const example = (index: number) => { this.setExample(index); actions.plotsChanged(); };
    act('example-prev', () => example(this.example() - 1));
    act('example-next', () => example(this.example() + 1));
    act('example-random', () => example(Math.floor(Math.random() * (this.exampleCount() ?? 1))));
    byId('example').addEventListener('change', () => example(Number(field('example').value)));
    byId('lr').addEventListener('change', () => {
      const lr = Number(field('lr').value);
      const ok = lr > 0 && Number.isFinite(lr);
      this.fieldError('lr', ok ? null : 'a positive number');
      if (ok) actions.learningRateChanged(lr);
    });
    for (const id of ['epochs', 'batch', 'plot-every']) {
      byId(id).addEventListener('change', () => { if (this.read()) actions.plotsChanged(); });
    }
    byId('backend').addEventListener('change', () => actions.settingsChanged());
  }

  /** The settings in the fields, or null (with the bad fields marked, unless `mark` is false) when one is invalid. */
  read(mark = true): PanelSettings | null {
    const s = this.readValid(mark);
    const { epochs, batch, lr, plotEvery, example, backend } = s;
    if (epochs === undefined || batch === undefined || lr === undefined || plotEvery === undefined || example === undefined || backend === undefined) return null;
    return { epochs, batch, lr, plotEvery, example, backend };
  }

  /** Each field that holds a valid value now (the bad ones marked, unless `mark` is false). */
  readValid(mark = true): Partial<PanelSettings> {
    const int = (id: string, min: number, max: number) => {
      const v = Number(field(id).value);
      const ok = Number.isInteger(v) && v >= min && v <= max;
      if (mark) this.fieldError(id, ok ? null : `a whole number from ${min} to ${max}`);
      return ok ? v : undefined;
    };
    const lr = Number(field('lr').value);
    const lrOk = lr > 0 && Number.isFinite(lr);
    if (mark) this.fieldError('lr', lrOk ? null : 'a positive number');
    const backend = field('backend').value as BackendChoice;
    const values: Partial<PanelSettings> = {
      epochs: int('epochs', 1, 100_000), batch: int('batch', 1, 4096), plotEvery: int('plot-every', 1, 100_000),
      example: int('example', 0, Math.max(0, (this.exampleCount() ?? 1 << 26) - 1)),
      lr: lrOk ? lr : undefined, backend: BACKEND_CHOICES.includes(backend) ? backend : 'auto',
    };
    return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<PanelSettings>;
  }

  /** Settings from before a reload. */
  restore(s: PanelSettings): void {
    field('epochs').value = String(s.epochs);
    field('batch').value = String(s.batch);
    field('lr').value = String(s.lr);
    field('plot-every').value = String(s.plotEvery);
    field('example').value = String(s.example);
    field('backend').value = s.backend;
    this.restored = true;
  }

  /** A model arrived: its train statement's settings, unless the fields were just restored; the test image in range. */
  showModel(model: ModelPayload, keepExample: boolean): void {
    if (!this.restored) {
      field('epochs').value = String(model.spec.train.epochs);
      field('batch').value = String(model.spec.train.batch);
      field('lr').value = String(model.spec.train.lr);
    }
    this.restored = false;
    const count = this.exampleCount() ?? 0;
    if (!keepExample && count > 0 && this.example() >= count) field('example').value = '0';
  }

  /** Where "Save checkpoint" writes. */
  showCheckpointPath(path: string): void {
    byId('save').title = `Write ${path} (replaces it atomically)`;
  }

  update(s: ControlState): void {
    const live = s.status === 'running' || s.status === 'paused' || s.status === 'loading';
    const set = (id: string, enabled: boolean) => { field(id).disabled = !enabled; };
    set('start', s.ready && !live);
    set('pause', s.status === 'running' || s.status === 'paused');
    byId('pause').textContent = s.status === 'paused' ? 'Resume' : 'Pause';
    set('step', s.status === 'paused');
    set('stop', s.status === 'running' || s.status === 'paused');
    set('save', s.hasRun);
    set('save-as', s.hasRun);
    set('resume-checkpoint', s.ready && !live);
    set('gradcheck-button', s.ready && !s.gradientCheckRunning);
    // After a run, with its weights saved; mid-run the saved weights would already be behind.
    set('export', s.ready && !live);
    for (const id of ['epochs', 'batch', 'backend']) set(id, !live);
    byId('start').textContent = s.status === 'done' || s.status === 'failed' ? 'Train again' : 'Start';
  }

  private example(): number {
    const v = Number(field('example').value);
    return Number.isFinite(v) ? v : 0;
  }

  /** Wraps around the test set. */
  private setExample(index: number): void {
    const count = this.exampleCount() ?? 0;
    const i = count > 0 ? ((Math.round(index) % count) + count) % count : 0;
    field('example').value = String(i);
  }

  private fieldError(id: string, expected: string | null): void {
    const el = field(id);
    el.invalid = expected !== null;
    el.title = expected ? `Expected ${expected}` : '';
  }
}
