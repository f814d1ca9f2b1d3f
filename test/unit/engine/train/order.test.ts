// Seeded orders: the validation hold-out, epoch shuffles and dropout seeds are pure functions of the
// seed, which is what makes a run reproducible and a restored run continue exactly.

import * as assert from 'node:assert/strict';
import { epochOrder, holdOut, stepSeed } from '../../../../src/engine/train/order';

describe('train: seeded orders', () => {
  it('holds out the given fraction, sorted, disjoint and the same for the same seed', () => {
    const { train, validation } = holdOut(50, 0.2, 9);
    assert.equal(train.length, 40);
    assert.equal(validation.length, 10);
    assert.deepEqual([...train, ...validation].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
    assert.deepEqual([...train], [...train].sort((a, b) => a - b));
    assert.deepEqual(holdOut(50, 0.2, 9), { train, validation });
    assert.notDeepEqual([...holdOut(50, 0.2, 10).validation], [...validation]);
    assert.deepEqual([...holdOut(4, 0.2, 9).train], [0, 1, 2, 3], 'a fraction below one example holds out nothing');
  });

  it('shuffles each epoch differently, reproducibly, without touching the indices', () => {
    const indices = Int32Array.from({ length: 20 }, (_, i) => i * 2);
    const first = epochOrder(indices, 5, 0);
    assert.deepEqual([...first].sort((a, b) => a - b), [...indices]);
    assert.notDeepEqual([...first], [...indices]);
    assert.deepEqual(epochOrder(indices, 5, 0), first);
    assert.notDeepEqual([...epochOrder(indices, 5, 1)], [...first]);
    assert.deepEqual([...indices], Array.from({ length: 20 }, (_, i) => i * 2));
  });

  it('gives every step its own dropout seed', () => {
    const seeds = Array.from({ length: 100 }, (_, t) => stepSeed(7, t));
    assert.equal(new Set(seeds).size, 100);
    assert.equal(stepSeed(7, 3), seeds[3]);
    assert.notEqual(stepSeed(8, 3), seeds[3]);
    assert.ok(seeds.every((s) => Number.isInteger(s) && s >= 0 && s < 2 ** 32));
  });
});
