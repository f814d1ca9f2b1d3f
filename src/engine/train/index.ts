// The training loop and its parts: trainer.ts composes the loop (batches, evaluation, events) from
// step-gate.ts (pause / resume / step once / stop), metrics-ring.ts (asynchronous metric reads),
// state.ts (checkpoints), inspection.ts (live probabilities, feature maps and gradients),
// settings.ts, order.ts (seeded orders) and events.ts. This module is what the rest of the engine
// and its callers import.

export { Trainer, type TrainerOptions, type Evaluation } from './trainer';
export { TrainError } from './errors';
export type { TrainEvent } from './events';
export type { TrainerSettings } from './settings';
export type { TrainerStatus } from './step-gate';
export type { TrainerState } from './state';
export { Inspector, type Inspection, type ParameterGradient } from './inspection';
export { stepSeed } from './order';
