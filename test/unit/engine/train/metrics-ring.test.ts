// Metric read-backs on their own: sums since the previous report, handled in report order, and no
// waiting on a read until every snapshot tensor is in flight.

import * as assert from 'node:assert/strict';
import type { Backend } from '../../../../src/engine/backend';
import { CpuBackend } from '../../../../src/engine/cpu/backend';
import { MetricsRing } from '../../../../src/engine/train/metrics-ring';

/** A CPU backend whose read() results arrive only when the test releases them, oldest first. */
function heldReads(): { backend: Backend; pending: () => number; releaseOldest: () => void } {
  const cpu = new CpuBackend();
  const held: (() => void)[] = [];
  const backend = new Proxy(cpu, {
    get(target, key) {
      if (key === 'read') {
        return (t: Parameters<Backend['read']>[0]) => {
          const value = target.read(t);  // copies now, like a real enqueue
          return new Promise((resolve) => held.push(() => resolve(value)));
        };
      }
      const v = Reflect.get(target, key, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { backend, pending: () => held.length, releaseOldest: () => held.shift()!() };
}

const flushPromises = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('train: metrics ring', () => {
  it('reports the sums since the previous report, in report order, and zeroes the accumulator', async () => {
    const backend = new CpuBackend();
    const ring = new MetricsRing(backend);
    const seen: number[][] = [];
    backend.write(ring.accumulator, [1.5, 2, 4]);
    await ring.report((...m) => seen.push(m));
    assert.deepEqual([...await backend.read(ring.accumulator)], [0, 0, 0]);
    backend.write(ring.accumulator, [3, 1, 2]);
    await ring.report((...m) => seen.push(m));
    await ring.drain();
    assert.deepEqual(seen, [[1.5, 2, 4], [3, 1, 2]]);
  });

  it('starts reads without waiting for them until all three snapshots are in flight', async () => {
    const { backend, pending, releaseOldest } = heldReads();
    const ring = new MetricsRing(backend);
    const handled: number[] = [];
    for (let k = 1; k <= 3; k++) {
      backend.write(ring.accumulator, [k, 0, 1]);
      await ring.report((lossSum) => handled.push(lossSum));
    }
    assert.equal(pending(), 3, 'three reads in flight, none awaited');
    backend.write(ring.accumulator, [4, 0, 1]);
    let fourthStarted = false;
    const fourth = ring.report((lossSum) => handled.push(lossSum)).then(() => { fourthStarted = true; });
    await flushPromises();
    assert.equal(fourthStarted, false, 'the fourth report waits for the oldest read');
    releaseOldest();
    await fourth;
    assert.deepEqual(handled, [1]);
    const drained = ring.drain();
    while (pending() > 0) { releaseOldest(); await flushPromises(); }
    await drained;
    assert.deepEqual(handled, [1, 2, 3, 4]);
  });

  it('discard() drops what accumulated since the last report', async () => {
    const backend = new CpuBackend();
    const ring = new MetricsRing(backend);
    backend.write(ring.accumulator, [5, 5, 5]);
    ring.discard();
    const seen: number[][] = [];
    await ring.report((...m) => seen.push(m));
    await ring.drain();
    assert.deepEqual(seen, [[0, 0, 0]]);
  });

  it('drain() surfaces a failed handler', async () => {
    const ring = new MetricsRing(new CpuBackend());
    await ring.report(() => { throw new Error('handler broke'); });
    await assert.rejects(ring.drain(), /handler broke/);
  });
});
