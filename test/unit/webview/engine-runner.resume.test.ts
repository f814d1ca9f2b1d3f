// The engine runner's exact resume and non-finite handling on the CPU backend: a saved state carries
// its resume point (totals, optimizer step, unreported sums, settings, data name), a restore reports
// the trainer's resume notes, and a diverging run stops at a nonFinite event paused, not resumed.
import * as assert from 'node:assert/strict';
import { CpuBackend } from '../../../src/engine';
import { analyze } from '../../../src/lang';
import { saveState } from '../../../src/webview/engine-protocol';
import { RUNNER_MODEL, RunnerHarness, syntheticDataset } from './runner-harness';

const spec = analyze(RUNNER_MODEL).spec;
const settings = { epochs: 2, batch: 4, lr: 0.1, optimizer: 'sgd' as const, momentum: 0.9, decay: 0, weightDecay: 0, seed: 7 };
const plots = { plotEvery: 100, example: 0 };
const harness = () => new RunnerHarness(() => new CpuBackend());

/** A state saved mid-epoch: paused after the first report of a 1-epoch run. */
async function savedMidEpoch() {
  const h = harness();
  const data = syntheticDataset(240, 6);
  h.runner.receive({ type: 'load', spec, dataset: data });
  h.runner.receive({ type: 'start', settings: { ...settings, epochs: 1 }, reportEvery: 2, plots, restore: null });
  await h.until('a step', () => h.trainEvents('step').length > 0);
  h.runner.receive({ type: 'pause' });
  await h.until('paused', () => h.of('paused').some((p) => p.paused));
  const state = await h.request(saveState, {});
  h.runner.dispose();
  return { state, data };
}

describe('webview: engine runner resume and non-finite values (CPU)', function () {
  this.timeout(30_000);

  it('saves the full resume point with the state', async () => {
    const { state } = await savedMidEpoch();
    assert.ok(state.resume, 'the state has its resume point');
    assert.equal(state.resume.dataName, 'synthetic');
    assert.deepEqual(state.resume.settings, { batch: 4, lr: 0.1, optimizer: 'sgd', momentum: 0.9, decay: 0, weightDecay: 0, seed: 7, validation: 0 });
    assert.equal(state.resume.optimizerSteps, state.step);
    assert.ok(state.step > 0 && state.step < 60, `saved mid-epoch (step ${state.step})`);
    assert.ok(state.resume.epochTotals[2] > 0, 'the unfinished epoch\'s reported totals are kept');
  });

  it('restores exactly with no notes, and reports the notes when settings differ', async () => {
    const { state, data } = await savedMidEpoch();
    const same = harness();
    same.runner.receive({ type: 'load', spec, dataset: data });
    same.runner.receive({ type: 'start', settings, reportEvery: 2, plots, restore: state });
    await same.until('restored', () => same.of('restored').length > 0);
    assert.deepEqual(same.of('restored')[0], { type: 'restored', epoch: state.epoch, step: state.step, notes: [] });
    same.runner.dispose();

    const other = harness();
    other.runner.receive({ type: 'load', spec, dataset: data });
    other.runner.receive({ type: 'start', settings: { ...settings, batch: 2, lr: 0.05 }, reportEvery: 2, plots, restore: state });
    await other.until('restored', () => other.of('restored').length > 0);
    const notes = other.of('restored')[0].notes;
    assert.ok(notes.some((n) => /batch/.test(n)), notes.join(' | '));
    assert.ok(notes.some((n) => /lr|learning rate/.test(n)), notes.join(' | '));
    other.runner.dispose();
  });

  it('stops at a non-finite loss paused, with the step, layer and message, and does not resume by itself', async () => {
    const h = harness();
    // NaN features (no relu or pooling to swallow them) make the loss of the first step NaN.
    const data = syntheticDataset(24, 6);
    const poisoned = { ...data, train: { ...data.train, images: new Float32Array(data.train.images.length).fill(Number.NaN) } };
    h.runner.receive({ type: 'load', spec: analyze('input 1x6x6\nflatten\ndense 3\nsoftmax\ntrain epochs=2 batch=4 lr=0.1 seed=7\n').spec, dataset: poisoned });
    h.runner.receive({ type: 'start', settings, reportEvery: 1, plots, restore: null });
    await h.until('nonFinite', () => h.trainEvents('nonFinite').length > 0);
    const e = h.trainEvents('nonFinite')[0] as { step: number | null; layer: number | null; message: string; lastGoodStep: number };
    assert.equal(e.step, 1);
    assert.equal(typeof e.layer, 'number', 'the layer where values first stopped being finite');
    assert.match(e.message, /non-finite/);
    await h.until('paused', () => h.of('paused').some((p) => p.paused));
    const steps = h.trainEvents('step').length;
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(h.trainEvents('step').length, steps, 'no steps after the pause');
    assert.equal(h.trainEvents('done').length, 0);
    h.runner.dispose();
  });
});
