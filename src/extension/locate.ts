// What is at a position of a `.cnn` file: which statement, and which token of it (keyword, setting key,
// value), with the catalog entries that document it. Pure: works on the parser's syntax tree.
import {
  comparePositions, paramInfo, statementInfo,
  type Argument, type ParamInfo, type Position, type Range, type Statement, type StatementInfo, type SyntaxTree,
} from '../lang';

export function contains(r: Range, p: Position): boolean {
  return comparePositions(r.start, p) <= 0 && comparePositions(p, r.end) <= 0;
}

/** The statement whose lines include `line` (a multi-line `train` spans several). */
export function statementAtLine(tree: SyntaxTree, line: number): Statement | undefined {
  return tree.statements.find((s) => s.firstLine <= line && line <= s.lastLine);
}

/** The last statement that starts before `line` (the one a `key=value` continuation line would extend). */
export function statementBefore(tree: SyntaxTree, line: number): Statement | undefined {
  let found: Statement | undefined;
  for (const s of tree.statements) if (s.firstLine < line) found = s;
  return found;
}

/** The catalog parameter an argument sets: by name for `key=value`, by position for bare values. */
export function paramOf(info: StatementInfo | undefined, statement: Statement, arg: Argument): ParamInfo | undefined {
  if (!info) return undefined;
  if (arg.kind === 'setting') return paramInfo(info, arg.key.text);
  const index = statement.args.filter((a) => a.kind === 'positional').indexOf(arg);
  return info.params.filter((p) => p.positional)[index];
}

export type Target =
  | { readonly kind: 'keyword'; readonly statement: Statement; readonly info?: StatementInfo; readonly range: Range }
  | {
    readonly kind: 'key' | 'value'; readonly statement: Statement; readonly info?: StatementInfo;
    readonly arg: Argument; readonly param?: ParamInfo; readonly range: Range;
  }
  /** Inside a statement but on no token (between arguments). */
  | { readonly kind: 'statement'; readonly statement: Statement; readonly info?: StatementInfo; readonly range: Range };

/** The token at `pos`, or undefined outside every statement (blank lines, comments). */
export function targetAt(tree: SyntaxTree, pos: Position): Target | undefined {
  const statement = statementAtLine(tree, pos.line);
  if (!statement) return undefined;
  const info = statementInfo(statement.keyword.text);
  if (contains(statement.keyword.range, pos)) return { kind: 'keyword', statement, info, range: statement.keyword.range };
  for (const arg of statement.args) {
    if (!contains(arg.range, pos)) continue;
    const param = paramOf(info, statement, arg);
    if (arg.kind === 'setting' && (contains(arg.key.range, pos) || contains(arg.equals, pos))) {
      return { kind: 'key', statement, info, arg, param, range: arg.key.range };
    }
    return { kind: 'value', statement, info, arg, param, range: arg.range };
  }
  if (!contains(statement.range, pos)) return undefined;
  return { kind: 'statement', statement, info, range: statement.range };
}
