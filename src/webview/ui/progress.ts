// The progress row: status, `epoch e/E · step s/S · n of N steps` (its data-global-step is what the
// e2e tests read), speed, ETA, the latest loss, test accuracy and learning rate, and the progress bar.

import type { TrainingStatus } from '../../protocol';
import type { TrainEventPayload } from '../engine-protocol';
import { formatDuration, formatNumber, formatPercent } from '../lib/eta';
import { byId } from './dom';

const STATUS_TEXT: Record<TrainingStatus, string> = {
  idle: 'Ready', loading: 'Starting…', running: 'Training', paused: 'Paused', done: 'Finished', failed: 'Failed',
};

export type StepEvent = Extract<TrainEventPayload, { type: 'step' }>;

/** Where a run stands, as the progress row shows it. */
export interface ProgressSnapshot {
  readonly status: TrainingStatus;
  /** Null before a run; totalSteps 0 until the trainer's start event. */
  readonly run: { readonly epochs: number; readonly stepsPerEpoch: number; readonly totalSteps: number } | null;
  readonly globalStep: number;
  readonly imagesPerSecond: number | null;
  readonly secondsLeft: number | null;
  readonly lastLoss: number | undefined;
}

/** The status as the person reads it: a run that ended by Stop reads "Stopped", not "Finished". */
export function statusText(status: TrainingStatus, stopped: boolean): string {
  return status === 'done' && stopped ? 'Stopped' : STATUS_TEXT[status];
}

export function showStatus(status: TrainingStatus, stopped = false): void {
  const el = byId('status');
  el.dataset.status = status;
  el.textContent = statusText(status, stopped);
}

/** `step`: the report just received, whose epoch and in-epoch step are exact. */
export function showProgress(p: ProgressSnapshot, step?: StepEvent): void {
  const { run } = p;
  const bar = byId('progress-bar') as HTMLElement & { value?: number; max: number };
  const counter = byId('step-counter');
  counter.dataset.globalStep = String(p.globalStep);
  if (!run || run.totalSteps === 0) {
    counter.textContent = run ? 'starting…' : 'not started';
    return;
  }
  bar.max = run.totalSteps;
  bar.value = p.globalStep;
  // Epoch and step within it, from the global step (the last step of an epoch shows as n/n).
  const epochIndex = step ? step.epoch - 1 : Math.min(run.epochs - 1, Math.max(0, Math.ceil(p.globalStep / run.stepsPerEpoch) - 1));
  const inEpoch = step ? step.step : p.globalStep - epochIndex * run.stepsPerEpoch;
  counter.textContent = `epoch ${epochIndex + 1}/${run.epochs} · step ${Math.max(0, Math.min(inEpoch, run.stepsPerEpoch))}/${run.stepsPerEpoch} · ` +
    `${p.globalStep.toLocaleString('en-US')} of ${run.totalSteps.toLocaleString('en-US')} steps`;
  byId('speed').textContent = p.imagesPerSecond === null ? '' : `${Math.round(p.imagesPerSecond).toLocaleString('en-US')} images/s`;
  byId('eta').textContent = p.status === 'done' ? 'done' : `ETA ${formatDuration(p.secondsLeft)}`;
  if (p.lastLoss !== undefined) byId('loss-now').textContent = `loss ${formatNumber(p.lastLoss)}`;
}

/** After a reload: how far the run that the reload ended had come. */
export function showLastRun(globalStep: number, totalSteps: number): void {
  byId('step-counter').textContent = `last run: ${globalStep.toLocaleString('en-US')} of ${totalSteps.toLocaleString('en-US')} steps`;
}

export function showLearningRate(lr: number): void {
  byId('lr-live').textContent = `lr ${formatNumber(lr)}`;
}

/** Null clears it (a new run). */
export function showTestAccuracy(accuracy: number | null): void {
  byId('test-accuracy').textContent = accuracy === null ? '' : `test ${formatPercent(accuracy)}`;
}
