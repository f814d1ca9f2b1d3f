// The tensor names layers, optimizers and checkpoints share (src/engine/tensor-names.ts).
import * as assert from 'node:assert/strict';
import { layerIndexOf, optimizerStateName, paramName } from '../../../src/engine/tensor-names';

describe('tensor names', () => {
  it('names tensors by layer index and optimizer slot', () => {
    assert.equal(paramName(3, 'weight'), 'layers.3.weight');
    assert.equal(optimizerStateName(paramName(0, 'bias'), 'adam_v'), 'optim.layers.0.bias.adam_v');
  });

  it('reads the layer index back from a layer tensor name, and only from one', () => {
    assert.equal(layerIndexOf(paramName(12, 'running_var')), 12);
    assert.equal(layerIndexOf('layers.0.bias'), 0);
    assert.equal(layerIndexOf(optimizerStateName('layers.4.weight', 'momentum')), null);
    assert.equal(layerIndexOf('layers.x.weight'), null);
    assert.equal(layerIndexOf('layers.7'), null);
  });
});
