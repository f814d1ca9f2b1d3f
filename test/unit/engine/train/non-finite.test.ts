// NaN/∞ in training: the trainer pauses, says at which step and in which layer non-finite values
// first appeared, and keeps the weights from before that step.

import * as assert from 'node:assert/strict';
import { CpuBackend } from '../../../../src/engine/cpu/backend';
import type { Dataset } from '../../../../src/engine/data/dataset';
import { Trainer, type TrainEvent, type TrainerOptions } from '../../../../src/engine/train';
import { epochOrder } from '../../../../src/engine/train/order';
import { blocks, blocksSpec } from '../blocks';
import * as L from '../specs';

/** The blocks data as floats, with one pixel of training example `poisoned` set to ∞. */
function poisonedBlocks(poisoned: number): Dataset {
  const images = Float32Array.from(blocks.train.images, (v) => v / 255);
  if (poisoned >= 0) images[poisoned * 36 + 7] = Infinity;
  return { ...blocks, train: { ...blocks.train, images } };
}

/** No ReLU between the conv and the dense layer, so an ∞ input reaches the loss. */
const linear = L.model([1, 6, 6], [L.conv(4, 3, { pad: 1 }), L.flatten, L.dense(3), L.softmax], 'cross_entropy', blocksSpec.train);

function trainer(extra: Partial<TrainerOptions>, events: TrainEvent[] = []): Trainer {
  return new Trainer({ spec: linear, dataset: blocks, backend: new CpuBackend(), reportEvery: 4, onEvent: (e) => events.push(e), ...extra });
}

async function pausedOn(t: Trainer, events: TrainEvent[]): Promise<Extract<TrainEvent, { type: 'nonFinite' }>> {
  const running = t.run();
  while (t.status !== 'paused' && t.status !== 'done') await new Promise((r) => setTimeout(r, 1));
  assert.equal(t.status, 'paused', 'training pauses');
  const found = events.find((e) => e.type === 'nonFinite');
  t.stop();
  await running;
  assert.ok(found && found.type === 'nonFinite', 'a nonFinite event');
  return found;
}

async function weights(t: Trainer): Promise<Map<string, Float32Array>> {
  return new Map([...(await t.saveState()).tensors].map(([name, v]) => [name, v.data]));
}

describe('train: non-finite values', () => {
  it('names the step and the first layer of an ∞ input, and keeps the weights from before that step', async () => {
    // The poisoned example is in the 6th batch of the first epoch: step 6, between the reports at steps 4 and 7.
    const order = epochOrder(Int32Array.from({ length: 100 }, (_, i) => i), blocksSpec.train.seed, 0);
    const poisoned = order[5 * 16 + 3];
    const events: TrainEvent[] = [];
    const t = trainer({ dataset: poisonedBlocks(poisoned) }, events);
    const e = await pausedOn(t, events);
    assert.deepEqual([e.step, e.epoch, e.layer, e.where, e.lastGoodStep], [6, 1, 0, 'activation', 5]);
    assert.match(e.message, /first appeared at step 6 in layer 0 \(conv, line 2\): its output; training paused with the weights from before step 6/);
    assert.deepEqual(t.progress, { epoch: 0, stepInEpoch: 5, globalStep: 5 });

    const clean = trainer({ dataset: poisonedBlocks(-1) });
    await clean.run({ untilStep: 5 });
    const [kept, good] = [await weights(t), await weights(clean)];
    for (const [name, data] of good) assert.deepEqual(kept.get(name), data, `${name}: the weights after step 5`);
    assert.ok(events.filter((x) => x.type === 'step').every((x) => x.type === 'step' && Number.isFinite(x.loss)), 'no step event reports NaN');
  });

  it('rolls back to a confirmed mid-epoch copy with its own epoch totals and recounts the replayed steps', async () => {
    // Reports every 2 steps: the copy at step 2 is confirmed by the finite report at 4; the report at 6 is not finite.
    const order = epochOrder(Int32Array.from({ length: 100 }, (_, i) => i), blocksSpec.train.seed, 0);
    const events: TrainEvent[] = [];
    const t = trainer({ dataset: poisonedBlocks(order[5 * 16]), reportEvery: 2 }, events);
    const e = await pausedOn(t, events);
    assert.deepEqual([e.step, e.lastGoodStep], [6, 5]);
    const totals = (await t.saveState()).epochTotals!;
    const clean = trainer({ dataset: poisonedBlocks(-1), reportEvery: 1 });
    await clean.run({ untilStep: 5 });
    const expected = (await clean.saveState()).epochTotals!;
    assert.equal(totals[2], 5 * 16, 'steps 1–5 counted once each');
    assert.equal(totals[1], expected[1]);
    assert.ok(Math.abs(totals[0] - expected[0]) < 1e-4 * expected[0], `loss sum ${totals[0]} vs ${expected[0]}`);
  });

  it('finds a diverging learning rate: the step, the layer and finite weights kept', async () => {
    const events: TrainEvent[] = [];
    const t = trainer({ settings: { lr: 1e30, momentum: 0 } }, events);
    const e = await pausedOn(t, events);
    assert.ok(e.step !== null && e.layer !== null, e.message);
    assert.equal(e.lastGoodStep, e.step - 1);
    assert.equal(t.progress.globalStep, e.step - 1);
    for (const [name, data] of await weights(t)) assert.ok(data.every(Number.isFinite), `${name} is finite`);
    assert.match(e.message, new RegExp(`first appeared at step ${e.step} in layer ${e.layer} \\(`));
    // lr 1e30 makes step 1's weights huge but finite; step 2's dense output overflows.
    assert.deepEqual([e.step, e.layer, e.where], [2, 2, 'activation']);
  });
});
