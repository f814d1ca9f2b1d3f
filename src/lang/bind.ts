// Binding a statement's arguments to the parameters its catalog entry declares: positional values
// in order, `key=value` by name, defaults for the rest. Reports unknown, duplicate, missing and
// invalid arguments, each at the exact token.

import type { ParamInfo, StatementInfo } from './catalog';
import { STATEMENTS } from './catalog';
import type { Diagnostic, Fix, Range } from './spec';
import { suggest } from './suggest';
import type { Argument, Statement, ValueToken } from './syntax';
import { pos, replace, where } from './text';

export { where } from './text';
import type { Value, ValueContext } from './values';
import { parseValue } from './values';

/** Where a parameter's value was written, for fixes that change it. */
export interface WrittenArg {
  readonly param: ParamInfo;
  readonly arg: Argument;
  readonly value: ValueToken;
}

export interface Bound {
  /** Every parameter of the statement: its valid written value, else its default. */
  readonly values: ReadonlyMap<string, Value>;
  readonly written: ReadonlyMap<string, WrittenArg>;
  /**
   * Something written could not be read (unknown key, bad value, extra argument), so what the
   * statement really means is unknown; values of the bad parts fell back to defaults.
   */
  readonly broken: boolean;
}


export function bindArguments(statement: Statement, info: StatementInfo, ctx: ValueContext, diagnostics: Diagnostic[]): Bound {
  const values = new Map<string, Value>();
  const written = new Map<string, WrittenArg>();
  const positionals = info.params.filter((p) => p.positional);
  let nextPositional = 0;
  let broken = false;
  const report = (d: Omit<Diagnostic, 'severity'> & { severity?: Diagnostic['severity'] }) =>
    diagnostics.push({ severity: 'error', ...d });

  statement.args.forEach((arg, index) => {
    const removeArg = (): Fix => ({ title: 'Remove it', edits: [replace(removalRange(statement, index), '')] });
    let param: ParamInfo | undefined;
    let value: ValueToken | null;
    if (arg.kind === 'positional') {
      param = positionals[nextPositional++];
      value = arg.value;
      if (!param) {
        broken = true;
        // `kernel154` is most likely `kernel=154` with the `=` missing.
        const setting = missingEquals(info, arg.value.text);
        report({
          range: arg.range, code: 'too-many-arguments',
          message: `${where(statement)}: unexpected \`${arg.value.text}\`; ${setting ? `did you mean \`${setting}\`? ` : ''}${positionalUsage(info)}`,
          fixes: setting ? [{ title: `Change to \`${setting}\``, edits: [replace(arg.range, setting)] }, removeArg()] : [removeArg()],
        });
        return;
      }
    } else {
      param = info.params.find((p) => p.name === arg.key.text);
      value = arg.value;
      if (!param) {
        broken = true;
        report(unknownParameter(statement, info, arg.key.text, arg.key.range, removeArg));
        return;
      }
    }

    const first = written.get(param.name);
    if (first) {
      report({
        range: arg.range, code: 'duplicate-setting',
        message: `${where(statement)}: \`${param.name}\` is already set ${first.arg.range.start.line === arg.range.start.line ? 'earlier on this line' : `on line ${first.arg.range.start.line + 1}`}; only the first value counts`,
        related: [{ range: first.arg.range, message: `first \`${param.name}\` here` }],
        fixes: [removeArg()],
      });
      return;
    }
    if (!value) {
      broken = true;
      report({ range: arg.range, code: 'missing-value', message: `${where(statement)}: \`${param.name}=\` has no value; ${param.doc}` });
      return;
    }
    written.set(param.name, { param, arg, value });
    const parsed = parseValue(param, value.text, ctx);
    if (parsed.ok) {
      values.set(param.name, parsed.value);
      return;
    }
    broken = true;
    const { code, message, suggestion } = parsed.error;
    report({
      range: value.range, code, message: `${where(statement)}: ${message}`,
      ...(suggestion !== undefined && { fixes: [{ title: `Change to \`${suggestion}\``, edits: [replace(value.range, suggestion)] }] }),
    });
  });

  for (const param of info.params) {
    if (values.has(param.name)) continue;
    if (param.required) {
      broken = true;
      if (!written.has(param.name)) {
        report({ range: statement.keyword.range, code: 'missing-argument', message: `${where(statement)}: missing \`${param.name}\`, e.g. \`${exampleOf(info, param)}\` — ${param.doc}` });
      }
    } else if (param.default !== undefined) {
      const value = defaultValue(param);
      if (value) values.set(param.name, value);
    }
  }
  return { values, written, broken };
}

