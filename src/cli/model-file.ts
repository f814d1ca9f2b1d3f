// The model file most commands start from: reading it, refusing it when it has errors, and naming
// it in messages the way the user wrote it.

import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, relative, resolve } from 'node:path';
import { analyze, plural, type Analysis } from '../lang';
import type { Io, PositionalSpec } from './args';
import { CliFailure } from './failure';

export const MODEL_FILE = { name: 'FILE', description: 'the .cnn model file' } as const satisfies PositionalSpec;

/** Why a file cannot be read, in a few words. */
export function unreadable(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file'
    : code === 'EISDIR' ? 'it is a directory'
      : code === 'EACCES' ? 'permission denied'
        : (err as Error).message;
}

/** Reads and analyzes a model file; a model with errors is refused with its diagnostics. */
export function analyzeFile(file: string, io: Io, command: string): { text: string; analysis: Analysis } {
  let text: string;
  try {
    text = readFileSync(resolve(io.cwd, file), 'utf8');
  } catch (err) {
    throw new CliFailure(`cannot read ${file}: ${unreadable(err)}`, 2);
  }
  const analysis = analyze(text, { baseDir: dirname(resolve(io.cwd, file)), homeDir: homedir() });
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    const path = displayPath(file, io.cwd);
    const lines = errors.map((d) => `${path}:${d.range.start.line + 1}:${d.range.start.character + 1}: error: ${d.message}`);
    throw new CliFailure(`${lines.join('\n')}\n${path} has ${plural(errors.length, 'error')}; fix ${errors.length === 1 ? 'it' : 'them'} before running ${command} (see \`convlab check ${path}\`)`);
  }
  return { text, analysis };
}

/** A path as short as it can be said: relative to the current folder when inside it, else absolute. */
export function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, resolve(cwd, path));
  return rel.startsWith('..') ? resolve(cwd, path) : rel;
}
