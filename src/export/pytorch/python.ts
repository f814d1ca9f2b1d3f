// Python literals for generated code: numbers, sizes and strings as torch's constructors take them.

/** A finite number as a Python literal (1, 0.5, 1e-05). */
export function pyNumber(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`${x} has no Python literal`);
  return String(x);
}

/** A size argument: `5` for a square pair, `(5, 3)` otherwise. */
export function pySize(pair: readonly [number, number]): string {
  return pair[0] === pair[1] ? pyNumber(pair[0]) : `(${pyNumber(pair[0])}, ${pyNumber(pair[1])})`;
}

/** A string as a Python literal (JSON's escapes are Python's for the characters JSON escapes). */
export function pyString(text: string): string {
  return JSON.stringify(text);
}
