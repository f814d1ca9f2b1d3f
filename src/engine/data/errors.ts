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

/** 12345 → "12,345": counts in messages are easier to compare with thousands separators. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
