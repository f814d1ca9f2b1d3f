// The host copy of the state for a lost device on its own: taken every `every` reports, kept only
// once its reads have arrived and its report was good, and a failed read keeps the previous copy.

import * as assert from 'node:assert/strict';
import type { Backend } from '../../../../src/engine/backend';
import { CpuBackend } from '../../../../src/engine/cpu/backend';
import { Trainer, TrainError } from '../../../../src/engine/train';
import { LastGoodState, type CaptureContext } from '../../../../src/engine/train/last-good-state';
import type { StateParts, TrainingProgress } from '../../../../src/engine/train/state';
import { blocks as dataset, blocksSpec as spec } from '../blocks';

const flushPromises = () => new Promise((resolve) => setTimeout(resolve, 0));

function partsOn(backend: Backend): { parts: StateParts; context: CaptureContext } {
  const trainer = new Trainer({ spec, dataset, backend });
  return {
    parts: { backend, network: trainer.network, optimizer: trainer.optimizer },
    context: { stepsPerEpoch: trainer.stepsPerEpoch, settings: trainer.settings, dataName: dataset.name },
  };
}

const at = (epoch: number, stepInEpoch: number, globalStep: number): TrainingProgress =>
  ({ epoch, stepInEpoch, globalStep, epochTotals: [0, 0, 0] });

describe('train: last good state', () => {
  it('refuses an interval that is not a whole number ≥ 0', () => {
    assert.throws(() => new LastGoodState(-1), TrainError);
    assert.throws(() => new LastGoodState(1.5), TrainError);
  });

  it('keeps nothing with every = 0, and copies every `every`-th report', () => {
    const { parts, context } = partsOn(new CpuBackend());
    assert.equal(new LastGoodState(0).capture(parts, at(0, 1, 1), context), null);
    const every2 = new LastGoodState(2);
    assert.equal(every2.capture(parts, at(0, 1, 1), context), null);
    assert.notEqual(every2.capture(parts, at(0, 2, 2), context), null);
    assert.equal(every2.capture(parts, at(0, 3, 3), context), null);
  });

  it('keeps a copy once its reads arrived and its report was good, with that report\'s totals', async () => {
    const { parts, context } = partsOn(new CpuBackend());
    const last = new LastGoodState(1);
    const kept = () => last.state;  // read afresh each time (an assertion on null would narrow it)
    last.capture(parts, at(0, 2, 2), context)!([5, 3, 32]);
    assert.equal(kept(), null, 'reads still in flight');
    await flushPromises();
    assert.equal(kept()?.step, 2);
    assert.deepEqual(kept()?.epochTotals, [5, 3, 32]);
    assert.equal(kept()?.tensors.size, parts.network.parameters.length + parts.network.buffers.length + parts.optimizer.slots.length);

    last.capture(parts, at(0, 3, 3), context)!(null);
    await flushPromises();
    assert.equal(kept()?.step, 2, 'a non-finite report is not kept');

    last.capture(parts, at(0, context.stepsPerEpoch, 7), context)!([9, 9, 100]);
    await flushPromises();
    assert.deepEqual([kept()?.epoch, kept()?.step, kept()?.epochTotals], [1, 7, [0, 0, 0]],
      'the epoch\'s last report counts as the next epoch\'s start');
  });

  it('keeps the previous copy when a read fails, leaving no rejection unhandled', async () => {
    const cpu = new CpuBackend();
    let failReads = false;
    const backend = new Proxy(cpu, {
      get(target, key) {
        if (key === 'read' && failReads) return () => Promise.reject(new Error('the GPU device was lost'));
        const v = Reflect.get(target, key, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => { unhandled.push(reason); };
    process.on('unhandledRejection', onUnhandled);
    try {
      const { parts, context } = partsOn(backend);
      const last = new LastGoodState(1);
      last.capture(parts, at(0, 1, 1), context)!([1, 1, 16]);
      await flushPromises();
      failReads = true;
      last.capture(parts, at(0, 2, 2), context)!([2, 2, 32]);
      await flushPromises();
      await flushPromises();
      assert.equal(last.state?.step, 1);
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
