// Positions, ranges and line handling shared by the parser and the checkers.
// Offsets are UTF-16 code units, as in VS Code and LSP, which is what JavaScript string indices are.

import type { Position, Range, TextEdit } from './spec';
import type { Statement } from './syntax';

/** "conv (line 5)": how messages name a statement. */
export function where(statement: Statement): string {
  return `${statement.keyword.text} (line ${statement.firstLine + 1})`;
}

export function pos(line: number, character: number): Position {
  return { line, character };
}

export function range(line: number, start: number, end: number): Range {
  return { start: pos(line, start), end: pos(line, end) };
}

export function spanning(from: Range, to: Range): Range {
  return { start: from.start, end: to.end };
}

export function comparePositions(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}

export function compareRanges(a: Range, b: Range): number {
  return comparePositions(a.start, b.start) || comparePositions(a.end, b.end);
}

/** Splits like VS Code does: on \r\n, \n and lone \r. */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** The line's leading whitespace, reused when a fix inserts a line next to it. */
export function indentation(lineText: string): string {
  return /^[ \t]*/.exec(lineText)![0];
}

export function replace(r: Range, newText: string): TextEdit {
  return { range: r, newText };
}

export function insert(at: Position, newText: string): TextEdit {
  return { range: { start: at, end: at }, newText };
}

/** Deletes whole lines first..last, including their line break (or the preceding one at the end of the file). */
export function deleteLines(lines: readonly string[], first: number, last: number): TextEdit {
  if (last + 1 < lines.length) return replace({ start: pos(first, 0), end: pos(last + 1, 0) }, '');
  if (first > 0) return replace({ start: pos(first - 1, lines[first - 1].length), end: pos(last, lines[last].length) }, '');
  return replace({ start: pos(first, 0), end: pos(last, lines[last].length) }, '');
}
