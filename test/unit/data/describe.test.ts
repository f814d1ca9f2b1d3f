import * as assert from 'node:assert/strict';
import { datasetTransferables, describeDataset } from '../../../src/engine/data/describe';
import { idxDataset } from '../../../src/engine/data/idx';
import { parseLibsvm } from '../../../src/engine/data/libsvm';
import { idxBytes } from './fixtures';

describe('data: summaries and transfer', () => {
  const small = () => idxDataset({
    trainImages: { name: 'ti', bytes: idxBytes([3, 3, 2, 2]) }, trainLabels: { name: 'tl', bytes: idxBytes([3], Uint8Array.of(0, 4, 1)) },
    testImages: { name: 'si', bytes: idxBytes([1, 3, 2, 2]) }, testLabels: { name: 'sl', bytes: idxBytes([1], Uint8Array.of(2)) },
  }, 'tiny');

  it('describes a data set in one line, with class names only when they say something', () => {
    assert.equal(describeDataset(small()), 'tiny (idx: 3 train / 1 test) · 3×2×2 · 5 classes');
    const named = { ...small(), classNames: ['a', 'b', 'c', 'd', 'e'] };
    assert.equal(describeDataset(named), 'tiny (idx: 3 train / 1 test) · 3×2×2 · 5 classes (a, b, c, d, e)');
    const numbered = { ...small(), classNames: ['0', '1', '2', '3', '4'] };
    assert.equal(describeDataset(numbered), 'tiny (idx: 3 train / 1 test) · 3×2×2 · 5 classes');
  });

  it('transfers exactly the data set: four buffers, moved, not copied', () => {
    for (const d of [small(), { ...small(), train: parseLibsvm('1 1:0.5\n0 2:1', 'x').split }]) {
      const buffers = datasetTransferables(d);
      assert.equal(buffers.length, 4);
      const expected = [d.train.images, d.train.labels, d.test.images, d.test.labels].map((a) => [...a]);
      const moved = structuredClone(d, { transfer: buffers });
      assert.deepEqual([moved.train.images, moved.train.labels, moved.test.images, moved.test.labels].map((a) => [...a]), expected);
      assert.equal(d.train.images.length, 0, 'the sender’s array is detached after the transfer');
    }
  });
});
