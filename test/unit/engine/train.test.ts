// The Trainer's argument checks on the cpu. Its behaviour (learning, control, reproducibility,
// read-backs, validation, inspection, dispose) runs on every backend in trainer.backends.test.ts,
// and save → restore → continue in resume.backends.test.ts and train/resume*.test.ts.

import * as assert from 'node:assert/strict';
import { CpuBackend } from '../../../src/engine/cpu/backend';
import { Trainer } from '../../../src/engine/train';
import { blocks as dataset, blocksSpec as spec } from './blocks';

describe('Trainer', () => {
  it('refuses mismatched data and unsupported settings with clear messages', () => {
    const base = { spec, backend: new CpuBackend() };
    assert.throws(() => new Trainer({ ...base, dataset: { ...dataset, shape: [1, 5, 5] } }), /data set 'blocks' has 1×5×5 examples but the model's input is 1×6×6/);
    assert.throws(() => new Trainer({ ...base, dataset: { ...dataset, classes: 4 } }), /has 4 classes but the model outputs 3 class scores/);
    assert.throws(() => new Trainer({ ...base, dataset, settings: { batch: 0 } }), /batch must be a positive integer, got 0/);
    assert.throws(() => new Trainer({ ...base, dataset, settings: { validation: 1 } }), /validation fraction must be in \[0, 1\)/);
  });

  it('refuses control calls that make no sense in the current state', async () => {
    const t = new Trainer({ spec, dataset, backend: new CpuBackend(), reportEvery: 1 });
    await assert.rejects(t.step(), /step\(\) needs a paused trainer/);
    await t.run();
    await assert.rejects(t.run(), /run\(\) was already called/);
    assert.throws(() => t.setLearningRate(-1), /learning rate must be a positive number/);
  });
});
