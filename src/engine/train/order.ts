// Seeded orders: which training examples are held out for validation, the shuffle of each epoch and
// the dropout seed of each step. All are pure functions of the seed, so a run is reproducible and a
// restored run continues exactly.

import { lowbias32, Rng } from '../random';

/** Splits 0 … count−1 into training and validation indices (a seeded shuffle; the last fraction validates). */
export function holdOut(count: number, fraction: number, seed: number): { train: Int32Array; validation: Int32Array } {
  const all = Int32Array.from({ length: count }, (_, i) => i);
  const held = Math.floor(count * fraction);
  if (held === 0) return { train: all, validation: new Int32Array(0) };
  new Rng(lowbias32((seed ^ 0x7a11d) >>> 0)).shuffle(all);
  return { train: all.slice(0, count - held).sort(), validation: all.slice(count - held).sort() };
}

/** Training order of epoch `epoch`: `trainIndices` shuffled by a seed derived from (seed, epoch). */
export function epochOrder(trainIndices: Int32Array, seed: number, epoch: number): Int32Array {
  return new Rng(lowbias32((seed ^ lowbias32(epoch + 0x51ed)) >>> 0)).shuffle(trainIndices.slice());
}

/** Dropout seed of optimizer step t. */
export function stepSeed(seed: number, step: number): number {
  return lowbias32((seed ^ lowbias32(step + 1)) >>> 0);
}
