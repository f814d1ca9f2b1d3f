// A WebGPU device lost mid-training (here: destroyed under the trainer, as a driver reset or an
// out-of-memory loss would take it): run() fails once with the device's own reason, no promise is
// left rejected without a handler, no readback buffer stays mapped, and the state of the last
// completed report is still on the host, so training continues on the cpu from there.

import * as assert from 'node:assert/strict';
import { CpuBackend } from '../../../src/engine/cpu/backend';
import { Trainer, type TrainEvent } from '../../../src/engine/train';
import { NoWebGpuError } from '../../../src/engine/webgpu/errors';
import { suiteWebGpu } from '../../backends';
import { blocks as dataset, blocksSpec as spec, stepLosses } from './blocks';

/** The step whose report destroys the device; later reports are in flight or not yet queued. */
const LOSE_AT_STEP = 4;

describe('device lost mid-training [webgpu]', () => {
  const gpu = suiteWebGpu();
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => { unhandled.push(reason); };
  before(() => { process.on('unhandledRejection', onUnhandled); });
  after(() => { process.off('unhandledRejection', onUnhandled); });

  it('fails run() once with the loss reason, leaks no readback and keeps the last reported state', async () => {
    const events: TrainEvent[] = [];
    const backend = gpu();
    const trainer = new Trainer({
      spec, dataset, backend, reportEvery: 1, lastGoodStateEvery: 1,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'step' && e.globalStep === LOSE_AT_STEP) backend.device.destroy();
      },
    });
    await assert.rejects(trainer.run(), (e) => e instanceof NoWebGpuError && e.reason === 'device-lost' &&
      /^the GPU device was lost \(destroyed\): \S/.test(e.message));
    // Rejections without a handler are reported after the microtask queue drains.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(unhandled, [], 'no unhandled promise rejection');

    const errors = events.filter((e) => e.type === 'error');
    assert.equal(errors.length, 1, 'one error event');
    assert.match((errors[0] as { message: string }).message, /GPU device was lost/);
    assert.equal(backend.stats.readbacksInUse, 0, 'every readback buffer was unmapped and released or destroyed');

    const saved = trainer.lastGoodState();
    assert.ok(saved, 'a state from before the loss');
    // A report already read back when the device went (the next step's, with fused kernels a step is
    // quick) may still land; the state kept is always one that was reported, never an unreported one.
    const reported = stepLosses(events).map(([step]) => step);
    assert.ok(saved.step >= LOSE_AT_STEP - 1 && saved.step <= LOSE_AT_STEP + 2, `saved at step ${saved.step}`);
    assert.ok(reported.includes(saved.step), `step ${saved.step} was reported (${reported.join(', ')})`);

    const continued: TrainEvent[] = [];
    const cpu = new Trainer({ spec, dataset, backend: new CpuBackend(), reportEvery: 1, onEvent: (e) => continued.push(e) });
    assert.deepEqual(await cpu.restoreState(saved), []);
    assert.equal(await cpu.run(), 'completed');
    const steps = stepLosses(continued).map(([step]) => step);
    assert.equal(steps[0], saved.step + 1, 'continues with the step after the saved one');
    assert.equal(steps.at(-1), 14);
    assert.ok(stepLosses(continued).every(([, loss]) => Number.isFinite(loss)));
  });
});

describe('lastGoodState [cpu]', () => {
  it('is null unless asked for, and otherwise the state of the latest report', async () => {
    const off = new Trainer({ spec, dataset, backend: new CpuBackend(), reportEvery: 1 });
    await off.run({ untilStep: 3 });
    assert.equal(off.lastGoodState(), null);

    const on = new Trainer({ spec, dataset, backend: new CpuBackend(), reportEvery: 2, lastGoodStateEvery: 1 });
    await on.run({ untilStep: 6 });
    const saved = await on.saveState();
    const kept = on.lastGoodState();
    assert.ok(kept);
    assert.equal(kept.step, 6);
    assert.deepEqual(kept.epochTotals, saved.epochTotals);
    for (const [name, t] of saved.tensors) assert.deepEqual(kept.tensors.get(name)?.data, t.data, name);
  });
});
