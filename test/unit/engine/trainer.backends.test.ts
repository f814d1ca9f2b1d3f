// The training loop on every backend, on the small blocks task: learning and its events, the cpu's
// curve followed, reproducibility by seed, control (pause, single steps, live learning rate, stop),
// metrics read only every few steps, live inspection, and releasing what it allocated.

import * as assert from 'node:assert/strict';
import type { Backend } from '../../../src/engine/backend';
import { CpuBackend } from '../../../src/engine/cpu/backend';
import { fillBatch } from '../../../src/engine/data/dataset';
import { Network } from '../../../src/engine/network';
import { Trainer, type TrainEvent, type TrainerOptions } from '../../../src/engine/train';
import { assertSameRun, forEachBackend } from '../../backends';
import { assertNear } from '../../gpu/twins';
import { blocks as dataset, blocksSpec as spec, stepLosses } from './blocks';

/**
 * Two epochs of f32 training on another backend stay this close to the cpu's losses, relative to
 * the largest: both round to f32 but sum in different orders, and 14 steps of SGD with momentum
 * amplify that (measured on SwiftShader: under 2e-5).
 */
const CPU_CURVE_RTOL = 1e-3;

const stepsOf = (events: TrainEvent[]) => stepLosses(events).map(([step]) => step);
const lossesOf = (events: TrainEvent[]) => stepLosses(events).map(([, loss]) => loss);

