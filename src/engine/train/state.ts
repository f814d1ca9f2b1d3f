// What a checkpoint of a training run holds, and the one place it is taken from and given back to
// the trainer's parts: weights, batch-norm buffers and optimizer slots by name, plus the loop's
// counters. A new saved field (say, the optimizer's own step count) goes into TrainerState,
// TrainingProgress and the two functions below, and nowhere else.

import type { Backend } from '../backend';
import { toFloat32, type Network } from '../network';
import type { Optimizer } from '../optim/optimizer';
import { TrainError } from './errors';

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
  readonly optimizer: Optimizer;
}

/** Reads the full state; nothing may be training meanwhile. */
export async function readTrainerState(parts: StateParts, progress: TrainingProgress): Promise<TrainerState> {
  const { backend, network, optimizer } = parts;
  const tensors = new Map<string, { shape: readonly number[]; data: Float32Array }>();
  const weights = await network.readState();
  for (const p of network.parameters) tensors.set(p.name, { shape: p.shape, data: weights.get(p.name)! });
  for (const b of network.buffers) tensors.set(b.name, { shape: [b.length], data: weights.get(b.name)! });
  for (const s of optimizer.slots) tensors.set(s.name, { shape: [s.length], data: toFloat32(await backend.read(s.tensor)) });
  return { tensors, epoch: progress.epoch, step: progress.globalStep, epochTotals: [...progress.epochTotals] };
}

/**
 * Writes a saved state's tensors and returns the progress to continue from. Optimizer state is
 * optional (a weights-only checkpoint starts the optimizer fresh); weights and buffers are required.
 */
export function writeTrainerState(parts: StateParts, state: TrainerState, stepsPerEpoch: number): TrainingProgress {
  const { backend, network, optimizer } = parts;
  if (!Number.isInteger(state.epoch) || state.epoch < 0 || !Number.isInteger(state.step) || state.step < 0) {
    throw new TrainError(`saved progress is not valid (epoch ${state.epoch}, step ${state.step})`);
  }
  const values = new Map<string, Float32Array>();
  for (const [name, t] of state.tensors) values.set(name, t.data);
  network.writeState(values);
  if (optimizer.slots.every((s) => values.has(s.name))) {
    for (const s of optimizer.slots) {
      const data = values.get(s.name)!;
      if (data.length !== s.length) throw new TrainError(`saved optimizer tensor '${s.name}' has ${data.length} values, expected ${s.length}`);
      backend.write(s.tensor, data);
    }
  } else {
    optimizer.reset();
  }
  // Steps already taken in the unfinished epoch, if the state was saved mid-epoch.
  let stepInEpoch = Math.min(Math.max(0, state.step - state.epoch * stepsPerEpoch), stepsPerEpoch);
  if (stepInEpoch === stepsPerEpoch) stepInEpoch = 0;
  const epochTotals: [number, number, number] = state.epochTotals && stepInEpoch > 0 ? [...state.epochTotals] : [0, 0, 0];
  return { epoch: state.epoch, stepInEpoch, globalStep: state.step, epochTotals };
}
