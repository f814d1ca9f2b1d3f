// What a model without a `train` statement trains with, said in words, so the defaults are never
// silent (the CLI prints it, the panel shows it).

import { DEFAULT_TRAIN, type ModelSpec } from './spec';

/** Null when the model has a `train` statement. */
export function defaultTrainingNote(spec: ModelSpec): string | null {
  if (spec.train.range) return null;
  const d = DEFAULT_TRAIN;
  return `no \`train\` statement, so it trains on the built-in MNIST with the defaults: ${d.epochs} epochs, batch ${d.batch}, ` +
    `${d.optimizer} at lr ${d.lr}, momentum ${d.momentum}, seed ${d.seed}. Add a \`train\` line to choose.`;
}
