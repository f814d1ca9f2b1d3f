// Writing the panel's values back into the `train` line.

import * as assert from 'node:assert/strict';
import { trainSettingEdits, type TextEdit } from '../../../src/lang';

/** Applies non-overlapping edits (as an editor does) to text. */
function apply(text: string, edits: readonly TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}

const MODEL = 'input 1x28x28\nflatten\ndense 10\nsoftmax\n';

describe('lang: writing settings back into the train line', () => {
  it('replaces written values in place, keeping the rest of the line and its comment', () => {
    const text = `${MODEL}train data=mnist epochs=3 batch=8 lr=0.005 seed=1  # quick run\n`;
    assert.equal(apply(text, trainSettingEdits(text, { epochs: 5, batch: 32, lr: 0.01 })),
      `${MODEL}train data=mnist epochs=5 batch=32 lr=0.01 seed=1  # quick run\n`);
  });

  it('recognises aliases and appends what is not written', () => {
    const text = `${MODEL}train batch_size=8 learning_rate=0.1\n`;
    assert.equal(apply(text, trainSettingEdits(text, { epochs: 2, batch: 16, lr: 0.05 })),
      `${MODEL}train batch_size=16 learning_rate=0.05 epochs=2\n`);
  });

  it('adds a train line to a model without one, and changes nothing when nothing is asked', () => {
    assert.equal(apply(MODEL, trainSettingEdits(MODEL, { epochs: 4 })), `${MODEL}train epochs=4\n`);
    assert.equal(apply('input 1x4x4', trainSettingEdits('input 1x4x4', { lr: 0.5 })), 'input 1x4x4\ntrain lr=0.5\n');
    assert.deepEqual(trainSettingEdits(MODEL, {}), []);
  });

  it('writes numbers as a person would and fills a key that has no value yet', () => {
    const text = `${MODEL}train lr= epochs=1\n`;
    assert.equal(apply(text, trainSettingEdits(text, { lr: 0.1 + 0.2 })), `${MODEL}train lr=0.3 epochs=1\n`);
  });
});
