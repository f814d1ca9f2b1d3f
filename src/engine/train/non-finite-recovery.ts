// What the sgd/adam loop does after a report's loss came back non-finite: back to the last good
// state, then the steps from there one at a time until one gives a non-finite loss or weights; that
// step is undone and searched for the layer where values first stop being finite (non-finite.ts
// holds the guard's copies and searches; this is the procedure that drives them).

import type { Backend } from '../backend';
import type { Network } from '../network';
import type { TrainEvent } from './events';
import type { MetricsRing } from './metrics-ring';
import { describeNonFinite, type NonFiniteGuard, type NonFiniteSite } from './non-finite';
import { stepSeed } from './order';
import type { TrainingProgress } from './state';

/** The step loop's parts a recovery drives. */
export interface RecoveryParts {
  readonly backend: Backend;
  readonly network: Network;
  readonly guard: NonFiniteGuard;
  readonly metrics: MetricsRing;
  readonly seed: number;
  readonly stepsPerEpoch: number;
  /** The loop's position now, and its replacement as the recovery moves it back. */
  position(): TrainingProgress;
  setPosition(position: TrainingProgress): void;
  /** Enqueues the training step at the position and advances it. */
  trainStep(): void;
  /** Loads the batch of the position's step; returns its size. */
  loadStepBatch(): number;
}

export type NonFiniteEvent = Extract<TrainEvent, { type: 'nonFinite' }>;

/**
 * Leaves the loop at the last good state (before the failing step, where one was found), with the
 * metric sums discarded; resolves with the event that reports it. The caller pauses training.
 */
export async function recoverFromNonFinite(parts: RecoveryParts): Promise<NonFiniteEvent> {
  const { backend, guard, metrics } = parts;
  await metrics.drain();
  const reachedStep = parts.position().globalStep;
  parts.setPosition(guard.rollback());
  metrics.discard();  // sums of steps after the last report belong to the rolled-back steps
  const spoiled = await guard.firstNonFiniteParameter();
  let found: { step: number | null; site: NonFiniteSite | null } | null = spoiled ? { step: null, site: guard.updateSite(spoiled) } : null;
  while (!found && parts.position().globalStep < reachedStep && parts.position().stepInEpoch < parts.stepsPerEpoch) {
    guard.keepBeforeStep(parts.position());
    parts.trainStep();
    const [lossSum, correct, count] = await backend.read(metrics.accumulator);
    metrics.discard();
    const badWeight = Number.isFinite(lossSum) ? await guard.firstNonFiniteParameter() : null;
    if (Number.isFinite(lossSum) && badWeight === null) {
      const totals = parts.position().epochTotals;
      totals[0] += lossSum; totals[1] += correct; totals[2] += count;
      continue;
    }
    parts.setPosition(guard.undoStep());
    const n = parts.loadStepBatch();
    const site = await guard.locate(n, stepSeed(parts.seed, parts.position().globalStep), metrics.accumulator)
      ?? (badWeight ? guard.updateSite(badWeight) : null);
    parts.setPosition(guard.undoStep());  // locate's forward pass moved batch-norm statistics
    found = { step: parts.position().globalStep + 1, site };
  }
  metrics.discard();
  const step = found?.step ?? null, site = found?.site ?? null, at = parts.position();
  return {
    type: 'nonFinite', epoch: at.epoch + 1, step, layer: site?.layer ?? null, where: site?.where ?? null, tensor: site?.tensor ?? null,
    message: describeNonFinite(parts.network, step, site, reachedStep, at.globalStep), lastGoodStep: at.globalStep,
  };
}
