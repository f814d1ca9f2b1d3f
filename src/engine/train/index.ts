// The training loop and its parts: trainer.ts composes the loop (batches, evaluation, events) from
// step-gate.ts (pause / resume / step once / stop), metrics-ring.ts (asynchronous metric reads),
// state.ts with state-fit.ts and resume-notes.ts (saved state, its check and what a resume
// changes), checkpoint-state.ts (state ↔ checkpoint), non-finite.ts (NaN/∞ guard) with
// non-finite-recovery.ts (the search after a bad report), last-good-state.ts (the host copy to
// continue from after a lost device), update-rule.ts (sgd/adam steps or Newton), newton-run.ts
// (optimizer=newton's loop), epoch-clock.ts (an epoch's time and speed), batch-loader.ts,
// trainer-options.ts, evaluation.ts, inspection.ts (live probabilities, feature maps and
// gradients), settings.ts, order.ts (seeded orders) and events.ts. This module is what the rest of
// the engine and its callers import.

export { Trainer, type TrainerOptions } from './trainer';
export type { Evaluation } from './evaluation';
export { TrainError } from './errors';
export type { TrainEvent } from './events';
export type { TrainerSettings } from './settings';
export type { TrainerStatus } from './step-gate';
export type { TrainerState } from './state';
export { Inspector, type Inspection, type ParameterGradient } from './inspection';
export { stepSeed } from './order';
