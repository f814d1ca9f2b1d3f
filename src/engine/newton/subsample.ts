// The Gauss-Newton subsample of each Newton iteration, as simpleNN's assign_inst_idx: every
// ceil(l/GNsize) iterations a fresh seeded permutation of the training examples is cut into that
// many parts of exactly GNsize (the last part wraps around to the permutation's start), and
// iteration k uses part k mod ceil(l/GNsize). A pure function of (seed, k): resumed runs repeat.

import { lowbias32, Rng } from '../random';

export function subsampleParts(examples: number, size: number): number {
  return Math.ceil(examples / size);
}

/** Positions (0 … examples−1) of iteration `iteration`'s subsample of `size` examples. */
export function gaussNewtonSubsample(examples: number, size: number, seed: number, iteration: number): Int32Array {
  if (!Number.isInteger(examples) || examples < 1) throw new RangeError(`the subsample needs at least one example, got ${examples}`);
  if (!Number.isInteger(size) || size < 1 || size > examples) throw new RangeError(`GNsize must be 1 … ${examples} (the training examples), got ${size}`);
  if (!Number.isInteger(iteration) || iteration < 0) throw new RangeError(`iteration must be a whole number ≥ 0, got ${iteration}`);
  const parts = subsampleParts(examples, size);
  const pass = Math.floor(iteration / parts), part = iteration % parts;
  const order = Int32Array.from({ length: examples }, (_, i) => i);
  new Rng(lowbias32((seed ^ lowbias32(pass + 0x6e77)) >>> 0)).shuffle(order);
  const out = new Int32Array(size);
  for (let i = 0; i < size; i++) out[i] = order[(part * size + i) % examples];
  return out;
}
