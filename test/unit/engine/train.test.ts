// The training loop on a small synthetic data set: learning, control (pause/resume/step/stop, live
// learning rate), reproducibility by seed, save → restore → continue, and no per-step read-backs.

import * as assert from 'node:assert/strict';
import type { Backend } from '../../../src/engine/backend';
import { CpuBackend } from '../../../src/engine/cpu/backend';
import { fillBatch, type Dataset, type Split } from '../../../src/engine/data/dataset';
import { Network } from '../../../src/engine/network';
import { Rng } from '../../../src/engine/random';
import { Trainer, type TrainEvent, type TrainerOptions } from '../../../src/engine/train';
import * as L from './specs';

/** Class k of 3: a bright 2×2 block at one of three places on a noisy 6×6 image. */
function split(count: number, seed: number): Split {
  const rng = new Rng(seed);
  const images = new Uint8Array(count * 36), labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = rng.int(3);
    labels[i] = label;
    for (let p = 0; p < 36; p++) images[i * 36 + p] = rng.int(60);
    const [y, x] = [[0, 0], [2, 3], [4, 1]][label];
    for (const [dy, dx] of [[0, 0], [0, 1], [1, 0], [1, 1]]) images[i * 36 + (y + dy) * 6 + x + dx] = 200 + rng.int(55);
  }
  return { count, images, labels };
}

const dataset: Dataset = { name: 'blocks', shape: [1, 6, 6], classes: 3, train: split(100, 1), test: split(30, 2) };
const spec = L.model([1, 6, 6], [L.conv(4, 3, { pad: 1 }), L.relu, L.maxpool(2), L.flatten, L.dropout(0.2), L.dense(3), L.softmax],
  'cross_entropy', { epochs: 2, batch: 16, lr: 0.1, momentum: 0.9, seed: 7 });

function trainer(extra: Partial<TrainerOptions> = {}, events: TrainEvent[] = []): Trainer {
  return new Trainer({ spec, dataset, backend: new CpuBackend(), reportEvery: 1, onEvent: (e) => events.push(e), ...extra });
}

const stepLosses = (events: TrainEvent[]) => events.flatMap((e) => (e.type === 'step' ? [[e.globalStep, e.loss]] : []));

