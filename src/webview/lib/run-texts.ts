// The sentences the panel says about a run (resuming, resume notes, non-finite values). Pure, so the
// wording people read is unit-tested; epochs people read are 1-based.

/** The last part of a path, either separator. */
export function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** "Resuming from lenet5.step-000377.ckpt.safetensors (epoch 2, step 377)": `epochsDone` counts completed epochs. */
export function resumingText(path: string, epochsDone: number, step: number): string {
  return `Resuming from ${baseName(path)} (epoch ${epochsDone + 1}, step ${step})`;
}

/** The trainer's resume notes (what differs from the saved run), or null when it continues exactly. */
export function resumeNotesText(path: string, epochsDone: number, step: number, notes: readonly string[]): string | null {
  if (notes.length === 0) return null;
  return `${resumingText(path, epochsDone, step)}, which differs from the saved run: ${notes.join('; ')}.`;
}

export interface NonFiniteReport {
  readonly step: number | null;
  readonly layer: number | null;
  readonly where: 'activation' | 'loss' | 'gradient' | 'update' | null;
  readonly lastGoodStep: number;
  readonly message: string;
}

/** "Paused: non-finite loss at step 12 in layer 3 (…)", with the trainer's own explanation in brackets. */
export function nonFiniteText(e: NonFiniteReport): string {
  const at = e.step === null ? `after step ${e.lastGoodStep}` : `at step ${e.step}`;
  const where = e.layer !== null ? ` in layer ${e.layer}` : e.where === 'loss' ? ' in the loss' : '';
  return `Paused: non-finite loss ${at}${where} (${e.message}).`;
}

/** After a failed GPU run whose recent state survived: where it was kept and how to go on. */
export function recoveredText(step: number, path: string | null): string {
  if (path === null) return `The state of step ${step} survived, but it could not be saved as a checkpoint (see the ConvLab log).`;
  return `The state of step ${step} was saved to ${baseName(path)}: choose Backend cpu (or auto) and use "Resume from checkpoint" to continue from it.`;
}
