// What resuming a saved state with other settings changes, in words for the user: a resume with
// the same settings continues exactly; anything else is said, never silently remapped.

import type { TrainerState } from './state';
import type { TrainerSettings } from './settings';

/** The run a state is restored into. */
export interface ResumeTarget {
  readonly settings: TrainerSettings;
  readonly dataName: string;
  readonly hasOptimizerState: boolean;
  /** Where the unfinished epoch continues (0 at an epoch boundary). */
  readonly stepInEpoch: number;
  readonly stepsPerEpoch: number;
}

/** One sentence per difference between the saved run and this one; empty when it continues exactly. */
export function resumeNotes(state: TrainerState, target: ResumeTarget): string[] {
  const notes: string[] = [];
  const saved = state.settings, now = target.settings;
  if (!saved) {
    notes.push('the checkpoint predates saved settings: it continues at its epoch and step, but cannot be checked against these settings');
  } else {
    if (saved.optimizer !== now.optimizer) {
      notes.push(`optimizer changed from ${saved.optimizer} to ${now.optimizer}: ${now.optimizer} starts with fresh state (zero moments, step count 0)`);
    }
    if (saved.batch !== now.batch) {
      notes.push(`batch changed from ${saved.batch} to ${now.batch}: the unfinished epoch continues at step ${target.stepInEpoch + 1} of ` +
        `${target.stepsPerEpoch} in the same example order (up to ${now.batch - 1} examples may be seen twice)`);
    }
    if (saved.lr !== now.lr) notes.push(`lr changed from ${saved.lr} to ${now.lr}: the decay schedule continues from step ${state.step}`);
    for (const key of ['momentum', 'decay', 'weightDecay'] as const) {
      if (saved[key] !== now[key]) notes.push(`${key} changed from ${saved[key]} to ${now[key]}`);
    }
    if (saved.seed !== now.seed) notes.push(`seed changed from ${saved.seed} to ${now.seed}: the data order, held-out examples and dropout differ from the saved run`);
    if (saved.validation !== now.validation) {
      notes.push(`validation fraction changed from ${saved.validation} to ${now.validation}: the training examples differ from the saved run`);
    }
  }
  if (state.dataName !== undefined && state.dataName !== target.dataName) {
    notes.push(`data changed from ${state.dataName} to ${target.dataName}: training continues at epoch ${state.epoch + 1} on the new data's order`);
  }
  const optimizerNoted = saved !== undefined && saved.optimizer !== now.optimizer;
  if (!target.hasOptimizerState && !optimizerNoted) notes.push(`the checkpoint has no ${now.optimizer} state: the optimizer starts fresh (step count 0)`);
  return notes;
}
