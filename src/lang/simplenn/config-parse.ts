// Reads a simpleNN `.config` file: one MATLAB assignment per line, `name = value;`, where value is a
// number or a vector `[a,b,c]` / `[a b c]` / `[a;b;c]`, and `%` starts a comment. simpleNN itself
// `eval`s each line; this reads the same subset of MATLAB as data, never as code, and keeps the
// exact range of every name and entry for diagnostics, hints and fixes.

import type { Diagnostic, Range } from '../spec';
import { suggest } from '../suggest';
import { range, splitLines } from '../text';
import { CONFIG_FIELDS, configFieldInfo } from './config-fields';

/** One entry of a value, as written and as a number (NaN when it is not a number literal). */
export interface ConfigEntry {
  readonly text: string;
  readonly value: number;
  readonly range: Range;
}

export interface ConfigAssignment {
  readonly name: string;
  readonly nameRange: Range;
  /** The value as written, brackets included. */
  readonly valueRange: Range;
  /** `name = value;` without the comment. */
  readonly range: Range;
  readonly entries: readonly ConfigEntry[];
  /** Written in brackets (a vector, possibly of one entry). */
  readonly bracketed: boolean;
  readonly line: number;
}

export interface ConfigFile {
  /** Known fields, first occurrence of each (simpleNN keeps the last; a duplicate is an error here). */
  readonly fields: ReadonlyMap<string, ConfigAssignment>;
  /** Every assignment read, known or not, in order. */
  readonly assignments: readonly ConfigAssignment[];
  readonly lines: readonly string[];
}

