import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { CpuBackend } from '../../../src/engine/cpu/backend';
import { loadDataset } from '../../../src/engine/data/node-files';
import { Trainer, type TrainEvent } from '../../../src/engine/train';
import { parseValue } from '../../../src/lang/values';
import { paramInfo, statementInfo } from '../../../src/lang/catalog';
import * as L from '../engine/specs';
import { errorOf } from './fixtures';
import { matFixtures } from './mat-build';

describe('data: mat:TRAIN[,TEST] (simpleNN y, Z)', () => {
  const dir = matFixtures();
  const train = join(dir, 'simplenn.mat'), test = join(dir, 'simplenn.t.mat');

  it('is parsed by the language as a data spec', () => {
    const param = paramInfo(statementInfo('train')!, 'data')!;
    const parsed = parseValue(param, 'mat:a.mat,b.mat', { baseDir: '/d' });
    assert.deepEqual(parsed.ok && parsed.value, { kind: 'data', value: { kind: 'mat', train: '/d/a.mat', test: '/d/b.mat' } });
    const bad = parseValue(param, 'mat:a.mat,', { baseDir: '/d' });
    assert.equal(!bad.ok && bad.error.message, '`data=mat` needs mat:TRAIN or mat:TRAIN,TEST, not `mat:a.mat,`');
  });

  it("maps simpleNN's labels 1..K to 0..K−1 and rows of Z to C×H×W examples", async () => {
    const d = await loadDataset({ kind: 'mat', train, test });
    assert.equal(d.name, 'simplenn (mat: 12 train / 6 test)');
    assert.deepEqual(d.shape, [1, 8, 8]);
    assert.equal(d.classes, 3);
    assert.deepEqual(d.classNames, ['1', '2', '3']);
    assert.deepEqual([...d.train.labels], [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2]);
    // Example 1 has label 2, so pixels 20..39 (row-wise) are 1 and the rest 0.
    const ex = [...d.train.images.subarray(64, 128)];
    assert.deepEqual(ex, Array.from({ length: 64 }, (_, j) => (j >= 20 && j < 40 ? 1 : 0)));
  });

  it("takes the model's input shape, and says so with numbers when Z does not fit it", async () => {
    const d = await loadDataset({ kind: 'mat', train, shape: [1, 4, 16] });
    assert.deepEqual(d.shape, [1, 4, 16]);
    assert.equal(d.train.count + d.test.count, 12);
    assert.equal(await errorOf(() => loadDataset({ kind: 'mat', train, test, shape: [3, 8, 8] })),
      `${train}: 'Z' has 64 columns per example but the model's input 3×8×8 needs 192`);
  });

  it('names a missing variable and what the file holds', async () => {
    assert.equal(await errorOf(() => loadDataset({ kind: 'mat', train: join(dir, 'plain.mat') })),
      `${join(dir, 'plain.mat')}: has no variable 'y' (the labels); it holds: A, b`);
  });

  it('trains a few steps from data=mat:… through the engine', async () => {
    const dataset = await loadDataset({ kind: 'mat', train, test });
    const spec = L.model([1, 8, 8], [L.flatten, L.dense(3), L.softmax], 'cross_entropy', { epochs: 3, batch: 4, lr: 0.5, seed: 3 });
    const events: TrainEvent[] = [];
    await new Trainer({ spec, dataset, backend: new CpuBackend(), reportEvery: 1, onEvent: (e) => events.push(e) }).run();
    const losses = events.flatMap((e) => (e.type === 'step' ? [e.loss] : []));
    assert.equal(losses.length, 9);
    assert.ok(losses.every(Number.isFinite));
    assert.ok(losses[losses.length - 1] < losses[0], `loss ${losses[0]} → ${losses[losses.length - 1]}`);
  });
});