describe('Trainer', () => {
  it('learns the synthetic task and reports start, step, epoch and done events', async () => {
    const events: TrainEvent[] = [];
    const t = trainer({ settings: { epochs: 6 } }, events);
    assert.equal(await t.run(), 'completed');
    const start = events[0];
    assert.equal(start.type, 'start');
    assert.ok(start.type === 'start' && start.stepsPerEpoch === 7 && start.trainExamples === 100);
    const epochs = events.filter((e) => e.type === 'epoch');
    assert.equal(epochs.length, 6);
    const last = epochs[5];
    assert.ok(last.type === 'epoch' && last.testAccuracy !== null && last.testAccuracy >= 0.9, JSON.stringify(last));
    const first = epochs[0];
    assert.ok(first.type === 'epoch' && last.type === 'epoch' && last.loss < first.loss);
    const steps = events.filter((e) => e.type === 'step');
    assert.equal(steps.length, 42, 'one step event per step with reportEvery = 1');
    // The last batch of each epoch is partial (100 = 6·16 + 4); every example is counted once.
    assert.deepEqual(steps.slice(0, 7).map((e) => e.type === 'step' && e.examples), [16, 16, 16, 16, 16, 16, 4]);
    assert.equal(events.at(-1)!.type, 'done');
    assert.equal(t.status, 'done');
  });

  it('is reproducible by seed: the same losses twice, different ones for another seed', async () => {
    const a: TrainEvent[] = [], b: TrainEvent[] = [], c: TrainEvent[] = [];
    await trainer({}, a).run();
    await trainer({}, b).run();
    await trainer({ settings: { seed: 8 } }, c).run();
    assert.deepEqual(stepLosses(a), stepLosses(b));
    assert.notDeepEqual(stepLosses(a), stepLosses(c));
  });

  it('save → restore → continue gives the same losses as an uninterrupted run (mid-epoch, sgd and adam)', async () => {
    for (const optimizer of ['sgd', 'adam'] as const) {
      const settings = { optimizer, lr: optimizer === 'adam' ? 0.01 : 0.1, decay: 0.01 };
      const whole: TrainEvent[] = [];
      await trainer({ settings }, whole).run();

      // Pause after step 10 (epoch 2, step 3), save, stop.
      const stopped: Trainer = trainer({
        settings, onEvent: (e) => { if (e.type === 'step' && e.globalStep === 10) stopped.pause(); },
      });
      const running = stopped.run();
      while (stopped.status !== 'paused') await new Promise((r) => setTimeout(r, 1));
      const saved = await stopped.saveState();
      stopped.stop();
      assert.equal(await running, 'stopped');
      assert.equal(saved.step, 10);
      assert.equal(saved.epoch, 1);

      const resumed: TrainEvent[] = [];
      const t = trainer({ settings }, resumed);
      await t.restoreState(saved);
      await t.run();
      assert.deepEqual(stepLosses(resumed), stepLosses(whole).filter(([step]) => step > 10), optimizer);
      const epochOf = (events: TrainEvent[]) => events.filter((e) => e.type === 'epoch').map((e) => e.type === 'epoch' && [e.epoch, e.loss, e.testAccuracy]);
      assert.deepEqual(epochOf(resumed), epochOf(whole).slice(1), `${optimizer}: epoch 2 figures match`);
    }
  });

  it('pause, single steps, live learning rate, resume and stop', async () => {
    const events: TrainEvent[] = [];
    const t = trainer({ settings: { epochs: 3, decay: 0.5 } }, events);
    let stopAtNextStep = false;
    const paused = new Promise<void>((resolve) => {
      events.push = (...items: TrainEvent[]) => {
        for (const e of items) {
          Array.prototype.push.call(events, e);
          if (e.type === 'step' && e.globalStep === 2) t.pause();
          if (e.type === 'step' && stopAtNextStep) t.stop();
          if (e.type === 'paused') resolve();
        }
        return events.length;
      };
    });
    const running = t.run();
    await paused;
    assert.equal(t.status, 'paused');
    assert.equal(t.progress.globalStep, 2);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(t.progress.globalStep, 2, 'no steps while paused');

    t.setLearningRate(0.2);
    await t.step();
    await t.step();
    assert.equal(t.progress.globalStep, 4);
    const lastStep = events.filter((e) => e.type === 'step').at(-1)!;
    // lr of step t (0-based) is lr / (1 + decay·t): the 4th step has t = 3.
    assert.ok(lastStep.type === 'step' && lastStep.globalStep === 4 && Math.abs(lastStep.lr - 0.2 / (1 + 0.5 * 3)) < 1e-15);
    const evaluation = await t.evaluate('test', { confusion: true });
    assert.equal(evaluation.count, 30);
    assert.equal(evaluation.confusion!.flat().reduce((a, b) => a + b, 0), 30);
    const diagonal = evaluation.confusion!.reduce((s, row, i) => s + row[i], 0);
    assert.equal(diagonal / 30, evaluation.accuracy);

    stopAtNextStep = true;
    t.resume();
    assert.equal(await running, 'stopped');
    const done = events.at(-1)!;
    assert.ok(done.type === 'done' && done.reason === 'stopped' && done.globalStep < 21);
    assert.ok(events.some((e) => e.type === 'resumed'));
  });

  it('reads metrics back only every reportEvery steps (no stall per step)', async () => {
    const backend = new CpuBackend();
    let reads = 0;
    const counting = new Proxy(backend, {
      get(target, key, receiver) {
        if (key === 'read') return (...args: Parameters<Backend['read']>) => { reads++; return target.read(...args); };
        const v = Reflect.get(target, key, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const events: TrainEvent[] = [];
    await new Trainer({ spec, dataset, backend: counting, reportEvery: 5, evaluateEachEpoch: false, settings: { epochs: 2 }, onEvent: (e) => events.push(e) }).run();
    // 14 steps in 2 epochs of 7: reports after steps 5 and 7 (end of epoch) of each epoch.
    assert.equal(reads, 4);
    assert.equal(events.filter((e) => e.type === 'step').length, 4);
  });

  it('holds out a validation fraction and reports its accuracy', async () => {
    const events: TrainEvent[] = [];
    await trainer({ settings: { epochs: 1, validation: 0.2 } }, events).run();
    const start = events[0], epoch = events.find((e) => e.type === 'epoch')!;
    assert.ok(start.type === 'start' && start.trainExamples === 80 && start.validationExamples === 20);
    assert.ok(epoch.type === 'epoch' && epoch.validationAccuracy !== null);
  });

  it('refuses mismatched data and unsupported settings with clear messages', () => {
    const base = { spec, backend: new CpuBackend() };
    assert.throws(() => new Trainer({ ...base, dataset: { ...dataset, shape: [1, 5, 5] } }), /data set 'blocks' has 1×5×5 examples but the model's input is 1×6×6/);
    assert.throws(() => new Trainer({ ...base, dataset: { ...dataset, classes: 4 } }), /has 4 classes but the model outputs 3 class scores/);
    assert.throws(() => new Trainer({ ...base, dataset, settings: { optimizer: 'newton' } }), /'newton'.*not available yet/);
    assert.throws(() => new Trainer({ ...base, dataset, settings: { batch: 0 } }), /batch must be a positive integer, got 0/);
    assert.throws(() => new Trainer({ ...base, dataset, settings: { validation: 1 } }), /validation fraction must be in \[0, 1\)/);
  });

  it('inspect shows one example\'s probabilities and feature maps, even mid-training, without disturbing it', async () => {
    const plain: TrainEvent[] = [];
    await trainer({}, plain).run();
    const probed: TrainEvent[] = [];
    const inspections: Promise<unknown>[] = [];
    const t: Trainer = trainer({ onEvent: (e) => { probed.push(e); if (e.type === 'step') inspections.push(t.inspect('test', e.globalStep % 30)); } });
    await t.run();
    await Promise.all(inspections);
    assert.equal(inspections.length, 14);
    assert.deepEqual(stepLosses(probed), stepLosses(plain));

    const seen = await t.inspect('test', 5);
    assert.equal(seen.label, dataset.test.labels[5]);
    assert.ok(Math.abs(seen.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-6);
    assert.deepEqual(seen.featureMaps.map((m) => [m.layer, ...m.shape]), [[0, 4, 6, 6], [2, 4, 3, 3]]);
    // The same example through a separate network with the same weights.
    const backend = new CpuBackend();
    const copy = new Network(backend, spec, { maxBatch: 1 });
    copy.writeState(await t.network.readState());
    const image = new Float32Array(36), label = new Uint32Array(1);
    fillBatch(dataset.test, dataset.shape, [5], image, label);
    backend.write(copy.input, image);
    copy.forward({ n: 1, training: false, seed: 0 });
    assert.deepEqual(seen.featureMaps[0].data, (await copy.readFeatureMaps(0, 0)).data);
    assert.deepEqual(seen.featureMaps[1].data, (await copy.readFeatureMaps(2, 0)).data);
    const grads = await t.gradients();
    assert.deepEqual(grads.map((g) => g.name), ['layers.0.weight', 'layers.0.bias', 'layers.5.weight', 'layers.5.bias']);
    assert.deepEqual(grads[0].shape, [4, 1, 3, 3]);
    assert.ok(grads[0].data.some((v) => v !== 0));
    await assert.rejects(t.inspect('test', 30), /example 30 is not in the test split \(30 examples\)/);
  });

  it('dispose releases every tensor it allocated and leaves the backend usable', async () => {
    const backend = new CpuBackend();
    const t = new Trainer({ spec, dataset, backend, settings: { epochs: 1 } });
    await t.run();
    const weight = t.network.parameters[0].value, slot = t.optimizer.slots[0].tensor;
    t.dispose();
    assert.throws(() => backend.fill(weight, 0), /was disposed/);
    assert.throws(() => backend.fill(slot, 0), /was disposed/);
    backend.fill(backend.zeros(2), 1);
  });

  it('refuses control calls that make no sense in the current state', async () => {
    const t = trainer();
    await assert.rejects(t.step(), /step\(\) needs a paused trainer/);
    await t.run();
    await assert.rejects(t.run(), /run\(\) was already called/);
    assert.throws(() => t.setLearningRate(-1), /learning rate must be a positive number/);
  });
});
