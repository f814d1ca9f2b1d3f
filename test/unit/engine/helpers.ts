// Shared test helpers: seeded random data and closeness checks with messages that say where.

import * as assert from 'node:assert/strict';
import { Rng } from '../../../src/engine/random';

export function randomArray(length: number, seed: number, scale = 1): Float64Array {
  const rng = new Rng(seed);
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = (rng.next() * 2 - 1) * scale;
  return out;
}

export function randomLabels(n: number, classes: number, seed: number): Uint32Array {
  const rng = new Rng(seed);
  return Uint32Array.from({ length: n }, () => rng.int(classes));
}

/** Asserts |actual[i] − expected[i]| ≤ atol + rtol·|expected[i]| for every i < expected.length. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, atol = 1e-10, rtol = 1e-10): void {
  assert.ok(actual.length >= expected.length, `${what}: got ${actual.length} values, expected at least ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
      assert.fail(`${what}: element ${i} is ${a}, expected ${e} (|diff| ${Math.abs(a - e)})`);
    }
  }
}

/**
 * max|actual − expected| / max|expected|. Fails when the expected values are all below `minScale`:
 * a comparison with ~0 would pass whatever the code computed.
 */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, minScale: number): number {
  assert.equal(actual.length, expected.length, `${what}: lengths`);
  let diff = 0, scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  assert.ok(scale > minScale, `${what}: the expected values are ~0 (max ${scale}), the case tests nothing`);
  return diff / scale;
}
