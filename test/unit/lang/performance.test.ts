// analyze runs on every keystroke. Its speed is measured by `npm run bench` (workload `lang`: a
// 1,000-line model against a 5 ms median budget), never here: a timed test flakes on a loaded machine.
// This checks the benchmark's model is what it claims to be, so the figure means something.
import assert from 'node:assert/strict';
import { largeModel } from '../../../src/cli/bench-lang';
import { analyze } from '../../../src/lang';

describe('the lang benchmark model', () => {
  it('is a valid 1,000-line model with a layer on almost every line', () => {
    const text = largeModel(1000);
    assert.equal(text.split('\n').length, 1000);
    const a = analyze(text);
    assert.equal(a.syntax.statements.length, 999);
    assert.deepEqual(a.diagnostics, []);
    assert.equal(a.layers.length, 997);
    assert.deepEqual(a.outputShape, [10]);
  });
});
