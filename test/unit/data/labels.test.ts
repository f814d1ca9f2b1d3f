import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { labelOutOfRange } from '../../../src/engine/data/labels';
import { loadDataset } from '../../../src/engine/data/node-files';
import { cifarBytes, idxBytes, tempFolder } from './fixtures';

describe('data: labels outside the model’s classes', () => {
  const tmp = tempFolder('labels');

  it('names the IDX label file, the record and the value of the first stray label', async () => {
    const dir = join(tmp.path, 'idx');
    mkdirSync(dir);
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), idxBytes([5, 2, 2]));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idxBytes([5], Uint8Array.of(0, 9, 3, 42, 50)));
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), idxBytes([2, 2, 2]));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), idxBytes([2], Uint8Array.of(1, 2)));
    const d = await loadDataset({ kind: 'idx', dir });
    assert.equal(d.classes, 51);
    assert.equal(labelOutOfRange(d, 10)?.message, `${join(dir, 'train-labels-idx1-ubyte')}: record 3 (counting from 0) ` +
      'has label 42, but the model outputs 10 class scores, so labels must be 0..9');
    assert.equal(labelOutOfRange(d, 51), undefined);
  });

  it('finds the CIFAR-10 batch a label is in, test split included', async () => {
    const dir = join(tmp.path, 'cifar');
    mkdirSync(dir);
    for (let i = 1; i <= 5; i++) writeFileSync(join(dir, `data_batch_${i}.bin`), cifarBytes(i === 4 ? [1, 7] : [0, 1], () => 0));
    writeFileSync(join(dir, 'test_batch.bin'), cifarBytes([1, 1, 9], () => 0));
    const d = await loadDataset({ kind: 'cifar10', dir });
    assert.match(labelOutOfRange(d, 5)!.message, new RegExp(`data_batch_4\\.bin: record 1 \\(counting from 0\\) has label 7, ` +
      'but the model outputs 5 class scores, so labels must be 0..4$'));
    assert.match(labelOutOfRange(d, 8)!.message, /test_batch\.bin: record 2 \(counting from 0\) has label 9/);
  });

  it('names the data set and split when the examples were reordered', async () => {
    const d = await loadDataset({ kind: 'mnist' });
    assert.match(labelOutOfRange(d, 9)!.message,
      /^mnist \(built-in: 8,000 train \/ 2,000 test\): training example [\d,]+ \(counting from 0\) has label 9, but the model outputs 9/);
  });
});
