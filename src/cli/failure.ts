// How a command reports a problem that is the user's, not ConvLab's (a bad model, missing data, an
// unreadable checkpoint): one line `convlab NAME: message` and an exit code, never a stack trace.

import type { Io } from './args';

/** Why a run cannot go on (bad model, data, backend, checkpoint): printed as one message. */
export class CliFailure extends Error {
  constructor(message: string, readonly exitCode = 1) { super(message); this.name = 'CliFailure'; }
}

/** The engine's errors about the user's model, data or files; any other error is a bug. */
const USER_ERRORS = ['TrainError', 'LayerError', 'OptimizerError', 'DataError', 'CheckpointError'];

/**
 * Runs a command's work: a CliFailure, or one of the engine's errors about the user's input (exit 1),
 * is printed as `convlab NAME: message`; anything else is left to the dispatcher as an internal error.
 */
export async function reportingFailures(command: string, io: Io, work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (err) {
    const failure = err instanceof CliFailure ? err
      : err instanceof Error && USER_ERRORS.includes(err.name) ? new CliFailure(err.message) : undefined;
    if (!failure) throw err;
    io.stderr(`convlab ${command}: ${failure.message}\n`);
    return failure.exitCode;
  }
}
