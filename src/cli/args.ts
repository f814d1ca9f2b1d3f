// A tiny typed command-line parser and the shape of a `convlab` command.
// Flags are declared as data; `parseArgs` returns their values typed by that declaration and
// throws a UsageError (exit code 2) that says exactly what is wrong with the command line.

import { suggest } from '../lang';

export interface FlagSpec {
  readonly name: string;
  readonly type: 'boolean' | 'string' | 'number';
  readonly description: string;
  /** Placeholder for the value in help text, e.g. `N` for `--epochs N`. */
  readonly value?: string;
}

export interface PositionalSpec {
  readonly name: string;
  readonly description: string;
  readonly optional?: boolean;
}

type FlagValue<F extends FlagSpec> = F['type'] extends 'boolean' ? boolean : F['type'] extends 'number' ? number : string;

/** Flag values by name; absent flags are undefined. */
export type Flags<Fs extends readonly FlagSpec[]> = { readonly [F in Fs[number] as F['name']]?: FlagValue<F> };

export interface ParsedArgs<Fs extends readonly FlagSpec[]> {
  readonly positionals: readonly string[];
  readonly flags: Flags<Fs>;
}

/** Where a command writes; injectable so commands stay testable. */
export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd: string;
}

export interface Command<Fs extends readonly FlagSpec[] = readonly FlagSpec[]> {
  readonly name: string;
  /** One line for `convlab --help`. */
  readonly summary: string;
  /** Longer text for `convlab NAME --help` (optional). */
  readonly details?: string;
  readonly positionals: readonly PositionalSpec[];
  readonly flags: Fs;
  /** Returns the exit code: 0 success, 1 failure (e.g. errors found), 2 usage or input problems. */
  run(args: ParsedArgs<Fs>, io: Io): number | Promise<number>;
}

/** Declares a command with its flag types inferred from the `flags` literal. */
export function defineCommand<const Fs extends readonly FlagSpec[]>(command: Command<Fs>): Command<Fs> {
  return command;
}

/** A mistake on the command line: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseArgs<Fs extends readonly FlagSpec[]>(argv: readonly string[], command: Pick<Command<Fs>, 'name' | 'flags' | 'positionals'>): ParsedArgs<Fs> {
  const positionals: string[] = [];
  const flags: Record<string, boolean | string | number> = {};
  let onlyPositionals = false;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (onlyPositionals || !arg.startsWith('--') || arg === '-') {
      if (!onlyPositionals && arg.startsWith('-') && arg !== '-' && !/^-\d/.test(arg)) {
        throw new UsageError(`unknown option '${arg}'; options are written --name`);
      }
      positionals.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyPositionals = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = command.flags.find((f) => f.name === name);
    if (!spec) {
      const guess = suggest(name, command.flags.map((f) => ({ name: f.name })));
      const known = command.flags.length > 0 ? `; options: ${command.flags.map((f) => `--${f.name}`).join(', ')}` : '';
      throw new UsageError(`unknown option '--${name}' for '${command.name}'${guess ? `; did you mean '--${guess}'?` : known}`);
    }
    if (name in flags) throw new UsageError(`option '--${name}' is given twice`);
    let text: string | undefined = eq < 0 ? undefined : arg.slice(eq + 1);
    if (spec.type === 'boolean') {
      if (text === undefined) { flags[name] = true; continue; }
      if (text !== 'true' && text !== 'false') throw new UsageError(`option '--${name}' is on or off: write --${name}, --${name}=true or --${name}=false, not '${arg}'`);
      flags[name] = text === 'true';
      continue;
    }
    if (text === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) throw new UsageError(`option '--${name}' needs a value: --${name} ${spec.value ?? 'VALUE'}`);
      text = next;
      i++;
    }
    if (spec.type === 'number') {
      const value = Number(text);
      if (text.trim() === '' || !Number.isFinite(value)) throw new UsageError(`option '--${name}' needs a number, not '${text}'`);
      flags[name] = value;
    } else {
      flags[name] = text;
    }
  }

  const required = command.positionals.filter((p) => !p.optional).length;
  if (positionals.length < required) {
    throw new UsageError(`'${command.name}' needs ${command.positionals.slice(positionals.length).filter((p) => !p.optional).map((p) => p.name).join(' and ')}`);
  }
  if (positionals.length > command.positionals.length) {
    throw new UsageError(`'${command.name}' takes ${command.positionals.length === 0 ? 'no arguments' : command.positionals.map((p) => p.name).join(' ')}; unexpected '${positionals[command.positionals.length]}'`);
  }
  return { positionals, flags: flags as Flags<Fs> };
}

/** `check FILE [--json]` */
export function usageLine(command: Pick<Command, 'name' | 'flags' | 'positionals'>): string {
  const pos = command.positionals.map((p) => (p.optional ? `[${p.name}]` : p.name));
  const flags = command.flags.map((f) => `[--${f.name}${f.type === 'boolean' ? '' : ` ${f.value ?? 'VALUE'}`}]`);
  return ['convlab', command.name, ...pos, ...flags].join(' ');
}

/** Full help for one command. */
export function commandHelp(command: Command): string {
  const rows: [string, string][] = [
    ...command.positionals.map((p): [string, string] => [p.name, p.description]),
    ...command.flags.map((f): [string, string] => [`--${f.name}${f.type === 'boolean' ? '' : ` ${f.value ?? 'VALUE'}`}`, f.description]),
    ['--help', 'show this help'],
  ];
  const width = Math.max(...rows.map(([left]) => left.length));
  return [
    `usage: ${usageLine(command)}`,
    '',
    command.summary,
    ...(command.details ? ['', command.details] : []),
    '',
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`),
    '',
  ].join('\n');
}
