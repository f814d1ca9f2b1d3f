// The engine side of the panel on the cpu: malformed and out-of-order commands, requests it cannot
// serve, and a model/data mismatch. Whole runs, pause/step/resume, resume from a saved state and the
// gradient check run on every backend in engine-runner.backends.test.ts.

import * as assert from 'node:assert/strict';
import { CpuBackend } from '../../../src/engine';
import { analyze } from '../../../src/lang';
import { checkGradients, saveState } from '../../../src/webview/engine-protocol';
import { RUNNER_MODEL as MODEL, RunnerHarness, syntheticDataset } from './runner-harness';

const settings = { epochs: 2, batch: 4, lr: 0.1, optimizer: 'sgd' as const, momentum: 0.9, decay: 0, weightDecay: 0, seed: 7 };
const harness = () => new RunnerHarness((purpose) => new CpuBackend({ precision: purpose === 'gradcheck' ? 'f64' : 'f32' }));

describe('webview: engine runner (CPU)', function () {
  this.timeout(60_000);

  it('refuses malformed and out-of-order commands with a failed event, never an exception', async () => {
    const h = harness();
    h.runner.receive({ type: 'start' });
    h.runner.receive('nonsense');
    h.runner.receive({ type: 'pause' });
    h.runner.receive({ type: 'start', settings, reportEvery: 1, plots: { plotEvery: 1, example: 0 }, restore: null });
    await new Promise((r) => setTimeout(r, 20));
    const messages = h.of('failed').map((f) => f.message);
    assert.equal(messages.length, 4);
    assert.match(messages[0], /malformed command \(command\.settings: missing\)/);
    assert.match(messages[1], /malformed command \(command\.type/);
    assert.match(messages[2], /nothing to pause: training has not started/);
    assert.match(messages[3], /no model loaded/);
  });

  it('answers a request it cannot serve with an error reply, and a malformed one without acting on it', async () => {
    const h = harness();
    await assert.rejects(h.request(saveState, {}), /^RequestError: nothing to saveState: training has not started$/);
    await assert.rejects(h.request(checkGradients, {}), /no model loaded/);
    h.runner.receive({ type: 'request', id: 7, method: 'saveState', params: 'now' });
    h.runner.receive({ type: 'request', id: 8, method: 'explode', params: {} });
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(h.responses.filter((r) => r.id >= 7), [
      { type: 'response', id: 7, error: 'invalid saveState request: params: expected an object, got "now"' },
      { type: 'response', id: 8, error: 'unknown request "explode"' },
    ]);
    assert.deepEqual(h.of('failed'), [], 'requests are answered, not reported as failures');
  });

  it('reports a model/data mismatch as a failure of the start command and frees the backend', async () => {
    const h = harness();
    const wrong = syntheticDataset(8, 2);
    h.runner.receive({ type: 'load', spec: analyze(MODEL.replace('1x6x6', '1x8x8')).spec, dataset: wrong });
    h.runner.receive({ type: 'start', settings, reportEvery: 1, plots: { plotEvery: 1, example: 0 }, restore: null });
    await h.until('failure', () => h.events.some((e) => e.type === 'failed')).catch(() => undefined);
    assert.match(h.of('failed')[0].message, /1×6×6 examples but the model's input is 1×8×8/);
  });

  it('forwards each Newton iteration (optimizer=newton) as a valid newton event before its epoch', async () => {
    const h = harness();
    const newton = MODEL.replace(/^train .*$/m, 'train epochs=3 batch=4 optimizer=newton GNsize=8 seed=7');
    h.runner.receive({ type: 'load', spec: analyze(newton).spec, dataset: syntheticDataset(24, 6) });
    h.runner.receive({ type: 'start', settings: { ...settings, epochs: 3, optimizer: 'newton' }, reportEvery: 1, plots: { plotEvery: 1, example: 0 }, restore: null });
    await h.until('the run to end', () => h.trainEvents('done').length > 0);
    const iterations = h.trainEvents('newton') as Extract<ReturnType<typeof h.trainEvents>[number], { type: 'newton' }>[];
    assert.deepEqual(iterations.map((e) => e.iteration), [1, 2, 3]);
    for (const e of iterations) {
      assert.ok(e.f <= e.previousF, `the line search never raises f: ${e.previousF} → ${e.f}`);
      assert.ok(e.cgIterations >= 1 && e.lambda > 0 && e.gradientNorm > 0, JSON.stringify(e));
    }
    const kinds = h.of('train').map((e) => e.event.type).filter((t) => t === 'newton' || t === 'epoch');
    assert.deepEqual(kinds, ['newton', 'epoch', 'newton', 'epoch', 'newton', 'epoch'], 'each iteration, then its epoch');
  });

});
