// The NaN/∞ guard on every backend: an ∞ input pauses training at its step and layer with finite
// weights kept (the device copies and the slow-path reads work on webgpu as on the cpu).

import * as assert from 'node:assert/strict';
import { Trainer, type TrainEvent } from '../../../../src/engine/train';
import { epochOrder } from '../../../../src/engine/train/order';
import { forEachBackend } from '../../../backends';
import { blocks, blocksSpec } from '../blocks';
import * as L from '../specs';

const linear = L.model([1, 6, 6], [L.conv(4, 3, { pad: 1 }), L.flatten, L.dense(3), L.softmax], 'cross_entropy', blocksSpec.train);

forEachBackend('non-finite guard', (backend) => {
  it('pauses at the step and layer of an ∞ input and keeps finite weights', async () => {
    const order = epochOrder(Int32Array.from({ length: 100 }, (_, i) => i), blocksSpec.train.seed, 0);
    const images = Float32Array.from(blocks.train.images, (v) => v / 255);
    images[order[5 * 16 + 3] * 36 + 7] = Infinity;
    const events: TrainEvent[] = [];
    const t = new Trainer({
      spec: linear, dataset: { ...blocks, train: { ...blocks.train, images } }, backend: backend.create(), reportEvery: 4,
      evaluateEachEpoch: false, onEvent: (e) => events.push(e),
    });
    const running = t.run();
    while (t.status !== 'paused' && t.status !== 'done') await new Promise((r) => setTimeout(r, 1));
    t.stop();
    await running;
    const e = events.find((x) => x.type === 'nonFinite');
    assert.ok(e && e.type === 'nonFinite', 'a nonFinite event');
    assert.deepEqual([e.step, e.layer, e.where, t.progress.globalStep], [6, 0, 'activation', 5]);
    for (const [name, v] of (await t.saveState()).tensors) assert.ok(v.data.every(Number.isFinite), `${name} is finite`);
  });
});
