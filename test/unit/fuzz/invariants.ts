// What every fuzzed model file must satisfy, through the language core and the extension's pure
// providers: nothing throws, every range lies in the document, fixes apply cleanly. checkFile runs
// it all on one text and returns how long it took.

import assert from 'node:assert/strict';
import { analyze, comparePositions, hoverMarkdown, parse, type Analysis, type LayerInfo, type Position, type Range, type TextEdit } from '../../../src/lang';
import { completionsAt } from '../../../src/extension/completions';
import { hoverAt } from '../../../src/extension/hovers';
import { statementAtLine, statementBefore, targetAt } from '../../../src/extension/locate';
import { outline, type SymbolData } from '../../../src/extension/outline';
import { layerHints, quickFixesAt, statusData } from '../../../src/extension/present';

/** The document's lines as an editor splits them (LF, CRLF and lone CR all end a line). */
export function documentLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

export function assertRange(r: Range, lines: readonly string[], what: string): void {
  for (const p of [r.start, r.end]) assertPosition(p, lines, what);
  assert.ok(r.start.line < r.end.line || (r.start.line === r.end.line && r.start.character <= r.end.character),
    `${what}: range ${JSON.stringify(r)} ends before it starts`);
}

function assertPosition(p: Position, lines: readonly string[], what: string): void {
  assert.ok(Number.isInteger(p.line) && p.line >= 0 && p.line < lines.length, `${what}: line ${p.line} outside 0..${lines.length - 1}`);
  assert.ok(Number.isInteger(p.character) && p.character >= 0 && p.character <= lines[p.line].length,
    `${what}: character ${p.character} outside line ${p.line} (length ${lines[p.line].length})`);
}

/** Checks that edits do not overlap, so VS Code can apply them together. */
export function assertApplicable(edits: readonly TextEdit[], what: string): void {
  const sorted = [...edits].sort((a, b) => comparePositions(a.range.start, b.range.start));
  for (let i = 1; i < sorted.length; i++) {
    assert.ok(comparePositions(sorted[i - 1].range.end, sorted[i].range.start) <= 0, `${what}: edits overlap`);
  }
}

/** The text after non-overlapping edits, lines joined with LF. */
export function applyEdits(lines: readonly string[], edits: readonly TextEdit[]): string {
  const offsets: number[] = [];
  let at = 0;
  for (const l of lines) { offsets.push(at); at += l.length + 1; }
  const offset = (p: Position) => offsets[p.line] + p.character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let text = lines.join('\n');
  for (const e of sorted) text = text.slice(0, offset(e.range.start)) + e.newText + text.slice(offset(e.range.end));
  return text;
}

/** Positions to probe: the start, each end of the first lines, and `picks` spread by the given numbers. */
function probePositions(lines: readonly string[], picks: readonly number[]): Position[] {
  const out: Position[] = [{ line: 0, character: 0 }];
  for (let line = 0; line < Math.min(lines.length, 3); line++) out.push({ line, character: lines[line].length });
  for (const n of picks) {
    const line = n % lines.length;
    out.push({ line, character: Math.floor(n / lines.length) % (lines[line].length + 1) });
  }
  return out;
}

/**
 * Every fix is checked; the first FIXES_APPLIED of a file under REANALYZED_CHARS are also applied
 * and the result analysed (re-analysing a huge file for each of thousands of fixes would make the suite quadratic).
 */
const FIXES_APPLIED = 8;
const REANALYZED_CHARS = 20_000;

