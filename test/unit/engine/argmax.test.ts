// The predicted-class rule shared by confusion matrices, the panel and (in spirit) the loss kernels.

import * as assert from 'node:assert/strict';
import { argmaxColumn } from '../../../src/engine/argmax';

describe('argmaxColumn', () => {
  it('finds the largest entry of a vector, the first one on ties', () => {
    assert.equal(argmaxColumn([0.1, 0.7, 0.2], 3), 1);
    assert.equal(argmaxColumn([0.4, 0.1, 0.4, 0.1], 4), 0);
    assert.equal(argmaxColumn([-3, -1, -1], 3), 1);
    assert.equal(argmaxColumn(new Float32Array([5]), 1), 0);
  });

  it('reads one column of a classes × n matrix', () => {
    // 3 classes × 2 examples: column 0 is [1, 9, 4], column 1 is [8, 2, 8].
    const scores = [1, 8, 9, 2, 4, 8];
    assert.equal(argmaxColumn(scores, 3, 2, 0), 1);
    assert.equal(argmaxColumn(scores, 3, 2, 1), 0);
  });
});
