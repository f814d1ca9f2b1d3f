// A trainer state as a checkpoint and back: the one mapping between TrainerState and the
// checkpoint metadata, so the CLI and the panel write and read the same fields.

import type { DataSpec } from '../../lang/spec';
import type { BackendName } from '../backend';
import type { Checkpoint, CheckpointMetrics } from '../checkpoint';
import { TrainError } from './errors';
import type { TrainerState } from './state';

/** What a checkpoint records beside the state: where it came from. */
export interface CheckpointOrigin {
  readonly modelText: string;
  readonly backend: BackendName;
  readonly data: DataSpec;
  readonly created?: Date;
  readonly metrics?: CheckpointMetrics;
}

/** Adam's fixed constants, recorded so a reader need not know them. */
const ADAM_CONSTANTS = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

/** The checkpoint of a state from Trainer.saveState (which records the settings it needs). */
export function checkpointOfState(state: TrainerState, origin: CheckpointOrigin): Checkpoint {
  const s = state.settings;
  if (!s) throw new TrainError('the state has no settings to record; take it with Trainer.saveState()');
  const unreported = state.unreported ?? { steps: 0, sums: [0, 0, 0] as const };
  return {
    tensors: state.tensors,
    metadata: {
      modelText: origin.modelText, seed: s.seed, epoch: state.epoch, step: state.step, backend: origin.backend,
      created: (origin.created ?? new Date()).toISOString(), data: origin.data,
      optimizer: {
        kind: s.optimizer, lr: s.lr, momentum: s.momentum, decay: s.decay, weightDecay: s.weightDecay,
        ...(s.optimizer === 'adam' ? ADAM_CONSTANTS : {}),
      },
      resume: {
        optimizerStep: state.optimizerSteps ?? state.step, batch: s.batch, validation: s.validation, dataName: state.dataName ?? '',
        epochTotals: state.epochTotals ?? [0, 0, 0], unreported,
      },
      ...(origin.metrics ? { metrics: origin.metrics } : {}),
    },
  };
}

/** The state a checkpoint holds; one written before resume points carries only epoch and step. */
export function stateOfCheckpoint(c: Checkpoint): TrainerState {
  const m = c.metadata, r = m.resume;
  const base = { tensors: c.tensors, epoch: m.epoch, step: m.step };
  if (!r) return base;
  const o = m.optimizer;
  return {
    ...base, epochTotals: r.epochTotals, optimizerSteps: r.optimizerStep, unreported: r.unreported, dataName: r.dataName,
    settings: { batch: r.batch, optimizer: o.kind, lr: o.lr, momentum: o.momentum, decay: o.decay, weightDecay: o.weightDecay, seed: m.seed, validation: r.validation },
  };
}
