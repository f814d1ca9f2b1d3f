// Resuming through real checkpoint files: with the same settings a run continues bit for bit as an
// uninterrupted one (mid-epoch, between metric reports); other settings are said, not silently
// remapped; a switched optimizer starts its own step count at zero; a state that does not fit is
// refused whole.

import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCheckpointFile, writeCheckpointFile } from '../../../../src/engine/checkpoint-file';
import { CpuBackend } from '../../../../src/engine/cpu/backend';
import { Trainer, type TrainEvent, type TrainerOptions, type TrainerState } from '../../../../src/engine/train';
import { checkpointOfState, stateOfCheckpoint } from '../../../../src/engine/train/checkpoint-state';
import { blocks, blocksSpec } from '../blocks';
import * as L from '../specs';

function trainer(extra: Partial<TrainerOptions> = {}, events: TrainEvent[] = []): Trainer {
  // reportEvery 4 with 7 steps an epoch: a stop at step 10 leaves epoch 2's first 3 steps unreported.
  return new Trainer({ spec: blocksSpec, dataset: blocks, backend: new CpuBackend(), reportEvery: 4, onEvent: (e) => events.push(e), ...extra });
}

const stepFigures = (events: TrainEvent[]) => events.flatMap((e) => (e.type === 'step' ? [[e.globalStep, e.examples, e.loss, e.accuracy]] : []));
const epochFigures = (events: TrainEvent[]) => events.flatMap((e) => (e.type === 'epoch' ? [[e.epoch, e.loss, e.trainAccuracy, e.testAccuracy]] : []));

async function weights(t: Trainer): Promise<Map<string, Float32Array>> {
  const state = await t.saveState();
  return new Map([...state.tensors].map(([name, v]) => [name, v.data]));
}

