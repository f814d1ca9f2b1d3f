// The `convlab` command line: a dispatcher over a table of commands.
// Adding a command is one import and one entry in COMMANDS; each command declares its own
// arguments and help (see args.ts) and returns an exit code, synchronously or as a promise.

import type { Command, Io } from './args';
import { commandHelp, parseArgs, UsageError, usageLine } from './args';
import { benchCommand } from './bench';
import { checkCommand } from './check';
import { checkpointsCommand } from './checkpoints';
import { convertCommand } from './convert';
import { exportCommand } from './export';
import { gradcheckCommand } from './gradcheck';
import { importCommand } from './import';
import { trainCommand } from './train';
import { errorDetails } from '../engine';
import { suggest } from '../lang';

const COMMANDS: readonly Command[] = [
  checkCommand,
  trainCommand,
  checkpointsCommand,
  convertCommand,
  exportCommand,
  importCommand,
  gradcheckCommand,
  benchCommand,
];

const EXIT_USAGE = 2;

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: convlab COMMAND [ARGS] [--help]',
    '',
    'ConvLab: convolutional-network models in .cnn files — check shapes, train, verify gradients, benchmark.',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'convlab COMMAND --help' for a command's arguments.",
    '',
  ].join('\n');
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    io.stdout(topic ? commandHelp(topic) : overview());
    return name === undefined ? EXIT_USAGE : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    const guess = suggest(name, COMMANDS.map((c) => ({ name: c.name })));
    io.stderr(`convlab: unknown command '${name}'${guess ? `; did you mean '${guess}'?` : ''}\n\n${overview()}`);
    return EXIT_USAGE;
  }
  const flagPart = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (flagPart.includes('--help') || flagPart.includes('-h')) {
    io.stdout(commandHelp(command));
    return 0;
  }
  try {
    return await command.run(parseArgs(rest, command), io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`convlab ${command.name}: ${err.message}\nusage: ${usageLine(command)}\n`);
      return EXIT_USAGE;
    }
    io.stderr(`convlab ${command.name}: internal error — please report it:\n${errorDetails(err)}\n`);
    return 1;
  }
}

const nodeIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
};

// Set the exit code rather than calling process.exit, so piped output is flushed first.
void main(process.argv.slice(2), nodeIo).then((code) => { process.exitCode = code; });
