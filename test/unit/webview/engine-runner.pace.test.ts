// A fast engine must not flood the page: with a pace, step reports and plot captures are sent at
// most once per interval, and the run still ends with its done event and the right step count.
import * as assert from 'node:assert/strict';
import { CpuBackend } from '../../../src/engine';
import { analyze } from '../../../src/lang';
import { RUNNER_MODEL, RunnerHarness, syntheticDataset } from './runner-harness';

const spec = analyze(RUNNER_MODEL).spec;
const settings = { epochs: 2, batch: 4, lr: 0.1, optimizer: 'sgd' as const, momentum: 0.9, decay: 0, weightDecay: 0, seed: 7 };

describe('webview: engine runner pace', () => {
  for (const [name, pace, check] of [
    ['every report without a pace', undefined, (n: number) => n >= 6],
    ['at most one report per interval with a pace', { stepMs: 10_000, captureMs: 60_000 }, (n: number) => n === 1],
  ] as const) {
    it(name, async () => {
      const h = new RunnerHarness(() => new CpuBackend({ precision: 'f32' }));
      h.runner.receive({ type: 'load', spec, dataset: syntheticDataset(24, 6) });
      h.runner.receive({ type: 'start', settings, reportEvery: 2, plots: { plotEvery: 2, example: 4 }, restore: null, ...(pace && { pace }) });
      await h.until('done', () => h.trainEvents('done').length > 0);
      const steps = h.trainEvents('step').length;
      assert.ok(check(steps), `${steps} step reports for 12 steps`);
      assert.equal((h.trainEvents('done')[0] as { globalStep: number }).globalStep, 12);
      if (pace) assert.ok(h.of('features').length <= 2, `${h.of('features').length} feature captures: the first, and at most one paced`);
    });
  }
});
