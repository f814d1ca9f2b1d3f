// A panel closed or reloaded mid-run: disposing its engine stops the trainer, destroys the backend
// (on WebGPU the device and with it every buffer), sends nothing afterwards and leaves no promise
// rejected without a handler; a second run on a new engine is unaffected.

import * as assert from 'node:assert/strict';
import type { Backend } from '../../../src/engine';
import { analyze } from '../../../src/lang';
import { forEachBackend } from '../../backends';
import { RUNNER_MODEL, RunnerHarness, syntheticDataset } from './runner-harness';

const spec = analyze(RUNNER_MODEL).spec;
const settings = { epochs: 50, batch: 4, lr: 0.1, optimizer: 'sgd' as const, momentum: 0.9, decay: 0, weightDecay: 0, seed: 7 };
const pace = { stepMs: 0, captureMs: 0 };

forEachBackend('webview: engine runner disposed mid-run', (backend) => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => { unhandled.push(reason); };
  before(() => { process.on('unhandledRejection', onUnhandled); });
  after(() => { process.off('unhandledRejection', onUnhandled); });

  it('stops, frees the backend, goes quiet, and a new engine trains as if nothing happened', async () => {
    const created: Backend[] = [];
    let destroyed = 0;
    // Counts destroy() calls (the suite's WebGPU view keeps its device for the next tests).
    const tracked = (b: Backend): Backend => new Proxy(b, {
      get: (target, key) => (key === 'destroy' ? () => { destroyed++; target.destroy(); } : Reflect.get(target, key)),
    });
    const h = new RunnerHarness(() => { const b = backend.create(); created.push(b); return tracked(b); });
    const data = syntheticDataset(24, 6);
    h.runner.receive({ type: 'load', spec, dataset: data });
    h.runner.receive({ type: 'start', settings, reportEvery: 1, plots: { plotEvery: 3, example: 0 }, restore: null, pace });
    await h.until('a few steps', () => h.trainEvents('step').length >= 5);
    h.runner.dispose();
    const count = h.events.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(h.events.length, count, `no events after dispose (got ${h.events.slice(count).map((e) => e.type).join(', ')})`);
    assert.equal(created.length, 1);
    assert.equal(destroyed, 1, 'the backend was destroyed once (on WebGPU: the device, and with it every buffer)');
    if (backend.name === 'cpu') assert.throws(() => created[0].zeros(4), /destroyed|disposed/i, 'a destroyed backend refuses work');
    assert.deepEqual(unhandled, [], 'no unhandled promise rejection');

    const again = new RunnerHarness(() => backend.create());
    again.runner.receive({ type: 'load', spec, dataset: data });
    again.runner.receive({ type: 'start', settings: { ...settings, epochs: 1 }, reportEvery: 2, plots: { plotEvery: 3, example: 0 }, restore: null, pace });
    await again.until('done', () => again.trainEvents('done').length > 0);
    assert.equal((again.trainEvents('done')[0] as { reason: string }).reason, 'completed');
    again.runner.dispose();
  });
});
