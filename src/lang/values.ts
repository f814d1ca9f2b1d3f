// Reading parameter values as written (`5`, `5x3`, `same`, `1x28x28`, `idx:data/mnist`) into numbers
// and data specs, with an error that says what was expected when the text does not fit.

import type { Bounds, ParamInfo } from './catalog';
import { DATA_KINDS } from './catalog';
import type { DataSpec } from './spec';
import { suggest } from './suggest';

export type Value =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'pair'; readonly value: readonly [number, number] }
  | { readonly kind: 'same' }
  | { readonly kind: 'shape'; readonly value: readonly [number, number, number] }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'choice'; readonly value: string }
  | { readonly kind: 'data'; readonly value: DataSpec };

export type ValueErrorCode = 'not-a-number' | 'not-an-integer' | 'out-of-range' | 'invalid-value';

export interface ValueError {
  readonly code: ValueErrorCode;
  /** Says what is wrong and what is expected, e.g. "`p` must be in [0, 1), not 1.5". */
  readonly message: string;
  /** A replacement for the value when one is obvious (a misspelt choice, a shape missing its channels). */
  readonly suggestion?: string;
}

export type Parsed = { readonly ok: true; readonly value: Value } | { readonly ok: false; readonly error: ValueError };

export interface ValueContext {
  /** Folder that relative data paths are resolved against. */
  readonly baseDir?: string;
  /** The user's home folder, for data paths written `~/…` (unknown: such paths are an error). */
  readonly homeDir?: string;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
/** Dimension separators in `KxK` and `CxHxW`. */
const TIMES = /[x×X]/;

export function parseNumber(text: string): number | undefined {
  return NUMBER.test(text) ? Number(text) : undefined;
}

export function parseValue(param: ParamInfo, text: string, ctx: ValueContext = {}): Parsed {
  switch (param.kind) {
    case 'integer': return scalar(param, text, true);
    case 'number': return scalar(param, text, false);
    case 'size': return dims(param, text, [1, 2], `\`${param.name}\` takes K or KxK`);
    case 'padding':
      if (text === 'same') return ok({ kind: 'same' });
      return dims(param, text, [1, 2], `\`${param.name}\` takes P, PxP or same`);
    case 'shape': return shape(param, text);
    case 'boolean': return boolean(param, text);
    case 'choice': return choice(param, text);
    case 'data': return data(param, text, ctx);
    case 'validation': {
      if (parseNumber(text) !== undefined) return scalar(param, text, false);
      const asData = data(param, text, ctx);
      if (asData.ok) return asData;
      return fail('invalid-value', `\`${param.name}\` takes a fraction in [0, 1) or a data set spec (idx:DIR, cifar10:DIR, libsvm:FILE), not \`${text}\``);
    }
  }
}

function ok(value: Value): Parsed {
  return { ok: true, value };
}

function fail(code: ValueErrorCode, message: string, suggestion?: string): Parsed {
  return { ok: false, error: suggestion === undefined ? { code, message } : { code, message, suggestion } };
}

/** "≥ 1", "in [0, 1)", "> 0": how the language states a parameter's bounds. */
export function describeBounds(b: Bounds): string {
  const lo = b.min === undefined ? undefined : `${b.minExclusive ? '>' : '≥'} ${b.min}`;
  const hi = b.max === undefined ? undefined : `${b.maxExclusive ? '<' : '≤'} ${formatPlain(b.max)}`;
  if (b.min !== undefined && b.max !== undefined && b.max <= 1) {
    return `in ${b.minExclusive ? '(' : '['}${b.min}, ${b.max}${b.maxExclusive ? ')' : ']'}`;
  }
  return [lo, hi].filter(Boolean).join(' and ');
}

function formatPlain(n: number): string {
  return n >= 10_000 ? n.toLocaleString('en-US') : String(n);
}

function inBounds(v: number, b: Bounds | undefined): boolean {
  if (!b) return true;
  if (b.min !== undefined && (b.minExclusive ? v <= b.min : v < b.min)) return false;
  if (b.max !== undefined && (b.maxExclusive ? v >= b.max : v > b.max)) return false;
  return true;
}

/** The error for a number that fails the bounds, naming the side it fell off. */
function boundsMessage(name: string, v: string, b: Bounds): string {
  const n = Number(v);
  if (b.min !== undefined && b.max !== undefined && b.max <= 1) return `\`${name}\` must be ${describeBounds(b)}, not ${v}`;
  const low = b.min !== undefined && (b.minExclusive ? n <= b.min : n < b.min);
  const side: Bounds = low ? { min: b.min, minExclusive: b.minExclusive } : { max: b.max, maxExclusive: b.maxExclusive };
  return `\`${name}\` must be ${describeBounds(side)}, not ${v}`;
}

function scalar(param: ParamInfo, text: string, integer: boolean): Parsed {
  const v = parseNumber(text);
  const what = integer ? 'a whole number' : 'a number';
  if (v === undefined) return fail('not-a-number', `\`${param.name}\` must be ${what}, not \`${text}\``);
  if (integer && !Number.isInteger(v)) return fail('not-an-integer', `\`${param.name}\` must be a whole number, not ${text}`);
  if (!inBounds(v, param.bounds)) return fail('out-of-range', boundsMessage(param.name, text, param.bounds!));
  return ok({ kind: 'number', value: v });
}

/** Reads 1 or 2 (size, padding) or 3 (shape) whole numbers separated by `x`. */
function readDims(param: ParamInfo, text: string, counts: readonly number[], expected: string): { dims: number[] } | { error: Parsed } {
  const parts = text.split(TIMES);
  if (!counts.includes(parts.length)) return { error: fail('invalid-value', `${expected}, not \`${text}\``) };
  const dims: number[] = [];
  for (const part of parts) {
    const v = parseNumber(part);
    if (v === undefined) return { error: fail('not-a-number', `${expected} with whole numbers, not \`${text}\``) };
    if (!Number.isInteger(v)) return { error: fail('not-an-integer', `${expected} with whole numbers, not ${text}`) };
    if (!inBounds(v, param.bounds)) return { error: fail('out-of-range', boundsMessage(param.name, part, param.bounds!)) };
    dims.push(v);
  }
  return { dims };
}

function dims(param: ParamInfo, text: string, counts: readonly number[], expected: string): Parsed {
  const read = readDims(param, text, counts, expected);
  if ('error' in read) return read.error;
  const [h, w = h] = read.dims;
  return ok({ kind: 'pair', value: [h, w] });
}

function shape(param: ParamInfo, text: string): Parsed {
  const expected = 'the input shape is channels×height×width, e.g. 1x28x28';
  const parts = text.split(TIMES);
  if (parts.length === 2 && parts.every((p) => parseNumber(p) !== undefined)) {
    return fail('invalid-value', `${expected}, not \`${text}\` (channels missing)`, `1x${text}`);
  }
  const read = readDims(param, text, [3], expected);
  if ('error' in read) return read.error;
  const [c, h, w] = read.dims;
  return ok({ kind: 'shape', value: [c, h, w] });
}

const TRUTHY = ['True', 'TRUE', 'yes', 'on', '1'];
const FALSY = ['False', 'FALSE', 'no', 'off', '0'];

function boolean(param: ParamInfo, text: string): Parsed {
  if (text === 'true') return ok({ kind: 'boolean', value: true });
  if (text === 'false') return ok({ kind: 'boolean', value: false });
  const suggestion = TRUTHY.includes(text) ? 'true' : FALSY.includes(text) ? 'false' : undefined;
  return fail('invalid-value', `\`${param.name}\` must be true or false, not \`${text}\``, suggestion);
}

function choice(param: ParamInfo, text: string): Parsed {
  const values = param.values ?? [];
  if (values.includes(text)) return ok({ kind: 'choice', value: text });
  const candidates = values.map((name) => ({ name }));
  const aliasTarget = param.name === 'kind' ? lossAlias(text) : undefined;
  const suggestion = aliasTarget ?? suggest(text, candidates);
  const hint = suggestion ? `; did you mean \`${suggestion}\`?` : '';
  return fail('invalid-value', `\`${param.name}\` must be one of ${values.map((v) => `\`${v}\``).join(', ')}, not \`${text}\`${hint}`, suggestion);
}

