// Deterministic subsets of examples: the built-in MNIST train/test split and LIBSVM hold-outs.
// The order comes from the shared seeded Rng, so a split never changes between runs or machines.

import type { Split } from './dataset';
import { Rng } from '../random';

/** Examples `indices` of `split` (in that order), copied into arrays of their own. */
export function takeExamples(split: Split, exampleSize: number, indices: ArrayLike<number>): Split {
  const n = indices.length;
  const images = split.images instanceof Uint8Array ? new Uint8Array(n * exampleSize) : new Float32Array(n * exampleSize);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const from = indices[i] * exampleSize;
    images.set(split.images.subarray(from, from + exampleSize), i * exampleSize);
    labels[i] = split.labels[indices[i]];
  }
  return { count: n, images, labels };
}

/**
 * Shuffles all examples with `seed` and cuts them into the first `firstCount` and the rest.
 * Both parts come out in shuffled order, so neither is sorted by class even when the source is.
 */
export function seededSplit(split: Split, exampleSize: number, firstCount: number, seed: number): [Split, Split] {
  if (!Number.isInteger(firstCount) || firstCount < 0 || firstCount > split.count) {
    throw new RangeError(`cannot take ${firstCount} of ${split.count} examples`);
  }
  const order = new Rng(seed).shuffle(Uint32Array.from({ length: split.count }, (_, i) => i));
  return [
    takeExamples(split, exampleSize, order.subarray(0, firstCount)),
    takeExamples(split, exampleSize, order.subarray(firstCount)),
  ];
}