function checkAnalysis(a: Analysis, lines: readonly string[]): void {
  let applied = lines.reduce((n, l) => n + l.length, 0) <= REANALYZED_CHARS ? 0 : FIXES_APPLIED;
  for (const d of a.diagnostics) {
    assertRange(d.range, lines, d.code);
    for (const r of d.related ?? []) assertRange(r.range, lines, `${d.code} related`);
    for (const fix of d.fixes ?? []) {
      for (const e of fix.edits) assertRange(e.range, lines, `${d.code} fix "${fix.title}"`);
      assertApplicable(fix.edits, `${d.code} fix "${fix.title}"`);
      if (applied++ < FIXES_APPLIED) analyze(applyEdits(lines, fix.edits));
    }
  }
  for (const s of a.syntax.statements) {
    assertRange(s.range, lines, 'statement');
    assertRange(s.keyword.range, lines, 'keyword');
    for (const arg of s.args) {
      assertRange(arg.range, lines, 'argument');
      if (arg.kind === 'setting') {
        assertRange(arg.key.range, lines, 'key');
        assertRange(arg.equals, lines, 'equals');
        if (arg.value) assertRange(arg.value.range, lines, 'value');
      }
    }
  }
  for (const c of a.syntax.comments) assertRange(c.range, lines, 'comment');
  for (const l of a.layers) {
    assertRange(l.layer.range, lines, 'layer');
    assert.ok(Number.isFinite(l.params) && Number.isFinite(l.flops) && Number.isFinite(l.activationBytes), 'finite figures');
    assert.equal(typeof hoverMarkdown(l), 'string');
  }
}

function checkSymbols(symbols: readonly SymbolData[], lines: readonly string[]): void {
  for (const s of symbols) {
    assertRange(s.range, lines, `symbol ${s.name}`);
    assertRange(s.selectionRange, lines, `symbol ${s.name} selection`);
    checkSymbols(s.children, lines);
  }
}

function checkProviders(a: Analysis, lines: readonly string[], picks: readonly number[], lastKnown: ReadonlyMap<number, LayerInfo>): void {
  const lineLength = (line: number) => lines[line]?.length ?? 0;
  const opts = { showParams: (picks[0] ?? 0) % 2 === 0, showFlops: (picks[1] ?? 0) % 3 !== 0 };
  const from = (picks[2] ?? 0) % lines.length;
  for (const hints of [layerHints(a.layers, opts, lineLength), layerHints(a.layers, opts, lineLength, from, from + 50, lastKnown)]) {
    for (const h of hints) {
      assertPosition(h.position, lines, 'hint');
      assert.ok(h.label.length > 0, 'hint label');
    }
  }
  const status = statusData(a);
  assert.ok(status.text.length > 0 && status.tooltip.length > 0);
  checkSymbols(outline(a), lines);
  for (const p of probePositions(lines, picks)) {
    const here: Range = { start: p, end: p };
    for (const item of completionsAt(a.syntax, lines[p.line], p)) {
      assertRange(item.range, lines, `completion ${item.label}`);
      assert.ok(item.range.start.line === p.line && item.range.end.line === p.line && item.range.end.character <= p.character,
        `completion ${item.label} replaces ${JSON.stringify(item.range)}, not text before ${JSON.stringify(p)}`);
    }
    const hover = hoverAt(a, p);
    if (hover) {
      assertRange(hover.range, lines, 'hover');
      assert.ok(hover.markdown.length > 0);
    }
    const target = targetAt(a.syntax, p);
    if (target) assertRange(target.range, lines, `target ${target.kind}`);
    statementAtLine(a.syntax, p.line);
    statementBefore(a.syntax, p.line);
    for (const q of quickFixesAt(a.diagnostics, here)) for (const e of q.fix.edits) assertRange(e.range, lines, 'quick fix');
  }
}

/**
 * Runs the language and the providers over `text`, probing positions chosen by `picks`; hints are
 * also asked with `lastKnown` as the last good figures. Returns the milliseconds it took.
 */
export function checkFile(text: string, picks: readonly number[] = [], lastKnown: ReadonlyMap<number, LayerInfo> = new Map()): number {
  const started = performance.now();
  const lines = documentLines(text);
  const parsed = parse(text);
  assert.equal(parsed.tree.lineCount, lines.length, 'the parser and the editor agree on the lines');
  const a = analyze(text, { baseDir: '/models', homeDir: '/home/u' });
  checkAnalysis(a, lines);
  checkProviders(a, lines, picks, lastKnown);
  return performance.now() - started;
}

/** The figures of a good analysis, by layer index: what the editor shows while a later edit breaks a shape. */
export function knownFigures(text: string): Map<number, LayerInfo> {
  return new Map(analyze(text).layers.filter((l) => l.output).map((l) => [l.index, l]));
}