/** Loss names from other frameworks. */
function lossAlias(text: string): string | undefined {
  const t = text.toLowerCase().replace(/[-_ ]/g, '');
  if (['crossentropy', 'ce', 'nll', 'categoricalcrossentropy', 'softmaxcrossentropy', 'logloss'].includes(t)) return 'cross_entropy';
  if (['mse', 'l2', 'squared', 'squarederror', 'meansquarederror'].includes(t)) return 'mse';
  return undefined;
}

function data(param: ParamInfo, text: string, ctx: ValueContext): Parsed {
  const colon = text.indexOf(':');
  const kind = colon < 0 ? text : text.slice(0, colon);
  const rest = colon < 0 ? '' : text.slice(colon + 1);
  const usage = 'mnist, idx:DIR, cifar10:DIR or libsvm:TRAIN[,TEST]';
  const at = (p: string) => resolvePath(ctx.baseDir, p, ctx.homeDir);
  const home = homeProblem(rest, ctx);
  if (home) return fail('invalid-value', home);
  switch (kind) {
    case 'mnist':
      if (colon >= 0) return fail('invalid-value', `\`mnist\` is built in and takes no path; for MNIST files on disk write idx:${rest || 'DIR'}`, rest ? `idx:${rest}` : 'mnist');
      return ok({ kind: 'data', value: { kind: 'mnist' } });
    case 'idx':
    case 'cifar10':
      if (!rest) return fail('invalid-value', `\`${param.name}=${kind}\` needs a folder: ${kind}:DIR`);
      return ok({ kind: 'data', value: { kind, dir: at(rest) } });
    case 'libsvm':
    case 'mat': {
      const [train, test, ...extra] = rest.split(',');
      if (!train || test === '' || extra.length > 0) return fail('invalid-value', `\`${param.name}=${kind}\` needs ${kind}:TRAIN or ${kind}:TRAIN,TEST, not \`${text}\``);
      return ok({ kind: 'data', value: test === undefined ? { kind, train: at(train) } : { kind, train: at(train), test: at(test) } });
    }
    default: {
      const close = suggest(kind, DATA_KINDS.map((name) => ({ name })));
      const suggestion = close === undefined ? undefined : close === 'mnist' ? 'mnist' : `${close}:${rest || 'DIR'}`;
      const hint = suggestion ? `; did you mean \`${suggestion}\`?` : '';
      return fail('invalid-value', `\`${param.name}\` must be ${usage}, not \`${text}\`${hint}`, suggestion);
    }
  }
}

