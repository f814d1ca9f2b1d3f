// The engine side of the panel on every backend, wired as the panel wires it (the CPU worker checks
// gradients on an f64 cpu, the WebGPU engine on its own device against an f64 cpu reference): a
// whole run with its plots, the person's pause / step / resume with state saves, resuming from a
// saved state, and the gradient check.

import * as assert from 'node:assert/strict';
import { CpuBackend } from '../../../src/engine';
import { analyze } from '../../../src/lang';
import { checkGradients, saveState } from '../../../src/webview/engine-protocol';
import { HISTOGRAM_BINS } from '../../../src/webview/telemetry';
import { forEachBackend } from '../../backends';
import { RUNNER_MODEL, RunnerHarness, syntheticDataset } from './runner-harness';

const spec = analyze(RUNNER_MODEL).spec;
const settings = { epochs: 2, batch: 4, lr: 0.1, optimizer: 'sgd' as const, momentum: 0.9, decay: 0, weightDecay: 0, seed: 7 };

forEachBackend('webview: engine runner', (backend) => {
  const harness = () => new RunnerHarness((purpose) =>
    (backend.name === 'cpu' && purpose === 'gradcheck' ? new CpuBackend({ precision: 'f64' }) : backend.create()));

  it('trains to the end, with steps, plots, evaluations and the done event last', async () => {
    const h = harness();
    const data = syntheticDataset(24, 6);
    h.runner.receive({ type: 'load', spec, dataset: data });
    h.runner.receive({ type: 'start', settings, reportEvery: 2, plots: { plotEvery: 2, example: 4 }, restore: null });
    await h.until('done', () => h.trainEvents('done').length > 0);

    assert.deepEqual(h.of('backend').map((b) => b.name), [backend.name]);
    const steps = h.trainEvents('step');
    assert.ok(steps.length >= 6, `${steps.length} step reports for 12 steps at reportEvery 2`);
    const done = h.trainEvents('done')[0] as { reason: string; globalStep: number };
    assert.equal(done.reason, 'completed');
    assert.equal(done.globalStep, 12);
    assert.equal(h.events.at(-1)!.type, 'train', 'done is the last event');

    const evals = h.of('evaluation');
    assert.deepEqual(evals.map((e) => e.epoch), [1, 2]);
    for (const e of evals) {
      assert.equal(e.confusion.flat().reduce((a, b) => a + b, 0), 6, 'every test example counted once');
      assert.ok(Math.abs(e.confusion.reduce((s, row, i) => s + row[i], 0) / 6 - e.accuracy) < 1e-9, 'accuracy = diagonal share');
    }

    const last = h.of('gradients').at(-1)!;
    assert.deepEqual(last.tensors.map((t) => t.name), ['layers.0.weight', 'layers.0.bias', 'layers.4.weight', 'layers.4.bias']);
    const lengths = [2 * 9, 2, 3 * 8, 3];
    last.tensors.forEach((t, i) => {
      assert.equal(t.counts.length, HISTOGRAM_BINS);
      assert.equal(t.counts.reduce((a, b) => a + b, 0), lengths[i]);
      assert.ok(t.norm > 0 && Number.isFinite(t.norm));
    });

    const f = h.of('features').at(-1)!;
    assert.equal(f.example, 4);
    assert.equal(f.label, data.test.labels[4]);
    assert.deepEqual(f.maps.map((m) => [m.layer, m.kind, m.shape]), [[0, 'conv', [2, 4, 4]], [2, 'maxpool', [2, 2, 2]]]);
    // The maxpool output is the 2×2 max of the conv output (of the same forward pass).
    const conv = f.maps[0].data, pool = f.maps[1].data;
    assert.ok(Math.abs(pool[0] - Math.max(0, conv[0], conv[1], conv[4], conv[5])) < 1e-6, `pool ${pool[0]}`);
    assert.deepEqual(h.of('filters').at(-1)!.shape, [2, 1, 3, 3]);

    const losses = steps.map((s) => (s as { loss: number }).loss);
    assert.ok(losses.at(-1)! < losses[0], `loss ${losses[0]} → ${losses.at(-1)}`);
  });

  it('pauses for the person, steps once, saves state paused and running, resumes and stops', async () => {
    const h = harness();
    h.runner.receive({ type: 'load', spec, dataset: syntheticDataset(400, 6) });
    h.runner.receive({ type: 'start', settings: { ...settings, epochs: 50 }, reportEvery: 1, plots: { plotEvery: 1000, example: 0 }, restore: null });
    await h.until('a few steps', () => h.trainEvents('step').length >= 3);
    h.runner.receive({ type: 'pause' });
    await h.until('paused', () => h.of('paused').some((p) => p.paused));
    const pausedAt = h.of('paused').at(-1)!.globalStep;
    await h.until('the steps before the pause', () => h.trainEvents('step').length === pausedAt);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(h.trainEvents('step').length, pausedAt, 'no steps while paused');

    h.runner.receive({ type: 'step' });
    await h.until('one step', () => h.trainEvents('step').length === pausedAt + 1);
    assert.equal((h.trainEvents('step').at(-1) as { globalStep: number }).globalStep, pausedAt + 1);

    const s = await h.request(saveState, {});
    assert.equal(s.step, pausedAt + 1);
    const names = s.tensors.map((t) => t.name);
    assert.ok(names.includes('layers.0.weight') && names.includes('optim.layers.0.weight.momentum'), names.join());
    assert.equal(h.of('paused').at(-1)!.paused, true, 'saving keeps a paused run paused');

    h.runner.receive({ type: 'setLearningRate', lr: 0.01 });
    h.runner.receive({ type: 'resume' });
    await h.until('resumed steps', () => h.trainEvents('step').length > pausedAt + 4);
    assert.equal(h.of('paused').at(-1)!.paused, false);
    assert.equal((h.trainEvents('step').at(-1) as { lr: number }).lr, 0.01, 'live learning rate');

    const pausesShown = h.of('paused').length;
    const running = await h.request(saveState, {});
    assert.ok(running.step > pausedAt + 1, `saved at step ${running.step}`);
    const stepsAtSave = h.trainEvents('step').length;
    await h.until('steps after the save', () => h.trainEvents('step').length > stepsAtSave + 2);
    assert.equal(h.of('paused').length, pausesShown, 'the internal pause is invisible');

    h.runner.receive({ type: 'stop' });
    await h.until('stopped', () => h.trainEvents('done').length > 0);
    assert.equal((h.trainEvents('done')[0] as { reason: string }).reason, 'stopped');
    assert.deepEqual(h.of('failed'), []);
  });

  it('continues from a saved state at the saved step', async () => {
    const first = harness();
    const data = syntheticDataset(24, 6);
    first.runner.receive({ type: 'load', spec, dataset: data });
    first.runner.receive({ type: 'start', settings: { ...settings, epochs: 1 }, reportEvery: 2, plots: { plotEvery: 100, example: 0 }, restore: null });
    await first.until('done', () => first.trainEvents('done').length > 0);
    const saved = await first.request(saveState, {});
    assert.equal(saved.epoch, 1);

    const second = harness();
    second.runner.receive({ type: 'load', spec, dataset: data });
    second.runner.receive({ type: 'start', settings, reportEvery: 2, plots: { plotEvery: 100, example: 0 }, restore: { epoch: saved.epoch, step: saved.step, tensors: saved.tensors } });
    await second.until('done', () => second.trainEvents('done').length > 0);
    const start = second.trainEvents('start')[0] as { epoch: number; step: number };
    assert.deepEqual([start.epoch, start.step], [1, 6]);
    assert.deepEqual(second.of('evaluation').map((e) => e.epoch), [2], 'only the remaining epoch runs');
  });

  it('checks gradients: in f64 on the cpu, in f32 against an f64 cpu reference elsewhere', async () => {
    const h = harness();
    h.runner.receive({ type: 'load', spec, dataset: syntheticDataset(8, 2) });
    const result = await h.request(checkGradients, {});
    assert.equal(result.precision, backend.name === 'cpu' ? 'f64' : 'f32');
    assert.equal(result.reference?.backend, backend.name === 'cpu' ? undefined : 'cpu (f64)');
    assert.equal(result.tensors.length, 4);
    assert.equal(result.passed, true);
  });
});
