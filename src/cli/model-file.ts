// The model file most commands start from: reading it, refusing it when it has errors, and naming
// it in messages the way the user wrote it.

import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, extname, relative, resolve } from 'node:path';
import { analyze, analyzeConfig, plural, SimpleNNOptionError, simpleNNOptions, type Analysis, type AnalyzeOptions } from '../lang';
import { UsageError, type Io, type PositionalSpec } from './args';
import { CliFailure } from './failure';

export const MODEL_FILE = { name: 'FILE', description: 'the .cnn model file (or a simpleNN .config, see docs/simplenn.md)' } as const satisfies PositionalSpec;

/** A model file's text analyzed by its kind: a simpleNN `.config` (docs/simplenn.md) or a `.cnn`. */
export function analyzeModelText(text: string, file: string, options: AnalyzeOptions & { readonly train?: string }): Analysis {
  return extname(file).toLowerCase() === '.config' ? analyzeConfig(text, options) : analyze(text, options);
}

/** Why a file cannot be read, in a few words. */
export function unreadable(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file'
    : code === 'EISDIR' ? 'it is a directory'
      : code === 'EACCES' ? 'permission denied'
        : (err as Error).message;
}

/** Reads and analyzes a model file; a model with errors is refused with its diagnostics. `train`: a .config's train settings. */
export function analyzeFile(file: string, io: Io, command: string, train?: string): { text: string; analysis: Analysis } {
  let text: string;
  try {
    text = readFileSync(resolve(io.cwd, file), 'utf8');
  } catch (err) {
    throw new CliFailure(`cannot read ${file}: ${unreadable(err)}`, 2);
  }
  const analysis = analyzeModelText(text, file, { baseDir: dirname(resolve(io.cwd, file)), homeDir: homedir(), train });
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    const path = displayPath(file, io.cwd);
    const lines = errors.map((d) => `${path}:${d.range.start.line + 1}:${d.range.start.character + 1}: error: ${d.message}`);
    throw new CliFailure(`${lines.join('\n')}\n${path} has ${plural(errors.length, 'error')}; fix ${errors.length === 1 ? 'it' : 'them'} before running ${command} (see \`convlab check ${path}\`)`);
  }
  return { text, analysis };
}

/**
 * A `.config`'s train settings from a simpleNN option string (`flag` names it in errors) and a data
 * spec, with what the mapping noted; a bad option, or options for a `.cnn` (which has its own `train`
 * line), is a usage error. The data spec goes in so the model is checked against it, not against MNIST.
 */
export function simpleNNTrain(file: string, options: string, flag: string, data?: string): { train: string; notes: readonly string[] } {
  if (extname(file).toLowerCase() !== '.config') throw new UsageError(`${flag} goes with a simpleNN .config; a .cnn has its own \`train\` line`);
  try {
    const parsed = simpleNNOptions(options);
    const dataSetting = data === undefined ? [] : [`data=${/\s/.test(data) ? JSON.stringify(data) : data}`];
    return { train: [...dataSetting, parsed.trainText].join(' '), notes: parsed.notes };
  } catch (err) {
    if (err instanceof SimpleNNOptionError) throw new UsageError(`${flag}: ${err.message}`);
    throw err;
  }
}

/** A path as short as it can be said: relative to the current folder when inside it, else absolute. */
export function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, resolve(cwd, path));
  return rel.startsWith('..') ? resolve(cwd, path) : rel;
}
