// `convlab convert FILE.config`: writes the `.cnn` model a simpleNN `.config` means (docs/simplenn.md),
// so the two stay one model. simpleNN's option string (--options) and a data set (--data) become its
// `train` line. Refuses a `.config` with errors, and an existing output unless --force.

import { existsSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { analyzeConfig, configToCnn } from '../lang';
import { defineCommand, UsageError, type Io } from './args';
import { CliFailure, reportingFailures } from './failure';
import { analyzeFile, displayPath, simpleNNTrain, unreadable } from './model-file';

export const convertCommand = defineCommand({
  name: 'convert',
  summary: 'Convert a simpleNN .config model into the equivalent .cnn file.',
  details: [
    'Writes FILE.cnn beside FILE.config unless --out names another file; an existing file is kept unless --force.',
    '--options takes simpleNN\'s option string (cnn_train\'s `options`, e.g. \'-s 2 -lr 0.01 -bsize 128\') and writes',
    'it, with simpleNN\'s defaults for the chosen solver, as the `train` line; --data adds the data set (relative',
    'paths are written as given, so keep them relative to the output file). Exit status: 0 written, 1 the .config',
    'has errors or the output cannot be written, 2 bad arguments or an unreadable file.',
  ].join('\n'),
  positionals: [{ name: 'FILE', description: 'the simpleNN .config file' }],
  flags: [
    { name: 'out', type: 'string', value: 'FILE.cnn', description: 'where to write (default: FILE with .cnn for .config)' },
    { name: 'options', type: 'string', value: "'-s 1 …'", description: 'simpleNN training options, written as the `train` line' },
    { name: 'data', type: 'string', value: 'SPEC', description: 'data set for the `train` line, e.g. mat:train.mat,test.mat' },
    { name: 'force', type: 'boolean', description: 'overwrite an existing output file' },
  ],
  run({ positionals, flags }, io) {
    return reportingFailures('convert', io, async () => convert(positionals[0], flags, io));
  },
});

interface ConvertFlags {
  readonly out?: string;
  readonly options?: string;
  readonly data?: string;
  readonly force?: boolean;
}

function convert(file: string, flags: ConvertFlags, io: Io): number {
  if (extname(file).toLowerCase() !== '.config') throw new UsageError(`'${file}' is not a simpleNN .config file`);
  const { train, notes } = trainSettings(file, flags);
  // Refuses a .config with errors, listing them the way `check` does.
  const { text } = analyzeFile(file, io, 'convert');
  const out = flags.out ?? join(dirname(file), `${basename(file, extname(file))}.cnn`);
  const outPath = resolve(io.cwd, out);
  if (existsSync(outPath) && !flags.force) throw new CliFailure(`${displayPath(out, io.cwd)} already exists; give --force to overwrite it`);
  // The train line is checked where the output will live, so relative data paths resolve as they will there.
  const checked = analyzeConfig(text, { train, baseDir: dirname(outPath), homeDir: homedir() });
  const trainErrors = checked.diagnostics.filter((d) => d.severity === 'error');
  if (trainErrors.length > 0) throw new CliFailure(`the train settings \`${train}\` do not work: ${trainErrors.map((d) => d.message).join('; ')}`);
  try {
    writeFileSync(outPath, configToCnn(text, { train, source: basename(file) }));
  } catch (err) {
    throw new CliFailure(`cannot write ${displayPath(out, io.cwd)}: ${unreadable(err)}`);
  }
  for (const note of notes) io.stderr(`note: ${note}\n`);
  io.stdout(`wrote ${displayPath(out, io.cwd)} (${checked.layers.length} layers, ${checked.totalParams.toLocaleString('en-US')} parameters)\n`);
  return 0;
}

/** The `train` line's settings from --options and --data (undefined for none), and what the options mapping noted. */
function trainSettings(file: string, flags: ConvertFlags): { train: string | undefined; notes: readonly string[] } {
  if (flags.options !== undefined) return simpleNNTrain(file, flags.options, '--options', flags.data);
  return { train: flags.data === undefined ? undefined : `data=${flags.data}`, notes: [] };
}