export interface ConfigParse {
  readonly file: ConfigFile;
  readonly diagnostics: readonly Diagnostic[];
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NAME = /^[A-Za-z_]\w*/;

export function parseConfig(text: string): ConfigParse {
  const lines = splitLines(text);
  const diagnostics: Diagnostic[] = [];
  const assignments: ConfigAssignment[] = [];
  const fields = new Map<string, ConfigAssignment>();
  lines.forEach((lineText, line) => {
    const assignment = parseLine(lineText, line, diagnostics);
    if (!assignment) return;
    assignments.push(assignment);
    const info = configFieldInfo(assignment.name);
    if (!info) {
      diagnostics.push(unknownField(assignment));
      return;
    }
    const first = fields.get(assignment.name);
    if (first) diagnostics.push(duplicateField(assignment, first));
    else fields.set(assignment.name, assignment);
  });
  return { file: { fields, assignments, lines }, diagnostics };
}

/** Where the line's comment starts (its length when it has none). */
function codeEnd(lineText: string): number {
  const at = lineText.indexOf('%');
  return at < 0 ? lineText.length : at;
}

class Cursor {
  constructor(readonly text: string, public at: number, readonly end: number) {}
  skipSpace(): void {
    while (this.at < this.end && /[ \t]/.test(this.text[this.at])) this.at++;
  }
  peek(): string | undefined {
    return this.at < this.end ? this.text[this.at] : undefined;
  }
}

function parseLine(lineText: string, line: number, diagnostics: Diagnostic[]): ConfigAssignment | null {
  const end = codeEnd(lineText);
  const c = new Cursor(lineText, 0, end);
  c.skipSpace();
  if (c.at === end) return null;
  const syntax = (from: number, to: number, message: string) => {
    diagnostics.push({ range: range(line, from, Math.max(to, from)), severity: 'error', code: 'config-syntax', message: `line ${line + 1}: ${message}` });
    return null;
  };
  const nameMatch = NAME.exec(lineText.slice(c.at, end));
  if (!nameMatch) return syntax(c.at, end, `expected \`name = value;\`, found \`${lineText.slice(c.at, end).trim()}\``);
  const nameStart = c.at;
  const name = nameMatch[0];
  c.at += name.length;
  c.skipSpace();
  if (c.peek() !== '=') return syntax(nameStart, end, `expected \`=\` after \`${name}\` (a line is \`name = value;\`)`);
  c.at++;
  c.skipSpace();
  if (c.at === end || c.peek() === ';') return syntax(nameStart, end, `\`${name} =\` has no value`);
  const valueStart = c.at;
  const value = c.peek() === '[' ? readVector(c, line, syntax) : readScalar(c, line);
  if (!value) return null;
  const valueEnd = c.at;
  c.skipSpace();
  const statementEnd = c.peek() === ';' ? ++c.at : valueEnd;
  c.skipSpace();
  if (c.at < end) {
    const rest = lineText.slice(c.at, end).trimEnd();
    const why = /^[A-Za-z_]\w*\s*=/.test(rest)
      ? 'one assignment per line: simpleNN reads each line as one field, so a second assignment on it is lost'
      : `unexpected \`${rest}\` after the value of \`${name}\``;
    return syntax(c.at, c.at + rest.length, why);
  }
  for (const entry of value.entries) {
    if (Number.isNaN(entry.value)) {
      diagnostics.push({
        range: entry.range, severity: 'error', code: 'not-a-number',
        message: `${name} (line ${line + 1}): \`${entry.text}\` is not a number; a .config holds number literals only (it is read, not evaluated)`,
      });
    }
  }
  return {
    name, nameRange: range(line, nameStart, nameStart + name.length), valueRange: range(line, valueStart, valueEnd),
    range: range(line, nameStart, statementEnd), entries: value.entries, bracketed: value.bracketed, line,
  };
}

function entry(text: string, line: number, start: number): ConfigEntry {
  return { text, value: NUMBER.test(text) ? Number(text) : NaN, range: range(line, start, start + text.length) };
}

function readScalar(c: Cursor, line: number): { entries: ConfigEntry[]; bracketed: boolean } {
  const start = c.at;
  while (c.at < c.end && !/[\s;]/.test(c.text[c.at])) c.at++;
  return { entries: [entry(c.text.slice(start, c.at), line, start)], bracketed: false };
}

function readVector(
  c: Cursor, line: number, syntax: (from: number, to: number, message: string) => null,
): { entries: ConfigEntry[]; bracketed: boolean } | null {
  const open = c.at;
  c.at++;
  const entries: ConfigEntry[] = [];
  for (;;) {
    while (c.at < c.end && /[\s,;]/.test(c.text[c.at])) c.at++;
    const ch = c.peek();
    if (ch === undefined) return syntax(open, c.end, 'the `[` has no closing `]`');
    if (ch === ']') {
      c.at++;
      return { entries, bracketed: true };
    }
    if (ch === '[') return syntax(c.at, c.at + 1, 'nested `[` inside a vector');
    const start = c.at;
    while (c.at < c.end && !/[\s,;\][]/.test(c.text[c.at])) c.at++;
    entries.push(entry(c.text.slice(start, c.at), line, start));
  }
}

function unknownField(a: ConfigAssignment): Diagnostic {
  const guess = suggest(a.name, CONFIG_FIELDS.map((f) => ({ name: f.name })));
  return {
    range: a.nameRange, severity: 'warning', code: 'config-unknown-field',
    message: `line ${a.line + 1}: \`${a.name}\` is not a simpleNN .config field${guess ? `; did you mean \`${guess}\`?` : ''} (simpleNN would keep it but never read it)`,
    ...(guess ? { fixes: [{ title: `Change to \`${guess}\``, edits: [{ range: a.nameRange, newText: guess }] }] } : {}),
  };
}

function duplicateField(a: ConfigAssignment, first: ConfigAssignment): Diagnostic {
  return {
    range: a.nameRange, severity: 'error', code: 'config-duplicate-field',
    message: `line ${a.line + 1}: \`${a.name}\` is already set on line ${first.line + 1}; simpleNN would silently use this later value, ConvLab uses the first — keep one`,
    related: [{ range: first.range, message: `\`${a.name}\` is first set here` }],
  };
}
