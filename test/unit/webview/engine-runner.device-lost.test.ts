// A GPU run whose device is lost mid-run is not lost: the WebGPU engine keeps a recent state on the
// host and hands it to the panel (`recoverable`) right after the error, and a CPU engine continues
// from that state at its step.

import * as assert from 'node:assert/strict';
import { CpuBackend } from '../../../src/engine';
import { analyze } from '../../../src/lang';
import { LAST_GOOD_STATE_EVERY } from '../../../src/webview/engine-runner';
import type { WebGpuBackend } from '../../../src/engine/webgpu/backend';
import { suiteWebGpu } from '../../backends';
import { RUNNER_MODEL, RunnerHarness, syntheticDataset } from './runner-harness';

const spec = analyze(RUNNER_MODEL).spec;
const settings = { epochs: 12, batch: 4, lr: 0.1, optimizer: 'sgd' as const, momentum: 0.9, decay: 0, weightDecay: 0, seed: 7 };
const LOSE_AT_STEP = LAST_GOOD_STATE_EVERY * 2 + 3;

async function poll(what: string, pred: () => boolean, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!pred()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('webview: engine runner, GPU device lost mid-run [webgpu]', () => {
  const gpu = suiteWebGpu();

  it('reports the error, then the surviving state, which a cpu engine continues from its step', async () => {
    let backend: WebGpuBackend | null = null;
    const h = new RunnerHarness(() => (backend = gpu()));
    const data = syntheticDataset(24, 6);
    h.runner.receive({ type: 'load', spec, dataset: data });
    h.runner.receive({ type: 'start', settings, reportEvery: 1, plots: { plotEvery: 1000, example: 0 }, restore: null, pace: { stepMs: 0, captureMs: 0 } });
    await poll('the step that loses the device', () => h.trainEvents('step').some((e) => (e as { globalStep: number }).globalStep >= LOSE_AT_STEP));
    backend!.device.destroy();
    await poll('the surviving state', () => h.of('recoverable').length > 0);

    const kinds = h.events.map((e) => (e.type === 'train' ? `train:${e.event.type}` : e.type));
    assert.equal(kinds.indexOf('recoverable'), kinds.indexOf('train:error') + 1, `recoverable right after the error (${kinds.slice(-5).join(', ')})`);
    assert.match((h.trainEvents('error')[0] as { message: string }).message, /GPU device was lost/);
    const { state } = h.of('recoverable')[0];
    // The engine runs ahead of its reports, so the device goes at some step after LOSE_AT_STEP; the state
    // kept is the last one copied to the host (every LAST_GOOD_STATE_EVERY steps), never a later one.
    const errorAt = h.events.findIndex((e) => e.type === 'train' && e.event.type === 'error');
    const reportedBefore = Math.max(...h.events.slice(0, errorAt).flatMap((e) =>
      (e.type === 'train' && e.event.type === 'step' ? [e.event.globalStep] : [])));
    assert.ok(state.step >= LAST_GOOD_STATE_EVERY && state.step % LAST_GOOD_STATE_EVERY === 0 && state.step <= reportedBefore + 1,
      `kept step ${state.step}, last reported ${reportedBefore}`);

    const cpu = new RunnerHarness(() => new CpuBackend());
    cpu.runner.receive({ type: 'load', spec, dataset: data });
    cpu.runner.receive({ type: 'start', settings, reportEvery: 1, plots: { plotEvery: 1000, example: 0 }, restore: state, pace: { stepMs: 0, captureMs: 0 } });
    await cpu.until('done', () => cpu.trainEvents('done').length > 0);
    assert.deepEqual(cpu.of('restored').map((r) => r.step), [state.step]);
    const first = cpu.trainEvents('step')[0] as { globalStep: number };
    assert.equal(first.globalStep, state.step + 1, 'continues with the step after the kept one');
    assert.equal((cpu.trainEvents('done')[0] as { globalStep: number }).globalStep, 72);
  });
});
