// The syntax of a `.cnn` file: line-oriented statements `keyword arg… key=value…`, `#` comments.
//
// The parser never fails: it turns any text into statements with exact token ranges and reports
// what it could not make sense of as diagnostics, so one bad line never hides the others.
// Meaning (which keywords and keys exist, what values are valid) is checked later, against the catalog.

import type { Diagnostic, Range } from './spec';
import { range, spanning, splitLines } from './text';

/** A piece of source text and where it is. */
export interface Token {
  readonly text: string;
  readonly range: Range;
}

/** A value as written. `text` has any double quotes removed (`data="idx:my data"`); `range` covers the quotes. */
export interface ValueToken extends Token {
  readonly quoted: boolean;
}

/** A bare argument, e.g. `6` in `conv 6`. */
export interface PositionalArgument {
  readonly kind: 'positional';
  readonly value: ValueToken;
  readonly range: Range;
}

/** `key=value` (spaces around `=` are allowed). `value` is null when nothing follows the `=`. */
export interface SettingArgument {
  readonly kind: 'setting';
  readonly key: Token;
  readonly equals: Range;
  readonly value: ValueToken | null;
  readonly range: Range;
}

export type Argument = PositionalArgument | SettingArgument;

export interface Statement {
  readonly keyword: Token;
  readonly args: readonly Argument[];
  /** From the keyword to the last argument, comments excluded; spans continuation lines. */
  readonly range: Range;
  readonly firstLine: number;
  readonly lastLine: number;
}

export interface SyntaxTree {
  readonly statements: readonly Statement[];
  readonly comments: readonly Token[];
  readonly lineCount: number;
}

export interface ParseResult {
  readonly tree: SyntaxTree;
  readonly diagnostics: readonly Diagnostic[];
}

export function parse(text: string): ParseResult {
  return parseLines(splitLines(text));
}

export function parseLines(lines: readonly string[]): ParseResult {
  const statements: MutableStatement[] = [];
  const comments: Token[] = [];
  const diagnostics: Diagnostic[] = [];

  for (let line = 0; line < lines.length; line++) {
    const { words, comment } = scanLine(lines[line], line, diagnostics);
    if (comment) comments.push(comment);
    const items = groupArguments(words, line, diagnostics);
    if (items.length === 0) continue;

    const first = items[0];
    if (first.kind === 'positional') {
      statements.push({ keyword: { text: first.value.text, range: first.range }, args: items.slice(1), firstLine: line, lastLine: line });
      continue;
    }
    // A line that starts with key=value continues the statement above it (multi-line `train`).
    const previous = statements[statements.length - 1];
    if (previous) {
      for (const item of items) previous.args.push(item);
      previous.lastLine = line;
      continue;
    }
    diagnostics.push({
      range: spanning(first.range, items[items.length - 1].range),
      severity: 'error',
      code: 'orphan-setting',
      message: `line ${line + 1}: \`${first.key.text}=…\` continues a statement, but no statement comes before it; start the line with a keyword such as \`train\``,
    });
  }

  return {
    tree: { statements: statements.map(freeze), comments, lineCount: lines.length },
    diagnostics,
  };
}

interface MutableStatement {
  keyword: Token;
  args: Argument[];
  firstLine: number;
  lastLine: number;
}

function freeze(s: MutableStatement): Statement {
  const last = s.args.length > 0 ? s.args[s.args.length - 1].range : s.keyword.range;
  return { keyword: s.keyword, args: s.args, range: spanning(s.keyword.range, last), firstLine: s.firstLine, lastLine: s.lastLine };
}

/** A whitespace-separated word; `raw` keeps quotes, `start`/`end` are character offsets. */
interface Word {
  readonly raw: string;
  readonly start: number;
  readonly end: number;
}

