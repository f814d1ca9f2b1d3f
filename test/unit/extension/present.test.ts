import { strict as assert } from 'node:assert';
import type { ConvLayer, Diagnostic, LayerInfo, Range } from '../../../src/lang/spec';
import {
  countOf, flopsText, hintLabel, hintPosition, layerHints, quickFixesAt, rangesTouch, statusData,
} from '../../../src/extension/present';

const r = (line: number, from: number, to: number, endLine = line): Range =>
  ({ start: { line, character: from }, end: { line: endLine, character: to } });

const conv: ConvLayer = {
  kind: 'conv', line: 1, range: r(1, 0, 21), filters: 6, kernel: [5, 5], stride: [1, 1], pad: [2, 2], bias: true,
};
const convInfo: LayerInfo = {
  index: 0, layer: conv, input: [1, 28, 28], output: [6, 28, 28], params: 156, flops: 235_200, activationBytes: 18_816,
};
const reluInfo: LayerInfo = {
  index: 1, layer: { kind: 'relu', line: 2, range: r(2, 0, 4) }, input: [6, 28, 28], output: [6, 28, 28],
  params: 0, flops: 4704, activationBytes: 18_816,
};
const lostInfo: LayerInfo = { ...reluInfo, index: 2, layer: { kind: 'flatten', line: 4, range: r(4, 0, 7) }, output: null };

