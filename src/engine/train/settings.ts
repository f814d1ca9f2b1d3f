// The trainer's settings: a `train` statement's values with per-run overrides (CLI flags, panel
// controls), checked once so the loop can trust them.

import type { TrainSettings } from '../../lang/spec';
import { TrainError } from './errors';

/** The parts of a `train` statement the trainer uses; any can be overridden per run. */
export type TrainerSettings = Pick<TrainSettings, 'epochs' | 'batch' | 'optimizer' | 'lr' | 'momentum' | 'decay' | 'weightDecay' | 'seed'> & {
  /** Fraction of the training split held out for validation (0 = none). */
  readonly validation: number;
};

/** `train` with `overrides` applied; throws a TrainError naming the first value out of range. */
export function resolveSettings(train: TrainSettings, overrides: Partial<TrainerSettings> = {}): TrainerSettings {
  const settings: TrainerSettings = {
    epochs: train.epochs, batch: train.batch, optimizer: train.optimizer, lr: train.lr, momentum: train.momentum,
    decay: train.decay, weightDecay: train.weightDecay, seed: train.seed,
    // A separate validation data set arrives as its own split (TrainerOptions.validationSplit).
    validation: typeof train.validation === 'number' ? train.validation : 0,
    ...overrides,
  };
  checkSettings(settings);
  return settings;
}

function checkSettings(s: TrainerSettings): void {
  const positiveInt = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw new TrainError(`${name} must be a positive integer, got ${v}`);
  };
  positiveInt('epochs', s.epochs);
  positiveInt('batch', s.batch);
  if (!(s.lr > 0) || !Number.isFinite(s.lr)) throw new TrainError(`lr must be a positive number, got ${s.lr}`);
  if (!(s.momentum >= 0 && s.momentum < 1)) throw new TrainError(`momentum must be in [0, 1), got ${s.momentum}`);
  if (!(s.decay >= 0) || !Number.isFinite(s.decay)) throw new TrainError(`decay must be ≥ 0, got ${s.decay}`);
  if (!(s.weightDecay >= 0) || !Number.isFinite(s.weightDecay)) throw new TrainError(`weight decay must be ≥ 0, got ${s.weightDecay}`);
  if (!(s.validation >= 0 && s.validation < 1)) throw new TrainError(`validation fraction must be in [0, 1), got ${s.validation}`);
}
