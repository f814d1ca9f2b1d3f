import * as assert from 'node:assert/strict';
import { Rng, dropoutHash, dropoutThreshold, lowbias32 } from '../../../src/engine/random';

describe('random', () => {
  it('lowbias32 matches reference values (the WGSL port must give the same)', () => {
    assert.equal(lowbias32(0), 0);
    // Reference values computed independently (Python, arbitrary-precision ints masked to 32 bits).
    assert.equal(lowbias32(1), 1753845952);
    assert.equal(lowbias32(12345), 2435775735);
    assert.equal(lowbias32(0xdeadbeef), 3861431939);
    // Bijective on a sample: no collisions among the first 10,000 inputs.
    const seen = new Set<number>();
    for (let i = 0; i < 10000; i++) seen.add(lowbias32(i));
    assert.equal(seen.size, 10000);
  });

  it('dropout keeps about 1 − p of the units', () => {
    const p = 0.3, t = dropoutThreshold(p);
    let kept = 0;
    for (let i = 0; i < 100000; i++) if (dropoutHash(7, i) >= t) kept++;
    assert.ok(Math.abs(kept / 100000 - 0.7) < 0.01, `kept ${kept}`);
  });

  it('Rng is reproducible by seed and uniform enough', () => {
    const a = new Rng(42), b = new Rng(42), c = new Rng(43);
    const xs = Array.from({ length: 1000 }, () => a.next());
    assert.deepEqual(xs, Array.from({ length: 1000 }, () => b.next()));
    assert.notDeepEqual(xs.slice(0, 10), Array.from({ length: 10 }, () => c.next()));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    assert.ok(Math.abs(mean - 0.5) < 0.05);
    assert.ok(xs.every((x) => x >= 0 && x < 1));
  });
});
