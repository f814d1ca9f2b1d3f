// Schema building blocks shared by every message protocol (host ⇄ webview in protocol.ts, webview ⇄
// engine in webview/engine-protocol.ts, the requests of rpc.ts) and by the webview's saved state:
// bounded strings, numbers and arrays, checks a schema cannot express, and parsing that reports the
// path of the first bad value in ConvLab's own words.
//
// Pure: no Node, no DOM, no vscode.

import { errorMessage } from './engine/errors';
import * as v from 'valibot';

// ── parsing and errors ─────────────────────────────────────────────────────────────────────────

/** A message that failed validation; `path` locates the bad value, e.g. `message.state.tensors[2].shape`. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(readonly path: string, problem: string) {
    super(`${path}: ${problem}`);
  }
}

/** Returns `value` typed by `schema`, or throws a ProtocolError for the first problem, its path rooted at `root`. */
export function parse<S extends v.GenericSchema>(schema: S, value: unknown, root = 'message'): v.InferOutput<S> {
  const result = v.safeParse(schema, value, { abortEarly: true });
  if (result.success) return result.output;
  throw protocolError(result.issues[0], root);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === 'string') return value.length > 40 ? 'a long string' : JSON.stringify(value);
  if (typeof value === 'number') return String(value);
  return typeof value === 'object' ? 'an object' : typeof value;
}

/** valibot's `expects` ("(Uint8Array | Float32Array)", "\"sgd\" | \"adam\"") in words. */
function expectation(expects: string | null): string {
  const options = (expects ?? 'unknown').replace(/^\((.*)\)$/, '$1').split(' | ');
  if (options.length > 1 && options.every((o) => /^["\d-]/.test(o))) return `one of ${options.join(', ')}`;
  const words = options.map((o) => (o === 'Object' ? 'an object' : o === 'Array' ? 'an array' : /^(null|NaN|never|unknown)$|^[^a-zA-Z]/.test(o) ? o : `a ${o}`));
  return words.join(' or ');
}

// Worded like the rest of ConvLab's messages rather than valibot's defaults ("Invalid type: Expected …").
function protocolError(issue: v.BaseIssue<unknown>, root: string): ProtocolError {
  let path = root;
  for (const item of issue.path ?? []) path += typeof item.key === 'number' ? `[${item.key}]` : `.${String(item.key)}`;
  // An absent field: valibot reports the key, not the field's schema, so there is no type to name.
  if (issue.path?.at(-1)?.origin === 'key') return new ProtocolError(path, 'missing');
  const got = describe(issue.input);
  const req = issue.requirement as number;
  switch (issue.type) {
    // A variant's issue has no path when the value is not an object: report it where `type` should be.
    case 'variant': return issue.path ? new ProtocolError(path, `expected ${expectation(issue.expected)}, got ${got}`)
      : new ProtocolError(`${path}.type`, `expected an object with a type, got ${got}`);
    case 'safe_integer': return new ProtocolError(path, `expected an integer, got ${got}`);
    case 'finite': return new ProtocolError(path, `expected a finite number, got ${got}`);
    case 'min_value': return new ProtocolError(path, `expected a number ≥ ${req}, got ${got}`);
    case 'max_value': return new ProtocolError(path, `expected a number ≤ ${req}, got ${got}`);
    case 'gt_value': return new ProtocolError(path, `expected a number > ${req}, got ${got}`);
    case 'length': return new ProtocolError(path, `expected an array of ${req}, got ${got}`);
    case 'max_length': return new ProtocolError(path, typeof issue.input === 'string' ? `string longer than ${req} characters`
      : Array.isArray(issue.input) ? `more than ${req} items` : `more than ${req} values`);
    case 'custom': return new ProtocolError(path, issue.message);
    default: return new ProtocolError(path, issue.kind === 'schema' ? `expected ${expectation(issue.expected)}, got ${got}` : issue.message);
  }
}

/** Parses without throwing: the message, or the reason it was rejected (for the log). */
export function tryParse<T>(parse: (value: unknown) => T, value: unknown): { ok: true; message: T } | { ok: false; error: string } {
  try {
    return { ok: true, message: parse(value) };
  } catch (e) {
    return { ok: false, error: errorMessage(e) };
  }
}

// ── bounded building blocks (every string, array and number on the wire has limits) ────────────

export const str = (maxLength: number) => v.pipe(v.string(), v.maxLength(maxLength));
/** A safe integer in [min, max]; non-negative unless said otherwise. */
export const int = (min = 0, max = Number.MAX_SAFE_INTEGER) => v.pipe(v.number(), v.safeInteger(), v.minValue(min), v.maxValue(max));
/** A finite number in [min, max]. */
export const num = (min: number, max = Number.MAX_VALUE) => v.pipe(v.number(), v.finite(), v.minValue(min), v.maxValue(max));
/** Any number including NaN and ±Infinity (losses can diverge); valibot's number() alone rejects NaN. */
export const anyNumber = v.union([v.number(), v.nan()]);
export const learningRate = v.pipe(v.number(), v.finite(), v.gtValue(0), v.maxValue(1e6));
export const list = <S extends v.GenericSchema>(item: S, maxLength: number) => v.pipe(v.array(item), v.maxLength(maxLength));
/** Exactly items.length items; checking the length first reports a short array at the array, not at a missing item. */
export const tuple = <const T extends v.TupleItems>(items: T) => v.pipe(v.array(v.unknown()), v.length(items.length), v.strictTuple(items));
// Typed as views of any buffer (what the engine uses); v.instance(Float32Array) alone infers Float32Array<ArrayBuffer>.
const F32: new (length: number) => Float32Array = Float32Array;
const U8: new (length: number) => Uint8Array = Uint8Array;
export const float32s = v.instance(F32);
export const uint8s = v.instance(U8);
export const float32Array = (maxLength = 1 << 28) => v.pipe(float32s, v.maxLength(maxLength));
/** An object checked by the receiver's own code (e.g. a ModelSpec, which the engine validates in depth). */
export const opaqueObject = <T>(what: string) => v.custom<T>(
  (x) => typeof x === 'object' && x !== null && !Array.isArray(x),
  (issue) => `expected ${what}, got ${describe(issue.input)}`,
);
/** A discriminated-union member: `{ type, ...fields }`. */
export const message = <const T extends string, const F extends v.ObjectEntries>(type: T, fields: F) =>
  v.object({ type: v.literal(type), ...fields });

// ── checks a schema cannot express ─────────────────────────────────────────────────────────────

/** What a refinement found wrong: where below the checked value (e.g. ['tensors', 2, 'data']) and why. */
export interface Problem {
  readonly path: readonly (string | number)[];
  readonly problem: string;
}

/**
 * A check that runs once the value matched its schema (sizes against shapes, unique names…); the
 * problem `find` returns is reported at its path, like any other, e.g. `message.tensors[2].data: …`.
 */
export function refine<T>(find: (value: T) => Problem | null): v.RawCheckAction<T> {
  return v.rawCheck<T>(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const found = find(dataset.value);
    if (!found) return;
    const items = found.path.map((key): v.IssuePathItem => ({ type: 'unknown', origin: 'value', input: undefined, key, value: undefined }));
    addIssue({ message: found.problem, path: items.length > 0 ? [items[0], ...items.slice(1)] : undefined });
  });
}