describe('train: resume through checkpoint files', () => {
  let dir = '';
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'convlab-resume-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Through a file, as the CLI and the panel do it. */
  async function throughFile(state: TrainerState): Promise<TrainerState> {
    const path = join(dir, 'run.ckpt.safetensors');
    await writeCheckpointFile(path, checkpointOfState(state, { modelText: 'tiny', backend: 'cpu', data: { kind: 'mnist' } }));
    return stateOfCheckpoint(await readCheckpointFile(path));
  }

  for (const optimizer of ['sgd', 'adam'] as const) {
    it(`continues bit for bit from a mid-epoch checkpoint file (${optimizer}, between reports)`, async () => {
      const settings = { optimizer, lr: optimizer === 'adam' ? 0.01 : 0.1, decay: 0.01, epochs: 3 };
      const whole: TrainEvent[] = [];
      const uninterrupted = trainer({ settings }, whole);
      await uninterrupted.run();

      const first: TrainEvent[] = [];
      const stopped = trainer({ settings }, first);
      assert.equal(await stopped.run({ untilStep: 10 }), 'stopped');
      assert.deepEqual(stopped.progress, { epoch: 1, stepInEpoch: 3, globalStep: 10 });
      const saved = await throughFile(await stopped.saveState());
      assert.equal(saved.unreported?.steps, 3, 'steps 8–10 (epoch 2 reports first at its 4th step)');

      const rest: TrainEvent[] = [];
      const resumed = trainer({ settings }, rest);
      assert.deepEqual(await resumed.restoreState(saved), [], 'same settings: nothing to say');
      await resumed.run();
      assert.deepEqual(stepFigures(rest), stepFigures(whole).filter(([step]) => step > 10));
      assert.deepEqual(epochFigures(rest), epochFigures(whole).slice(1), 'epoch 2 and 3 figures, bit for bit');
      const [a, b] = [await weights(uninterrupted), await weights(resumed)];
      for (const [name, data] of a) assert.deepEqual(b.get(name), data, name);
    });
  }

  it('an sgd checkpoint resumed with adam takes a first step of about lr (adam counts its own steps)', async () => {
    const sgd = trainer({ settings: { optimizer: 'sgd', lr: 0.1 } });
    await sgd.run({ untilStep: 10 });
    const saved = await throughFile(await sgd.saveState());

    const lr = 0.01;
    const adam = trainer({ settings: { optimizer: 'adam', lr } });
    const notes = await adam.restoreState(saved);
    assert.match(notes.join('\n'), /optimizer changed from sgd to adam: adam starts with fresh state \(zero moments, step count 0\)/);
    assert.equal(adam.optimizer.steps, 0);
    const before = await weights(adam);
    await adam.run({ untilStep: 11 });
    const after = await weights(adam);
    let largest = 0;
    for (const [name, w] of before) if (!name.startsWith('optim.')) w.forEach((v, i) => { largest = Math.max(largest, Math.abs(after.get(name)![i] - v)); });
    // Adam's first bias-corrected step is lr·g/|g| per weight; with the trainer's t = 11 it would be ≈ 0.43·lr.
    assert.ok(Math.abs(largest / lr - 1) < 0.01, `largest first update ${largest}, lr ${lr}`);
    assert.equal(adam.optimizer.steps, 1);
  });

  it('keeps adam\'s step count through a file, and an older checkpoint without it falls back to the global step', async () => {
    const adam = trainer({ settings: { optimizer: 'adam', lr: 0.01 } });
    await adam.run({ untilStep: 5 });
    const saved = await throughFile(await adam.saveState());
    assert.equal(saved.optimizerSteps, 5);
    const again = trainer({ settings: { optimizer: 'adam', lr: 0.01 } });
    await again.restoreState({ ...saved, optimizerSteps: 3 });
    assert.equal(again.optimizer.steps, 3);
    await again.restoreState({ tensors: saved.tensors, epoch: saved.epoch, step: saved.step });
    assert.equal(again.optimizer.steps, 5);
  });

  it('says what other settings change, and places a mid-epoch state saved with another batch by examples seen', async () => {
    const run = trainer();
    await run.run({ untilStep: 10 });  // epoch 2, 3 steps of 16 = 48 examples in
    const saved = await throughFile(await run.saveState());
    const other = trainer({ settings: { batch: 8, lr: 0.05, seed: 9, optimizer: 'adam' }, dataset: { ...blocks, name: 'blocks-v2' } });
    const notes = await other.restoreState(saved);
    assert.deepEqual(other.progress, { epoch: 1, stepInEpoch: 6, globalStep: 10 });
    const text = notes.join('\n');
    assert.match(text, /batch changed from 16 to 8: the unfinished epoch continues at step 7 of 13/);
    assert.match(text, /lr changed from 0\.1 to 0\.05/);
    assert.match(text, /seed changed from 7 to 9: the data order/);
    assert.match(text, /optimizer changed from sgd to adam/);
    assert.match(text, /data changed from blocks to blocks-v2/);
    assert.equal(notes.length, 5, text);
  });

  it('refuses a state that does not fit, naming every tensor, and writes nothing into the network', async () => {
    const wider = L.model([1, 6, 6], [L.conv(8, 3, { pad: 1 }), L.relu, L.maxpool(2), L.flatten, L.dropout(0.2), L.dense(3), L.softmax],
      'cross_entropy', blocksSpec.train);
    const source = new Trainer({ spec: wider, dataset: blocks, backend: new CpuBackend() });
    const saved = await source.saveState();
    const target = trainer();
    const before = await weights(target);
    await assert.rejects(target.restoreState(saved), (e: Error) => {
      assert.match(e.message, /does not fit this model; nothing was loaded\. 6 tensor\(s\) differ/);
      assert.match(e.message, /layers\.0\.weight: expected \[4, 1, 3, 3\], found \[8, 1, 3, 3\]/);
      assert.match(e.message, /layers\.0\.bias: expected \[4\], found \[8\]/);
      assert.match(e.message, /layers\.5\.weight: expected \[3, 36\], found \[3, 72\]/);
      return true;
    });
    // Weights fit (and differ, so a write would show) but one optimizer tensor does not: still nothing written.
    const own = await target.saveState();
    const slot = target.optimizer.slots[0];
    const shaped = new Map([...own.tensors].map(([name, t]) => [name,
      name === slot.name ? { shape: [1], data: new Float32Array(1) } : { shape: t.shape, data: t.data.map((v) => v + 1) }]));
    await assert.rejects(target.restoreState({ tensors: shaped, epoch: 0, step: 0 }), new RegExp(`saved optimizer tensor '${slot.name.replace(/\./g, '\\.')}' has 1 values`));
    const after = await weights(target);
    for (const [name, data] of before) assert.deepEqual(after.get(name), data, `${name} untouched`);
  });
});
