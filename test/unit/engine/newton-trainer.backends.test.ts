// optimizer=newton through the Trainer on every backend: the objective never rises (the line search
// sees to it), it ends lower than a few SGD epochs on the same data, with both losses; pause, stop and
// checkpoint/resume work between iterations.

import * as assert from 'node:assert/strict';
import { CpuBackend } from '../../../src/engine/cpu/backend';
import type { ModelSpec, NewtonTrainSettings } from '../../../src/lang/spec';
import { NEWTON_DEFAULTS } from '../../../src/lang/spec';
import { Trainer, type TrainEvent } from '../../../src/engine/train';
import { NEWTON_LAMBDA_SLOT } from '../../../src/engine/newton/newton-state';
import { forEachBackend, type BackendUnderTest } from '../../backends';
import { blocks } from './blocks';
import * as L from './specs';

type NewtonEvent = Extract<TrainEvent, { type: 'newton' }>;
const newtonEvents = (events: TrainEvent[]) => events.filter((e): e is NewtonEvent => e.type === 'newton');

/**
 * Small enough for SwiftShader, big enough that the subsample spans two batches (40 > batch 25).
 * C = 1 keeps the L2 term (1/(C·l) with l = 100) from dominating this tiny set, and λ starts at 0.1:
 * from simpleNN's 1 the first iterations are short gradient steps.
 */
const NEWTON: NewtonTrainSettings = { ...NEWTON_DEFAULTS, C: 1, gnSize: 40, cgMax: 30, lambda: 0.1 };
const ITERATIONS = 8;

const mlp = (loss: 'mse' | 'cross_entropy', optimizer: 'newton' | 'sgd', epochs: number): ModelSpec =>
  L.model([1, 6, 6], [L.flatten, L.dense(8), L.tanh, L.dense(3), ...(loss === 'cross_entropy' ? [L.softmax] : [])], loss,
    { epochs, batch: 25, optimizer, lr: 0.1, momentum: 0.9, seed: 4, newton: NEWTON });
const cnn = (optimizer: 'newton' | 'sgd', epochs: number): ModelSpec =>
  L.model([1, 6, 6], [L.conv(3, 3, { pad: 1 }), L.relu, L.maxpool(2), L.flatten, L.dense(3), L.softmax], 'cross_entropy',
    { epochs, batch: 25, optimizer, lr: 0.1, momentum: 0.9, seed: 4, newton: NEWTON });

async function train(b: BackendUnderTest, spec: ModelSpec): Promise<{ events: TrainEvent[]; trainLoss: number; trainer: Trainer }> {
  const events: TrainEvent[] = [];
  const trainer = new Trainer({ spec, dataset: blocks, backend: b.create(), onEvent: (e) => events.push(e) });
  await trainer.run();
  return { events, trainLoss: (await trainer.evaluate('train')).loss, trainer };
}

forEachBackend('optimizer=newton', (b) => {
  const cases: [string, (o: 'newton' | 'sgd', epochs: number) => ModelSpec][] = [
    ['an MLP with mse', (o, e) => mlp('mse', o, e)],
    ['an MLP with cross-entropy', (o, e) => mlp('cross_entropy', o, e)],
    ['a CNN with cross-entropy', cnn],
  ];
  for (const [what, spec] of cases) {
    it(`${what}: f never rises and ends below 3 epochs of SGD`, async function () {
      this.timeout(180_000);
      const newton = await train(b, spec('newton', ITERATIONS));
      const its = newtonEvents(newton.events);
      assert.deepEqual(its.map((e) => e.iteration), Array.from({ length: ITERATIONS }, (_, i) => i + 1));
      for (const e of its) {
        assert.ok(e.f <= e.previousF, `iteration ${e.iteration}: f ${e.previousF} → ${e.f}`);
        assert.ok(e.cgIterations >= 1 && e.cgIterations <= NEWTON.cgMax);
        assert.ok(e.lambda > 0 && e.subsampleSize === 40 && e.testAccuracy !== null);
      }
      assert.ok(its[ITERATIONS - 1].f < 0.5 * its[0].previousF, `f went down: ${its[0].previousF} → ${its[ITERATIONS - 1].f}`);
      const epochs = newton.events.filter((e) => e.type === 'epoch');
      assert.equal(epochs.length, ITERATIONS, 'an epoch event follows every iteration');
      const sgd = await train(b, spec('sgd', 3));
      assert.ok(newton.trainLoss < sgd.trainLoss, `training loss: newton ${newton.trainLoss}, sgd ${sgd.trainLoss}`);
      newton.trainer.dispose();
      sgd.trainer.dispose();
    });
  }

  it('stops between iterations, and a resumed run repeats the uninterrupted one with its λ', async function () {
    this.timeout(120_000);
    const whole = await train(b, mlp('cross_entropy', 'newton', 3));
    const events: TrainEvent[] = [];
    const first = new Trainer({ spec: mlp('cross_entropy', 'newton', 3), dataset: blocks, backend: b.create(), onEvent: (e) => events.push(e) });
    assert.equal(await first.run({ untilStep: 2 }), 'stopped');
    assert.equal(first.progress.epoch, 2);
    const state = await first.saveState();
    assert.ok(state.tensors.has(NEWTON_LAMBDA_SLOT));
    assert.equal(state.tensors.get(NEWTON_LAMBDA_SLOT)!.data[0], newtonEvents(events)[1].lambda);
    const later: TrainEvent[] = [];
    const second = new Trainer({ spec: mlp('cross_entropy', 'newton', 3), dataset: blocks, backend: b.create(), onEvent: (e) => later.push(e) });
    assert.deepEqual(await second.restoreState(state), []);
    await second.run();
    const [resumed] = newtonEvents(later), expected = newtonEvents(whole.events)[2];
    assert.equal(resumed.iteration, 3);
    const same = (x: number, y: number) => b.name === 'cpu' ? x === y : Math.abs(x - y) <= 1e-4 * Math.max(1, Math.abs(y));
    assert.ok(same(resumed.f, expected.f) && same(resumed.lambda, expected.lambda), `resumed f ${resumed.f} λ ${resumed.lambda}, whole f ${expected.f} λ ${expected.lambda}`);
    for (const t of [whole.trainer, first, second]) t.dispose();
  });

  it('pauses between iterations and takes one iteration per step()', async function () {
    this.timeout(120_000);
    const events: TrainEvent[] = [];
    const trainer: Trainer = new Trainer({
      spec: mlp('mse', 'newton', 3), dataset: blocks, backend: b.create(),
      onEvent: (e) => { events.push(e); if (e.type === 'start') trainer.pause(); },
    });
    const running = trainer.run();
    while (trainer.status !== 'paused') await new Promise((r) => setTimeout(r, 5));
    assert.equal(newtonEvents(events).length, 0);
    await trainer.step();
    assert.equal(newtonEvents(events).length, 1);
    trainer.stop();
    assert.equal(await running, 'stopped');
    assert.equal(trainer.progress.epoch, 1);
    trainer.dispose();
  });
});

describe('optimizer=newton refusals', () => {
  it('refuses batchnorm, whose batch statistics make the objective move', () => {
    const spec = L.model([1, 6, 6], [L.conv(2, 3), L.batchnorm, L.relu, L.flatten, L.dense(3)], 'cross_entropy', { optimizer: 'newton', batch: 25 });
    assert.throws(() => new Trainer({ spec, dataset: blocks, backend: new CpuBackend() }), /optimizer=newton cannot train batchnorm \(layer 1, line 3\)/);
  });
});
