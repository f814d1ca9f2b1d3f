// A metric read that fails (the device was lost under it): the next report() or drain() throws that
// first failure, and no promise is left rejected without a handler meanwhile.

import * as assert from 'node:assert/strict';
import { CpuBackend } from '../../../../src/engine/cpu/backend';
import { MetricsRing } from '../../../../src/engine/train/metrics-ring';

describe('train: metrics ring after a failed read', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => { unhandled.push(reason); };
  before(() => { process.on('unhandledRejection', onUnhandled); });
  after(() => { process.off('unhandledRejection', onUnhandled); });

  it('throws the first failure at the next report and at drain, with nothing unhandled', async () => {
    let lost = 0;
    const backend = new Proxy(new CpuBackend(), {
      get(target, key) {
        if (key === 'read') return () => Promise.reject(new Error(`the GPU device was lost (#${++lost})`));
        const v = Reflect.get(target, key, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const ring = new MetricsRing(backend);
    let handled = 0;
    await ring.report(() => { handled++; });
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(unhandled, [], 'no unhandled rejection after the read failed');
    await assert.rejects(ring.report(() => { handled++; }), /device was lost \(#1\)/);
    await assert.rejects(ring.drain(), /device was lost \(#1\)/);
    assert.equal(handled, 0);
  });
});