function positionalUsage(info: StatementInfo): string {
  const names = info.params.filter((p) => p.positional).map((p) => p.name);
  const settings = info.params.length > names.length ? '; write other parameters as key=value' : '';
  if (names.length === 0) return info.params.length === 0 ? `\`${info.keyword}\` takes no arguments` : `\`${info.keyword}\` takes only key=value settings`;
  return `\`${info.keyword}\` takes ${names.length === 1 ? 'one value' : `${names.length} values`} (${names.join(', ')})${settings}`;
}

function unknownParameter(statement: Statement, info: StatementInfo, key: string, keyRange: Range, removeArg: () => Fix): Omit<Diagnostic, 'severity'> {
  const guess = suggest(key, info.params);
  const owners = STATEMENTS.filter((s) => s !== info && s.params.some((p) => p.name === key)).map((s) => `\`${s.keyword}\``);
  const known = info.params.length === 0 ? `\`${info.keyword}\` takes no parameters` : `it takes ${info.params.map((p) => `\`${p.name}\``).join(', ')}`;
  const elsewhere = owners.length > 0 && !guess ? ` (\`${key}\` belongs to ${owners.join(', ')})` : '';
  const message = guess
    ? `${where(statement)}: unknown parameter \`${key}\`; did you mean \`${guess}\`?`
    : `${where(statement)}: unknown parameter \`${key}\`${elsewhere}; ${known}`;
  const fixes: Fix[] = guess ? [{ title: `Change to \`${guess}\``, edits: [replace(keyRange, guess)] }] : [removeArg()];
  return { range: keyRange, code: 'unknown-parameter', message, fixes };
}

/** `kernel154` → `kernel=154` when the word before the digits names one of the statement's parameters. */
function missingEquals(info: StatementInfo, text: string): string | undefined {
  const m = /^([A-Za-z_]+)(\d.*)$/.exec(text);
  if (!m) return undefined;
  const word = m[1].toLowerCase();
  const param = info.params.find((p) => p.name === word || p.aliases?.includes(word));
  return param && `${param.name}=${m[2]}`;
}

/** The argument plus the space before it, so removing it leaves tidy text. */
function removalRange(statement: Statement, index: number): Range {
  const arg = statement.args[index].range;
  const before = index > 0 ? statement.args[index - 1].range.end : statement.keyword.range.end;
  const start = before.line === arg.start.line ? before : pos(arg.start.line, arg.start.character);
  return { start, end: arg.end };
}

/** `conv 8` or `dropout p=0.5`: the parameter written with its snippet's placeholder. */
export function exampleOf(info: StatementInfo, param: ParamInfo): string {
  const placeholder = /\$\{1[:|]([^|}]*)/.exec(param.snippet)?.[1]?.split(',')[0] ?? '';
  return param.positional ? `${info.keyword} ${placeholder}` : `${info.keyword} ${param.name}=${placeholder}`;
}

/** Parsed defaults, computed once: defaults are plain values (never paths), so no context is needed. */
const defaults = new Map<ParamInfo, Value | null>();

function defaultValue(param: ParamInfo): Value | null {
  let value = defaults.get(param);
  if (value === undefined) {
    const parsed = parseValue(param, param.default!);
    value = parsed.ok ? parsed.value : null;
    defaults.set(param, value);
  }
  return value;
}
