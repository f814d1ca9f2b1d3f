// A stray label is reported by the trainer as that example and value, not as a class count.
import * as assert from 'node:assert/strict';
import { CpuBackend } from '../../../../src/engine/cpu/backend';
import { Trainer } from '../../../../src/engine/train';
import { blocks, blocksSpec } from '../blocks';

describe('trainer: a label outside the model\'s classes', () => {
  it('names the split, the example and the value', () => {
    const labels = blocks.train.labels.slice();
    labels[17] = 42;
    const dataset = { ...blocks, classes: 43, train: { ...blocks.train, labels } };
    assert.throws(() => new Trainer({ spec: blocksSpec, dataset, backend: new CpuBackend({ precision: 'f32' }), onEvent: () => {} }),
      /training example 17 \(counting from 0\) has label 42, but the model outputs 3 class scores, so labels must be 0\.\.2/);
  });
});
