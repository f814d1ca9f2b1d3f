// Helpers for the language tests.
import assert from 'node:assert/strict';
import type { Analysis, AnalyzeOptions, Diagnostic, Range, TextEdit } from '../../../src/lang';
import { analyze } from '../../../src/lang';

export const LENET = `# LeNet-5 on MNIST — comments start with '#'
input 1x28x28            # channels x height x width ('×' also accepted)

conv 6 kernel=5 pad=2    # filters; kernel=K or KxK; stride=1 and pad=0 by default; pad=same allowed
relu
maxpool 2                # window; stride defaults to the window; avgpool likewise
conv 16 kernel=5
relu
maxpool 2
flatten
dense 120
relu
dense 84
relu
dense 10
softmax                  # softmax + cross-entropy; 'loss mse' instead gives simpleNN's squared loss

train data=mnist epochs=3 batch=64 optimizer=sgd lr=0.05 momentum=0.9 seed=1
`;

/** [startLine, startChar, endLine, endChar], 0-based, as written in expectations. */
export type RangeTuple = readonly [number, number, number, number];

export function tuple(r: Range): RangeTuple {
  return [r.start.line, r.start.character, r.end.line, r.end.character];
}

/** The one diagnostic with `code`; fails when there are none or several. */
export function only(a: Analysis, code: string): Diagnostic {
  const found = a.diagnostics.filter((d) => d.code === code);
  assert.equal(found.length, 1, `expected one '${code}', got ${found.length}: ${JSON.stringify(a.diagnostics.map((d) => `${d.code}: ${d.message}`), null, 1)}`);
  return found[0];
}

export function codes(a: Analysis): string[] {
  return a.diagnostics.map((d) => d.code);
}

function offsetOf(text: string, line: number, character: number): number {
  let offset = 0;
  for (let l = 0; l < line; l++) {
    const nl = text.indexOf('\n', offset);
    assert.ok(nl >= 0, `line ${line} is past the end of the text`);
    offset = nl + 1;
  }
  return offset + character;
}

/** Applies non-overlapping edits (positions refer to the original text), as an editor does. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const spans = edits.map((e) => ({ from: offsetOf(text, e.range.start.line, e.range.start.character), to: offsetOf(text, e.range.end.line, e.range.end.character), text: e.newText }));
  spans.sort((a, b) => b.from - a.from);
  let out = text;
  for (const s of spans) out = out.slice(0, s.from) + s.text + out.slice(s.to);
  return out;
}

export function analyzeText(text: string, options?: AnalyzeOptions): Analysis {
  return analyze(text, options);
}