function scanLine(text: string, line: number, diagnostics: Diagnostic[]): { words: Word[]; comment: Token | null } {
  const words: Word[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (isSpace(ch)) { i++; continue; }
    if (ch === '#') return { words, comment: { text: text.slice(i), range: range(line, i, text.length) } };
    const start = i;
    let quoteStart = -1;
    while (i < text.length) {
      const c = text[i];
      if (quoteStart >= 0) {
        if (c === '"') quoteStart = -1;
      } else if (c === '"') {
        quoteStart = i;
      } else if (isSpace(c) || c === '#') {
        break;
      }
      i++;
    }
    if (quoteStart >= 0) {
      diagnostics.push({
        range: range(line, quoteStart, text.length),
        severity: 'error',
        code: 'unterminated-string',
        message: `line ${line + 1}: the string starting at column ${quoteStart + 1} has no closing \`"\``,
        fixes: [{ title: 'Close the string', edits: [{ range: range(line, text.length, text.length), newText: '"' }] }],
      });
    }
    words.push({ raw: text.slice(start, i), start, end: i });
  }
  return { words, comment: null };
}

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\f' || ch === '\v' || ch === '\u00a0' || ch === '\ufeff';
}

/** Index of the first `=` outside double quotes, or -1. */
function unquotedEquals(raw: string): number {
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === '"') quoted = !quoted;
    else if (raw[i] === '=' && !quoted) return i;
  }
  return -1;
}

function valueToken(raw: string, line: number, start: number): ValueToken {
  const quoted = raw.includes('"');
  return { text: quoted ? raw.replace(/"/g, '') : raw, range: range(line, start, start + raw.length), quoted };
}

/**
 * Turns a line's words into arguments, joining `key = value`, `key= value` and `key =value`
 * into one setting so that spacing around `=` never matters.
 */
function groupArguments(words: readonly Word[], line: number, diagnostics: Diagnostic[]): Argument[] {
  const args: Argument[] = [];
  const equalsAt = words.map((w) => unquotedEquals(w.raw));
  const canBeValue = (i: number) => i < words.length && equalsAt[i] < 0;

  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    const eq = equalsAt[i];
    const next = words[i + 1];

    if (eq < 0 && next && equalsAt[i + 1] === 0) {
      // `key =value` or `key = value`
      const key: Token = { text: word.raw, range: range(line, word.start, word.end) };
      const equals = range(line, next.start, next.start + 1);
      let value: ValueToken | null = null;
      if (next.raw.length > 1) {
        value = valueToken(next.raw.slice(1), line, next.start + 1);
        i += 1;
      } else if (canBeValue(i + 2)) {
        const v = words[i + 2];
        value = valueToken(v.raw, line, v.start);
        i += 2;
      } else {
        i += 1;
      }
      args.push(setting(key, equals, value));
      continue;
    }

    if (eq < 0) {
      const value = valueToken(word.raw, line, word.start);
      args.push({ kind: 'positional', value, range: value.range });
      continue;
    }

    if (eq === 0) {
      diagnostics.push({
        range: range(line, word.start, word.end),
        severity: 'error',
        code: 'malformed-setting',
        message: `line ${line + 1}: \`${word.raw}\` has no name before \`=\`; write settings as key=value`,
      });
      continue;
    }

    const key: Token = { text: word.raw.slice(0, eq), range: range(line, word.start, word.start + eq) };
    const equals = range(line, word.start + eq, word.start + eq + 1);
    let value: ValueToken | null = null;
    if (eq + 1 < word.raw.length) {
      value = valueToken(word.raw.slice(eq + 1), line, word.start + eq + 1);
    } else if (canBeValue(i + 1)) {
      // `key= value`
      value = valueToken(next.raw, line, next.start);
      i += 1;
    }
    args.push(setting(key, equals, value));
  }
  return args;
}

function setting(key: Token, equals: Range, value: ValueToken | null): SettingArgument {
  return { kind: 'setting', key, equals, value, range: spanning(key.range, value ? value.range : equals) };
}