forEachBackend('Trainer', (backend) => {
  function trainer(extra: Partial<TrainerOptions> = {}, events: TrainEvent[] = []): Trainer {
    return new Trainer({ spec, dataset, backend: backend.create(), reportEvery: 1, onEvent: (e) => events.push(e), ...extra });
  }

  it('learns the synthetic task and reports start, step, epoch and done events', async () => {
    const events: TrainEvent[] = [];
    const t = trainer({ settings: { epochs: 6 } }, events);
    assert.equal(await t.run(), 'completed');
    const start = events[0];
    assert.ok(start.type === 'start' && start.stepsPerEpoch === 7 && start.trainExamples === 100, JSON.stringify(start));
    assert.ok(start.backend.startsWith(backend.name), start.backend);
    const epochs = events.filter((e) => e.type === 'epoch');
    assert.equal(epochs.length, 6);
    const [first, last] = [epochs[0], epochs[5]];
    assert.ok(last.type === 'epoch' && last.testAccuracy !== null && last.testAccuracy >= 0.9, JSON.stringify(last));
    assert.ok(first.type === 'epoch' && last.loss < first.loss);
    const steps = events.filter((e) => e.type === 'step');
    assert.equal(steps.length, 42, 'one step event per step with reportEvery = 1');
    // The last batch of each epoch is partial (100 = 6·16 + 4); every example is counted once.
    assert.deepEqual(steps.slice(0, 7).map((e) => e.type === 'step' && e.examples), [16, 16, 16, 16, 16, 16, 4]);
    assert.equal(events.at(-1)!.type, 'done');
    assert.equal(t.status, 'done');
  });

  it('follows the cpu\'s training curve', async () => {
    const here: TrainEvent[] = [], cpu: TrainEvent[] = [];
    await trainer({}, here).run();
    await new Trainer({ spec, dataset, backend: new CpuBackend(), reportEvery: 1, onEvent: (e) => cpu.push(e) }).run();
    assert.deepEqual(stepsOf(here), stepsOf(cpu));
    if (backend.name === 'cpu') assert.deepEqual(lossesOf(here), lossesOf(cpu));
    else assertNear(lossesOf(here), lossesOf(cpu), 'step losses', CPU_CURVE_RTOL);
  });

  it('is reproducible by seed: the same losses twice, different ones for another seed', async () => {
    const a: TrainEvent[] = [], b: TrainEvent[] = [], c: TrainEvent[] = [];
    await trainer({}, a).run();
    await trainer({}, b).run();
    await trainer({ settings: { seed: 8 } }, c).run();
    assert.deepEqual(stepsOf(b), stepsOf(a));
    assertSameRun(backend, lossesOf(b), lossesOf(a), 'the same seed twice');
    assert.notDeepEqual(stepLosses(a), stepLosses(c));
  });

  it('pause, single steps, live learning rate, evaluation while paused, resume and stop', async () => {
    const events: TrainEvent[] = [];
    let stopAtNextStep = false;
    let paused!: () => void;
    const isPaused = new Promise<void>((resolve) => { paused = resolve; });
    // Batches of 4 (25 steps an epoch) keep the single steps inside the first epoch, away from the
    // loop's own end-of-epoch evaluation.
    const t: Trainer = trainer({
      settings: { epochs: 3, batch: 4, decay: 0.5 },
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'step' && e.globalStep === 2) t.pause();
        if (e.type === 'step' && stopAtNextStep) t.stop();
        if (e.type === 'paused') paused();
      },
    });
    const running = t.run();
    await isPaused;
    assert.equal(t.status, 'paused');
    // A step event comes once its metrics are read back, which on a GPU is a few queued steps
    // later: the pause lands at the step boundary after the event, step 2 only on the cpu.
    const pausedAt = t.progress.globalStep;
    assert.ok(backend.name === 'cpu' ? pausedAt === 2 : pausedAt >= 2, `paused at step ${pausedAt}`);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(t.progress.globalStep, pausedAt, 'no steps while paused');

    t.setLearningRate(0.2);
    await t.step();
    await t.step();
    assert.equal(t.progress.globalStep, pausedAt + 2);
    const lastStep = events.filter((e) => e.type === 'step').at(-1)!;
    // lr of step t (0-based) is lr / (1 + decay·t): the second single step has t = pausedAt + 1.
    assert.ok(lastStep.type === 'step' && lastStep.globalStep === pausedAt + 2
      && Math.abs(lastStep.lr - 0.2 / (1 + 0.5 * (pausedAt + 1))) < 1e-15, JSON.stringify(lastStep));
    const evaluation = await t.evaluate('test', { confusion: true });
    assert.equal(evaluation.count, 30);
    assert.equal(evaluation.confusion!.flat().reduce((a, b) => a + b, 0), 30);
    assert.equal(evaluation.confusion!.reduce((s, row, i) => s + row[i], 0) / 30, evaluation.accuracy);

    stopAtNextStep = true;
    t.resume();
    assert.equal(await running, 'stopped');
    const done = events.at(-1)!;
    assert.ok(done.type === 'done' && done.reason === 'stopped' && done.globalStep < 3 * 25, JSON.stringify(done));
    assert.ok(events.some((e) => e.type === 'resumed'));
  });

  it('reads metrics back only every reportEvery steps (no stall per step)', async () => {
    let reads = 0;
    const counting = new Proxy(backend.create(), {
      get(target, key) {
        if (key === 'read') return (...args: Parameters<Backend['read']>) => { reads++; return target.read(...args); };
        const v: unknown = Reflect.get(target, key);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const events: TrainEvent[] = [];
    await new Trainer({
      spec, dataset, backend: counting, reportEvery: 5, evaluateEachEpoch: false, settings: { epochs: 2 }, onEvent: (e) => events.push(e),
    }).run();
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

  it('inspect shows one example\'s probabilities and feature maps mid-training without disturbing it', async () => {
    const plain: TrainEvent[] = [];
    await trainer({}, plain).run();
    const probed: TrainEvent[] = [];
    const inspections: Promise<unknown>[] = [];
    const t: Trainer = trainer({ onEvent: (e) => { probed.push(e); if (e.type === 'step') inspections.push(t.inspect('test', e.globalStep % 30)); } });
    await t.run();
    await Promise.all(inspections);
    assert.equal(inspections.length, 14);
    assert.deepEqual(stepsOf(probed), stepsOf(plain));
    assertSameRun(backend, lossesOf(probed), lossesOf(plain), 'losses with and without inspection');

    const seen = await t.inspect('test', 5);
    assert.equal(seen.label, dataset.test.labels[5]);
    assert.ok(Math.abs(seen.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-6);
    assert.deepEqual(seen.featureMaps.map((m) => [m.layer, ...m.shape]), [[0, 4, 6, 6], [2, 4, 3, 3]]);
    // The same example through a separate network with the same weights, on the same backend.
    const b = backend.create();
    const copy = new Network(b, spec, { maxBatch: 1 });
    copy.writeState(await t.network.readState());
    const image = new Float32Array(36), label = new Uint32Array(1);
    fillBatch(dataset.test, dataset.shape, [5], image, label);
    b.write(copy.input, image);
    copy.forward({ n: 1, training: false, seed: 0 });
    assertSameRun(backend, Array.from(seen.featureMaps[0].data), Array.from((await copy.readFeatureMaps(0, 0)).data), 'conv maps');
    assertSameRun(backend, Array.from(seen.featureMaps[1].data), Array.from((await copy.readFeatureMaps(2, 0)).data), 'pool maps');
    const grads = await t.gradients();
    assert.deepEqual(grads.map((g) => g.name), ['layers.0.weight', 'layers.0.bias', 'layers.5.weight', 'layers.5.bias']);
    assert.deepEqual(grads[0].shape, [4, 1, 3, 3]);
    assert.ok(grads[0].data.some((v) => v !== 0));
  });

  it('dispose releases every tensor it allocated and leaves the backend usable', async () => {
    const b = backend.create();
    const t = new Trainer({ spec, dataset, backend: b, settings: { epochs: 1 } });
    await t.run();
    const weight = t.network.parameters[0].value, slot = t.optimizer.slots[0].tensor;
    t.dispose();
    assert.throws(() => b.fill(weight, 0), /was disposed/);
    assert.throws(() => b.fill(slot, 0), /was disposed/);
    const fresh = b.zeros(2);
    b.fill(fresh, 1);
    assert.deepEqual(Array.from(await b.read(fresh)), [1, 1]);
  });
});