describe('extension presentation', () => {
  it('labels a layer hint with shape, params and optionally FLOPs', () => {
    assert.equal(hintLabel(convInfo, { showParams: true, showFlops: false }), '→ 6×28×28 · 156 params');
    assert.equal(hintLabel(convInfo, { showParams: false, showFlops: false }), '→ 6×28×28');
    assert.equal(hintLabel(convInfo, { showParams: true, showFlops: true }), '→ 6×28×28 · 156 params · 235 kFLOPs');
    // Layers without parameters do not say "0 params".
    assert.equal(hintLabel(reluInfo, { showParams: true, showFlops: false }), '→ 6×28×28');
    assert.equal(hintLabel(lostInfo, { showParams: true, showFlops: true }), null);
  });

  it('formats counts and FLOPs', () => {
    assert.equal(countOf(1, 'param'), '1 param');
    assert.equal(countOf(61_706, 'param'), '61,706 params');
    assert.equal(flopsText(784), '784 FLOPs');
    assert.equal(flopsText(1_223_334), '1.22 MFLOPs');
  });

  it('marks provisional and stale shapes with ≈ instead of the arrow', () => {
    const guessed: LayerInfo = { ...reluInfo, provisional: { line: 1, reason: 'assuming line 2 (`c`) is skipped' } };
    assert.equal(hintLabel(guessed, { showParams: true, showFlops: false }), '≈ 6×28×28');
    assert.equal(hintLabel(convInfo, { showParams: true, showFlops: false }, true), '≈ 6×28×28 · 156 params');
  });

  it('puts a hint at the end of its line, after a trailing comment, so the comment keeps its place', () => {
    assert.deepEqual(hintPosition({ line: 3, character: 21 }, 95), { line: 3, character: 95 });
    assert.deepEqual(hintPosition({ line: 4, character: 4 }, 4), { line: 4, character: 4 });
  });

  it('gives one hint per known shape on the lines in range, at the end of each line', () => {
    // conv's statement ends at 21 and a comment follows; relu's line is just the statement.
    const lengths = [13, 40, 4, 0, 7];
    const hints = layerHints([convInfo, reluInfo, lostInfo], { showParams: true, showFlops: false }, (l) => lengths[l]!);
    assert.deepEqual(hints, [
      { position: { line: 1, character: 40 }, label: '→ 6×28×28 · 156 params', layerIndex: 0, shown: convInfo },
      { position: { line: 2, character: 4 }, label: '→ 6×28×28', layerIndex: 1, shown: reluInfo },
    ]);
    assert.deepEqual(layerHints([convInfo, reluInfo], { showParams: true, showFlops: false }, (l) => lengths[l]!, 2, 3).map((h) => h.layerIndex), [1]);
  });

  it('explains tentative hints, and shows the last known figures of a layer whose shape is lost', () => {
    const lengths = [13, 40, 4, 0, 7];
    const guessed: LayerInfo = { ...reluInfo, provisional: { line: 1, reason: 'assuming line 2 (`c`) is skipped' } };
    const lastKnown = new Map([[2, { ...lostInfo, output: [1176] as const }]]);
    const hints = layerHints([convInfo, guessed, lostInfo], { showParams: true, showFlops: false }, (l) => lengths[l]!, 0, 9, lastKnown);
    assert.deepEqual(hints.map((h) => [h.label, h.note]), [
      ['→ 6×28×28 · 156 params', undefined],
      ['≈ 6×28×28', '*Provisional*: assuming line 2 (`c`) is skipped.'],
      ['≈ 1176', '*Last known shape*: line 5 has a shape error, so this is the shape before it.'],
    ]);
    assert.equal(hints[2]!.shown, lastKnown.get(2));
  });

  it('summarises the model for the status bar', () => {
    const ok = statusData({ diagnostics: [], totalParams: 61_706, outputShape: [10] });
    assert.equal(ok.text, '$(symbol-array) 61,706 params → 10');
    assert.equal(ok.kind, 'ok');
    const warning: Diagnostic = { range: r(0, 0, 1), severity: 'warning', code: 'w', message: 'w' };
    const error: Diagnostic = { range: r(0, 0, 1), severity: 'error', code: 'e', message: 'e' };
    assert.equal(statusData({ diagnostics: [warning], totalParams: 1, outputShape: [10] }).kind, 'warning');
    const bad = statusData({ diagnostics: [error, warning, error], totalParams: 0, outputShape: null });
    assert.equal(bad.text, '$(error) 2 errors  $(warning) 1');
    assert.equal(bad.kind, 'error');
    assert.match(bad.tooltip, /2 errors and 1 warning\b/);
  });

  it('gives the status bar an accessible name without codicon names, and a click that fits', () => {
    const ok = statusData({ diagnostics: [], totalParams: 61_706, outputShape: [10] });
    assert.equal(ok.ariaLabel, 'ConvLab model: 61,706 params, output 10');
    assert.equal(ok.click, 'outline');
    const warning: Diagnostic = { range: r(0, 0, 1), severity: 'warning', code: 'w', message: 'w' };
    const warned = statusData({ diagnostics: [warning], totalParams: 1, outputShape: [10] });
    assert.equal(warned.ariaLabel, 'ConvLab model: 1 param, output 10, 1 warning');
    assert.equal(warned.click, 'problems');
    const error: Diagnostic = { ...warning, severity: 'error' };
    const bad = statusData({ diagnostics: [error, warning], totalParams: 0, outputShape: null });
    assert.equal(bad.ariaLabel, 'ConvLab model: 1 error and 1 warning');
    assert.equal(bad.click, 'problems');
    for (const s of [ok, warned, bad]) assert.doesNotMatch(s.ariaLabel, /\$\(|symbol-array|warning\)/);
  });

  it('treats touching ranges (and a cursor at either end) as overlapping', () => {
    assert.ok(rangesTouch(r(1, 4, 9), r(1, 9, 9)));
    assert.ok(rangesTouch(r(1, 4, 9), r(1, 4, 4)));
    assert.ok(rangesTouch(r(1, 4, 9), r(0, 0, 2, 3)));
    assert.ok(!rangesTouch(r(1, 4, 9), r(1, 10, 12)));
    assert.ok(!rangesTouch(r(1, 4, 9), r(2, 0, 0)));
  });

  it('offers the fixes of the diagnostics at the cursor, the first one preferred', () => {
    const fixA = { title: 'Use pad=2', edits: [{ range: r(1, 10, 15), newText: 'pad=2' }] };
    const fixB = { title: 'Use kernel=4', edits: [{ range: r(1, 5, 13), newText: 'kernel=4' }] };
    const d1: Diagnostic = { range: r(1, 5, 20), severity: 'error', code: 'conv', message: 'bad conv', fixes: [fixA, fixB] };
    const d2: Diagnostic = { range: r(3, 0, 4), severity: 'error', code: 'other', message: 'other', fixes: [fixA] };
    const d3: Diagnostic = { range: r(1, 0, 30), severity: 'warning', code: 'nofix', message: 'no fix' };
    const at = quickFixesAt([d1, d2, d3], r(1, 7, 7));
    assert.deepEqual(at.map((q) => [q.fix.title, q.isPreferred, q.diagnostic.code]), [
      ['Use pad=2', true, 'conv'], ['Use kernel=4', false, 'conv'],
    ]);
    assert.deepEqual(quickFixesAt([d1, d2, d3], r(5, 0, 0)), []);
  });
});
