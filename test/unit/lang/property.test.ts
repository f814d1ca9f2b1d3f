// Properties over arbitrary input: analyze never throws, every range lies inside the document,
// diagnostics are sorted, codes are registered, fixes are well-formed, and layers match the spec.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Analysis, Range } from '../../../src/lang';
import { analyze, DIAGNOSTIC_CODES, STATEMENTS } from '../../../src/lang';
import { LENET } from './util';

function lineLengths(text: string): number[] {
  return text.split(/\r\n|\r|\n/).map((l) => l.length);
}

function assertInside(r: Range, lengths: number[], what: string): void {
  for (const p of [r.start, r.end]) {
    assert.ok(Number.isInteger(p.line) && p.line >= 0 && p.line < lengths.length, `${what}: line ${p.line} outside 0..${lengths.length - 1}`);
    assert.ok(Number.isInteger(p.character) && p.character >= 0 && p.character <= lengths[p.line], `${what}: character ${p.character} outside line ${p.line} (length ${lengths[p.line]})`);
  }
  assert.ok(r.start.line < r.end.line || (r.start.line === r.end.line && r.start.character <= r.end.character), `${what}: range ends before it starts`);
}

function checkInvariants(text: string): Analysis {
  const a = analyze(text, { baseDir: '/m' });
  const lengths = lineLengths(text);
  let previous: Range | null = null;
  for (const d of a.diagnostics) {
    assertInside(d.range, lengths, d.code);
    assert.ok(d.code in DIAGNOSTIC_CODES, `unregistered code ${d.code}`);
    assert.equal(d.severity, DIAGNOSTIC_CODES[d.code as keyof typeof DIAGNOSTIC_CODES], `severity of ${d.code}`);
    assert.ok(d.message.length > 0);
    for (const rel of d.related ?? []) assertInside(rel.range, lengths, `${d.code} related`);
    for (const fix of d.fixes ?? []) {
      assert.ok(fix.title.length > 0 && fix.edits.length > 0);
      for (const e of fix.edits) assertInside(e.range, lengths, `${d.code} fix`);
    }
    if (previous) {
      const order = previous.start.line - d.range.start.line || previous.start.character - d.range.start.character;
      assert.ok(order <= 0, 'diagnostics are sorted by position');
    }
    previous = d.range;
  }
  assert.equal(a.layers.length, a.spec.layers.length);
  a.layers.forEach((l, i) => {
    assert.equal(l.index, i);
    assert.equal(l.layer, a.spec.layers[i]);
    assertInside(l.layer.range, lengths, 'layer range');
    assert.ok(Number.isFinite(l.params) && l.params >= 0);
    assert.ok(Number.isFinite(l.flops) && l.flops >= 0);
  });
  for (const s of a.syntax.statements) assertInside(s.range, lengths, 'statement');
  return a;
}

const keywords = STATEMENTS.map((s) => s.keyword);
const keys = [...new Set(STATEMENTS.flatMap((s) => s.params.map((p) => p.name)))];
/** Words that look like the language, so random lines reach deep into the checker. */
const token = fc.oneof(
  fc.constantFrom(...keywords, 'Conv', 'kernal', 'same', 'true', 'mnist', 'cifar10:d', 'idx:', 'libsvm:a,b', '#', '=', '"', '×', 'x'),
  fc.constantFrom(...keys).chain((k) => fc.oneof(fc.integer({ min: -3, max: 40 }).map((n) => `${k}=${n}`), fc.constantFrom(`${k}=`, `${k}=same`, `${k}=3x2`, `${k}=0.5`, `${k}=1e-5`))),
  fc.integer({ min: -2, max: 64 }).map(String),
  fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 })).map(([c, h, w]) => `${c}x${h}x${w}`),
  fc.string({ maxLength: 6 }),
);
const line = fc.array(token, { maxLength: 6 }).map((words) => words.join(' '));
const document = fc.array(line, { maxLength: 25 }).chain((lines) => fc.constantFrom('\n', '\r\n').map((nl) => lines.join(nl)));

describe('analyze on arbitrary input', () => {
  it('never throws on random text, and every range is inside the document', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300, unit: 'grapheme' }), (text) => { checkInvariants(text); }), { numRuns: 300 });
  });

  it('never throws on random statement-like lines', () => {
    fc.assert(fc.property(document, (text) => { checkInvariants(text); }), { numRuns: 400 });
  });

  it('never throws on random mutations of LeNet-5', () => {
    const edit = fc.record({
      at: fc.nat({ max: LENET.length }),
      remove: fc.nat({ max: 12 }),
      insert: fc.oneof(fc.string({ maxLength: 8 }), token, fc.constantFrom('\n', ' ', '=', '#', '"', 'x')),
    });
    fc.assert(fc.property(fc.array(edit, { minLength: 1, maxLength: 5 }), (edits) => {
      let text = LENET;
      for (const e of edits) {
        const at = Math.min(e.at, text.length);
        text = text.slice(0, at) + e.insert + text.slice(at + e.remove);
      }
      checkInvariants(text);
    }), { numRuns: 400 });
  });

  it('an unmutated LeNet-5 passes the same invariants', () => {
    assert.equal(checkInvariants(LENET).diagnostics.length, 0);
  });
});