/** Why a `~` path cannot be read, if it cannot: `~user/…` is not expanded, and `~/…` needs the home folder. */
function homeProblem(paths: string, ctx: ValueContext): string | undefined {
  for (const path of paths.split(',')) {
    if (!path.startsWith('~')) continue;
    if (!/^~([\\/]|$)/.test(path)) return `\`${path}\`: only \`~/\` (your home folder) is expanded, not \`~user\`; write the full path`;
    if (!ctx.homeDir) return `\`${path}\`: the home folder is not known here, so \`~\` cannot be expanded; write the full path`;
  }
  return undefined;
}

/**
 * Resolves `path` against `baseDir` by string manipulation only (the language never touches the
 * file system). Absolute paths and paths without a base are returned as written.
 */
export function resolvePath(baseDir: string | undefined, path: string, homeDir?: string): string {
  if (homeDir && /^~([\\/]|$)/.test(path)) return resolvePath(homeDir, path.slice(1).replace(/^[\\/]/, '') || '.');
  if (!baseDir || /^([a-zA-Z]:[\\/]|[\\/]|~)/.test(path)) return path;
  const sep = baseDir.includes('\\') && !baseDir.includes('/') ? '\\' : '/';
  const root = /^([a-zA-Z]:)?[\\/]*/.exec(baseDir)![0];
  const segments = baseDir.slice(root.length).split(/[\\/]/).filter((s) => s !== '' && s !== '.');
  for (const seg of path.split(/[\\/]/)) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..' && segments.length > 0 && segments[segments.length - 1] !== '..') segments.pop();
    else if (seg === '..' && root) continue; // cannot go above the root
    else segments.push(seg);
  }
  return root + segments.join(sep);
}
