// Fixes for fractional outputs: the nearest pad and/or stride (window for pooling) that makes every
// axis whole, per axis when height and width differ. Each fix must remove the warning.
import assert from 'node:assert/strict';
import { analyze } from '../../../src/lang';
import { applyEdits, only } from './util';

const TAIL = '\nflatten\ndense 10\ntrain data=idx:d';

function check(text: string, code: string, message: string, fixes: [string, string][]): void {
  const d = only(analyze(text), code);
  assert.equal(d.message, message);
  assert.deepEqual(d.fixes?.map((f) => f.title) ?? [], fixes.map(([title]) => title));
  d.fixes?.forEach((fix, i) => {
    const fixed = applyEdits(text, fix.edits);
    assert.equal(fixed.split('\n')[1], fixes[i][1]);
    assert.ok(!analyze(fixed).diagnostics.some((x) => x.code === code), `${fix.title} leaves ${code}`);
  });
}

describe('fixes for fractional outputs', () => {
  it('offers the nearest pad and the nearest stride when both exist', () => {
    check(`input 1x28x28\nconv 4 kernel=5 stride=3${TAIL}`, 'conv-non-integer-output',
      'conv (line 2): output height and width (28 + 2·0 − 5)/3 + 1 ≈ 8.67 are not integers; the last 2 rows and 2 columns are dropped — pad=2 would give 10×10, stride=1 would give 24×24',
      [['Use pad=2 (output 10×10)', 'conv 4 kernel=5 stride=3 pad=2'], ['Use stride=1 (output 24×24)', 'conv 4 kernel=5 stride=1']]);
  });

  it('changes only the fractional axis of a non-square input', () => {
    check(`input 1x28x27\nconv 4 kernel=3 stride=2${TAIL}`, 'conv-non-integer-output',
      'conv (line 2): output height (28 + 2·0 − 3)/2 + 1 = 13.5 is not an integer; the last row is dropped — stride=1x2 would give 26×13',
      [['Use stride=1x2 (output 26×13)', 'conv 4 kernel=3 stride=1x2']]);
  });

  it('names both axes when their arithmetic differs', () => {
    check(`input 1x28x30\nconv 4 kernel=5 stride=4${TAIL}`, 'conv-non-integer-output',
      'conv (line 2): output height (28 + 2·0 − 5)/4 + 1 = 6.75 and width (30 + 2·0 − 5)/4 + 1 = 7.25 are not integers; the last 3 rows and 1 column are dropped — stride=1x5 would give 24×6',
      [['Use stride=1x5 (output 24×6)', 'conv 4 kernel=5 stride=1x5']]);
  });

  it('replaces pad=same with a number when the pad changes', () => {
    check(`input 1x29x29\nconv 4 kernel=5 pad=same stride=3${TAIL}`, 'conv-non-integer-output',
      'conv (line 2): output height and width (29 + 2·2 − 5)/3 + 1 ≈ 10.33 are not integers; the last row and column are dropped — pad=3 would give 11×11, stride=4 would give 8×8',
      [['Use pad=3 (output 11×11)', 'conv 4 kernel=5 pad=3 stride=3'], ['Use stride=4 (output 8×8)', 'conv 4 kernel=5 pad=same stride=4']]);
  });

  it('pooling with a written stride: the nearest window, or the nearest stride', () => {
    check(`input 1x26x26\nmaxpool 3 stride=2${TAIL}`, 'pool-window-not-tiling',
      'maxpool (line 2): the 3×3 window with stride 2 does not tile the 26×26 input: output height and width (26 − 3)/2 + 1 = 12.5 are not integers; the last row and column are dropped — window=4 would give 12×12, stride=1 would give 24×24',
      [['Use window=4 (output 12×12)', 'maxpool 4 stride=2'], ['Use stride=1 (output 24×24)', 'maxpool 3 stride=1']]);
  });

  it('pooling that does not tile and has no dividing window near: an overlapping window keeping the stride, never a stride that skips inputs', () => {
    check(`input 1x11x11\nmaxpool 2${TAIL}`, 'pool-window-not-tiling',
      'maxpool (line 2): the 2×2 window with stride 2 does not tile the 11×11 input: output height and width (11 − 2)/2 + 1 = 5.5 are not integers; the last row and column are dropped — window=3 stride=2 would give 5×5, stride=1 would give 10×10',
      [['Use window=3 stride=2 (output 5×5)', 'maxpool 3 stride=2'], ['Use stride=1 (output 10×10)', 'maxpool 2 stride=1']]);
  });

  it('a kernel larger than the map: a smaller usual kernel first, then padding', () => {
    const text = `input 1x13x13\nconv 4 kernel=15${TAIL}`;
    const d = only(analyze(text), 'window-too-large');
    assert.deepEqual(d.fixes!.map((f) => f.title), ['Use kernel=7 (output 7×7)', 'Use pad=1 (output 1×1)']);
    assert.equal(applyEdits(text, d.fixes![0].edits).split('\n')[1], 'conv 4 kernel=7');
    const tiny = only(analyze(`input 1x2x2\nconv 4 kernel=3${TAIL}`), 'window-too-large');
    assert.equal(tiny.fixes![0].title, 'Use kernel=2 (output 1×1)');
  });

  it('keeps the output of a fractional layer (PyTorch floors) and checks the layers after it', () => {
    const a = analyze(`input 1x28x28\nconv 4 kernel=5 stride=3${TAIL}`);
    assert.deepEqual(a.layers.map((l) => l.output), [[4, 8, 8], [256], [10]]);
  });
});
