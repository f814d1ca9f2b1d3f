// Runs one CLI command in-process as `convlab` would, with its output captured: the CLI suites'
// common harness (a terminal 120 columns wide; `tty` says whether stderr is one, for progress bars).
import type { Command } from '../../../src/cli/args';
import { parseArgs } from '../../../src/cli/args';
import type { TerminalIo } from '../../../src/cli/progress';

export async function runCommand(command: Command, argv: readonly string[], cwd: string, tty = false): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  const io: TerminalIo = { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, cwd, stderrIsTTY: tty, columns: 120 };
  const code = await command.run(parseArgs(argv, command), io);
  return { code, stdout, stderr };
}
