// Labels and indices are checked alike on every backend: a value that is not a u32 is refused at
// write, and a label outside the classes is refused by the loss, naming the example and value.

import * as assert from 'node:assert/strict';
import { forEachBackend } from '../../backends';

forEachBackend('u32 tensors', (backend) => {
  it('refuses writes of values that are not u32s, naming the index', () => {
    const b = backend.create();
    try {
      const t = b.indices(3);
      assert.throws(() => b.write(t, [0, -1, 2]), /value -1 at index 1 is not a u32/);
      assert.throws(() => b.write(t, [1.5]), /value 1.5 at index 0 is not a u32/);
      b.write(t, Uint32Array.of(4, 5, 6));
    } finally { b.destroy(); }
  });

  it('refuses a label outside the classes in both losses, naming the example and the label', () => {
    const b = backend.create();
    try {
      const labels = b.indices(2);
      b.write(labels, [1, 42]);
      const logits = b.zeros(10 * 2), probs = b.zeros(10 * 2), metrics = b.zeros(3);
      assert.throws(() => b.softmaxCrossEntropy(logits, labels, probs, null, metrics, 10, 2),
        /label 42 of example 1 is not below 10 classes/);
      assert.throws(() => b.mseLoss(logits, labels, null, metrics, 10, 2), /label 42 of example 1 is not below 10 classes/);
      b.write(labels, [3], 1);
      b.softmaxCrossEntropy(logits, labels, probs, null, metrics, 10, 2);
    } finally { b.destroy(); }
  });
});
