// Checkpoints on every backend: save → restore → continue trains exactly as an uninterrupted run
// would (mid-epoch, with sgd and adam), and a state saved on one backend continues on the cpu.

import * as assert from 'node:assert/strict';
import type { Backend } from '../../../src/engine/backend';
import { CpuBackend } from '../../../src/engine/cpu/backend';
import { Trainer, type TrainEvent, type TrainerOptions, type TrainerState } from '../../../src/engine/train';
import { assertSameRun, forEachBackend } from '../../backends';
import { assertNear } from '../../gpu/twins';
import { blocks as dataset, blocksSpec as spec, stepLosses } from './blocks';

/**
 * Seven cpu steps after a webgpu checkpoint stay this close to seven more webgpu steps, relative to
 * the largest loss (f32 on both, summed in different orders; measured on SwiftShader: under 2e-5).
 */
const CROSS_BACKEND_RTOL = 1e-3;

const stepsOf = (events: TrainEvent[]) => stepLosses(events).map(([step]) => step);
const lossesOf = (events: TrainEvent[]) => stepLosses(events).map(([, loss]) => loss);
const epochsOf = (events: TrainEvent[]) => events.flatMap((e) => (e.type === 'epoch' ? [e.epoch] : []));
/** Loss and test accuracy of each epoch. */
const epochFigures = (events: TrainEvent[]) =>
  events.flatMap((e) => (e.type === 'epoch' ? [e.loss, e.testAccuracy ?? NaN] : []));

forEachBackend('resume from a saved state', (backend) => {
  function trainer(on: Backend, extra: Partial<TrainerOptions>, events: TrainEvent[] = []): Trainer {
    return new Trainer({ spec, dataset, backend: on, reportEvery: 1, onEvent: (e) => events.push(e), ...extra });
  }

  /** The state after `step` optimizer steps. */
  async function saveAt(step: number, settings: TrainerOptions['settings']): Promise<TrainerState> {
    const t = trainer(backend.create(), { settings });
    assert.equal(await t.run({ untilStep: step }), 'stopped');
    return t.saveState();
  }

  for (const optimizer of ['sgd', 'adam'] as const) {
    it(`continues mid-epoch with the same losses as an uninterrupted run (${optimizer})`, async () => {
      const settings = { optimizer, lr: optimizer === 'adam' ? 0.01 : 0.1, decay: 0.01 };
      const whole: TrainEvent[] = [];
      await trainer(backend.create(), { settings }, whole).run();

      // After step 10: epoch 2, step 3.
      const saved = await saveAt(10, settings);
      assert.equal(saved.step, 10);
      assert.equal(saved.epoch, 1);

      const resumed: TrainEvent[] = [];
      const t = trainer(backend.create(), { settings }, resumed);
      await t.restoreState(saved);
      await t.run();
      assert.deepEqual(stepsOf(resumed), [11, 12, 13, 14]);
      assertSameRun(backend, lossesOf(resumed), lossesOf(whole).slice(10), `${optimizer}: losses of steps 11–14`);
      assert.deepEqual(epochsOf(resumed), [2]);
      assertSameRun(backend, epochFigures(resumed), epochFigures(whole).slice(2), `${optimizer}: epoch 2 figures`);
    });
  }

  it('continues on the cpu from a state saved here', async () => {
    const saved = await saveAt(7, {});
    const here: TrainEvent[] = [], onCpu: TrainEvent[] = [];
    const continued = trainer(backend.create(), {}, here), moved = trainer(new CpuBackend(), {}, onCpu);
    await continued.restoreState(saved);
    await moved.restoreState(saved);
    await continued.run();
    await moved.run();
    assert.deepEqual(stepsOf(onCpu), [8, 9, 10, 11, 12, 13, 14], 'only the second epoch runs');
    assert.deepEqual(stepsOf(here), stepsOf(onCpu));
    if (backend.name === 'cpu') assert.deepEqual(lossesOf(onCpu), lossesOf(here));
    else assertNear(lossesOf(onCpu), lossesOf(here), 'cpu losses after a webgpu checkpoint', CROSS_BACKEND_RTOL);
  });
});
