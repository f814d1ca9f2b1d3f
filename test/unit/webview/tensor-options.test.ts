// The histogram menu lists exactly the tensors the engine reports.
import * as assert from 'node:assert/strict';
import { chosenTensor, tensorOptions } from '../../../src/webview/lib/tensor-options';

const layers = [
  { index: 0, kind: 'conv', text: 'conv 6 kernel=5 bias=false', output: [6, 24, 24], params: 150 },
  { index: 3, kind: 'dense', text: 'dense 10', output: [10], params: 8650 },
];

describe('gradient histogram tensor menu', () => {
  it('offers only tensors that exist: a bias-less conv offers no bias', () => {
    const options = tensorOptions(['layers.0.weight', 'layers.3.weight', 'layers.3.bias'], layers);
    assert.deepEqual(options.map((o) => o.value), ['layers.0.weight', 'layers.3.weight', 'layers.3.bias']);
    assert.deepEqual(options.map((o) => o.label), ['#0 conv 6 kernel=5 bias=false · weight', '#3 dense 10 · weight', '#3 dense 10 · bias']);
  });

  it('keeps the current choice while it exists, else the first tensor; never another one silently', () => {
    const options = tensorOptions(['layers.0.weight', 'layers.3.weight'], layers);
    assert.equal(chosenTensor(options, 'layers.3.weight'), 'layers.3.weight');
    assert.equal(chosenTensor(options, 'layers.0.bias'), 'layers.0.weight');
    assert.equal(chosenTensor([], 'layers.0.weight'), undefined);
  });
});
