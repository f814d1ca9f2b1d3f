// One error type for every problem with data files, so callers (CLI, extension host, webview)
// can tell "your data is bad" apart from a bug and show the message as it is.

/** A data file or folder that cannot be used. The message names the source and the problem. */
export class DataError extends Error {
  override readonly name = 'DataError';
  /** The file, folder or data spec the problem is in, as given to the loader. */
  readonly source: string;

  constructor(source: string, problem: string) {
    super(`${source}: ${problem}`);
    this.source = source;
  }
}
