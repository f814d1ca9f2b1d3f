// What a checkpoint of a training run holds, and the one place it is taken from and given back to
// the trainer's parts: weights, batch-norm buffers and optimizer slots by name, plus the loop's
// counters. A new saved field goes into TrainerState (and TrainingProgress when the loop keeps it)
// and the two functions below, and into checkpoint-state.ts for files.

import type { Backend, Tensor } from '../backend';
import { toFloat32, type Network } from '../network';
import type { OptimizerState } from '../optim/optimizer';
import { TrainError } from './errors';
import type { TrainerSettings } from './settings';
import { assertStateFits, checkStateFit } from './state-fit';

/** Metric sums of steps taken but not yet reported: restored, a run reports in the same groups. */
export interface UnreportedMetrics {
  readonly steps: number;
  /** Σ loss, correct count, n — as the device accumulated them (f32). */
  readonly sums: readonly [number, number, number];
}

/** The settings a state was trained with (all but the epoch count, which a resume may raise). */
export type SavedSettings = Omit<TrainerSettings, 'epochs'>;

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
  /** The optimizer's own step count (Adam's t); older states lack it, and then `step` stands in. */
  readonly optimizerSteps?: number;
  readonly unreported?: UnreportedMetrics;
  /** What the state was trained with, so a resume can say what other settings change. */
  readonly settings?: SavedSettings;
  /** The data set's name. */
  readonly dataName?: string;
}

/** Where the training loop stands: the counters of a TrainerState, as the loop keeps them. */
export interface TrainingProgress {
  /** Epochs completed. */
  epoch: number;
  /** Steps taken in the unfinished epoch. */
  stepInEpoch: number;
  /** Optimizer steps taken. */
  globalStep: number;
  /** Loss sum, correct count and n of the unfinished epoch's reported steps. */
  epochTotals: [number, number, number];
}

export function initialProgress(): TrainingProgress {
  return { epoch: 0, stepInEpoch: 0, globalStep: 0, epochTotals: [0, 0, 0] };
}

/** The trainer's parts a state is read from and written to. */
export interface StateParts {
  readonly backend: Backend;
  readonly network: Network;
  readonly optimizer: OptimizerState;
}

/** The run a state is read from: its settings, data and the metrics accumulated since the last report. */
export interface RunContext {
  readonly settings: TrainerSettings;
  readonly dataName: string;
  readonly unreportedSteps: number;
  /** The device tensor whose first three values are the unreported sums. */
  readonly accumulator: Tensor;
}

/** Reads the full state; nothing may be training meanwhile. */
export async function readTrainerState(parts: StateParts, progress: TrainingProgress, run?: RunContext): Promise<TrainerState> {
  const { backend, network, optimizer } = parts;
  const tensors = new Map<string, { shape: readonly number[]; data: Float32Array }>();
  const weights = await network.readState();
  for (const p of network.parameters) tensors.set(p.name, { shape: p.shape, data: weights.get(p.name)! });
  for (const b of network.buffers) tensors.set(b.name, { shape: [b.length], data: weights.get(b.name)! });
  for (const s of optimizer.slots) tensors.set(s.name, { shape: [s.length], data: toFloat32(await backend.read(s.tensor)) });
  const state: TrainerState = {
    tensors, epoch: progress.epoch, step: progress.globalStep, epochTotals: [...progress.epochTotals], optimizerSteps: optimizer.steps,
  };
  if (!run) return state;
  const { epochs: _epochs, ...settings } = run.settings;
  const sums = await backend.read(run.accumulator);
  return { ...state, settings, dataName: run.dataName, unreported: { steps: run.unreportedSteps, sums: [sums[0], sums[1], sums[2]] } };
}

/** How the current run cuts its epochs into steps, to place a state saved with another batch size. */
export interface EpochLayout {
  readonly stepsPerEpoch: number;
  readonly batch: number;
  readonly trainExamples: number;
}

/**
 * Writes a saved state's tensors and returns the progress to continue from. Optimizer state is
 * optional (a weights-only checkpoint starts the optimizer fresh, step count 0); weights and
 * buffers are required. Everything is checked before anything is written.
 */
export function writeTrainerState(parts: StateParts, state: TrainerState, layout: number | EpochLayout): TrainingProgress {
  const { backend, network, optimizer } = parts;
  if (!Number.isInteger(state.epoch) || state.epoch < 0 || !Number.isInteger(state.step) || state.step < 0) {
    throw new TrainError(`saved progress is not valid (epoch ${state.epoch}, step ${state.step})`);
  }
  const fit = checkStateFit(state.tensors, network, optimizer);
  assertStateFits(fit);
  const values = new Map<string, Float32Array>();
  for (const [name, t] of state.tensors) values.set(name, t.data);
  network.writeState(values);
  if (fit.hasOptimizerState) {
    for (const s of optimizer.slots) backend.write(s.tensor, values.get(s.name)!);
    optimizer.restoreSteps(state.optimizerSteps ?? state.step);
  } else {
    optimizer.reset();
  }
  const stepInEpoch = stepsIntoEpoch(state, typeof layout === 'number' ? { stepsPerEpoch: layout, batch: 0, trainExamples: 0 } : layout);
  const epochTotals: [number, number, number] = state.epochTotals && stepInEpoch > 0 ? [...state.epochTotals] : [0, 0, 0];
  return { epoch: state.epoch, stepInEpoch, globalStep: state.step, epochTotals };
}

/**
 * Steps already taken in the unfinished epoch, if the state was saved mid-epoch. Saved with another
 * batch size, the examples already seen are counted in the saved batch and the epoch continues at
 * the step that holds the next one (up to a batch of examples is then seen twice, none skipped).
 */
function stepsIntoEpoch(state: TrainerState, layout: EpochLayout): number {
  const saved = state.settings?.batch;
  const clampToEpoch = (steps: number, perEpoch: number) => {
    const s = Math.min(Math.max(0, steps), perEpoch);
    return s === perEpoch ? -1 : s;
  };
  if (saved === undefined || layout.batch === 0 || saved === layout.batch) {
    return Math.max(0, clampToEpoch(state.step - state.epoch * layout.stepsPerEpoch, layout.stepsPerEpoch));
  }
  const savedStepsPerEpoch = Math.ceil(layout.trainExamples / saved);
  const savedSteps = clampToEpoch(state.step - state.epoch * savedStepsPerEpoch, savedStepsPerEpoch);
  if (savedSteps <= 0) return 0;
  return Math.floor(Math.min(savedSteps * saved, layout.trainExamples) / layout.batch);
}
