// Model files for the fuzz suite: random bytes and unicode, statement-like token soup (huge numbers,
// zero kernels, broken `train` lines, every line ending), mutations of the shipped examples, and a
// few pathological big files.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { STATEMENTS } from '../../../src/lang';

const keywords = STATEMENTS.map((s) => s.keyword);
const keys = [...new Set(STATEMENTS.flatMap((s) => [...s.params.map((p) => p.name), ...s.params.flatMap((p) => p.aliases ?? [])]))];

const HUGE = ['0', '-0', '-1', '1e308', '1e309', '-1e309', '1e-400', '99999999999999999999', '4294967295', '4294967296',
  '9007199254740993', '2147483648', 'NaN', 'Infinity', '-Infinity', '0x10', '1_000', '.5', '5.', '1e3', '3.0', '10000000'];
const UNICODE = ['×', 'ｘ', '🙂', '👩‍👩‍👧', 'e\u0301', '\u200b', '\u200f', 'ي', '\u2028', '\u0085', '\ufeff', '\t', '\v', '\f', '\u00a0', '\ud800', '\udfff'];
const PUNCT = ['#', '=', '==', '"', '""', ',', ':', 'x', '\\', '~', '..', '/', ' ', '  '];
const DATA = ['mnist', 'idx:', 'idx:d', 'cifar10:data', 'libsvm:a', 'libsvm:a,b', 'libsvm:a,b,c', 'libsvm:,', '"idx:my data"',
  '"idx:unterminated', '~/x', '../../../etc', 'cifar10:', 'foo:bar', '0.1', '1', ''];

const number = fc.oneof(fc.constantFrom(...HUGE), fc.integer({ min: -5, max: 100 }).map(String), fc.double().map(String));
const dims = fc.array(fc.oneof(fc.constantFrom(...HUGE), fc.integer({ min: 0, max: 64 }).map(String)), { minLength: 1, maxLength: 4 })
  .chain((d) => fc.constantFrom('x', '×', 'X', ',', '*').map((sep) => d.join(sep)));
const setting = fc.tuple(fc.constantFrom(...keys, 'kernal', 'Kernel', ''), fc.constantFrom('=', ' = ', '= ', ' ='),
  fc.oneof(number, dims, fc.constantFrom(...DATA, 'same', 'valid', 'true', 'adam', 'sgd', 'mse', ''), fc.string({ maxLength: 5 })))
  .map(([k, eq, v]) => `${k}${eq}${v}`);
const token = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...keywords, 'Conv', 'DENSE', 'kernel', 'layer') },
  { weight: 4, arbitrary: setting },
  { weight: 3, arbitrary: number },
  { weight: 2, arbitrary: dims },
  { weight: 1, arbitrary: fc.constantFrom(...UNICODE, ...PUNCT) },
  { weight: 1, arbitrary: fc.string({ maxLength: 6, unit: 'grapheme' }) },
);
const lineEnding = fc.constantFrom('\n', '\n', '\r\n', '\r');

/** Joins lines with line endings chosen one by one (mixed endings happen in pasted text). */
function joinLines(lines: readonly string[], endings: readonly string[]): string {
  return lines.map((l, i) => l + (i < lines.length - 1 ? endings[i % endings.length] : '')).join('');
}

const statementLine = fc.tuple(fc.constantFrom('', '', ' ', '\t', '    '), fc.array(token, { maxLength: 7 }), fc.option(fc.string({ maxLength: 8 })))
  .map(([indent, words, comment]) => indent + words.join(' ') + (comment === null ? '' : ` # ${comment}`));

/** Lines that look like the language, so generated files reach deep into the checkers. */
export const tokenSoup = fc.tuple(fc.option(dims), fc.array(statementLine, { maxLength: 25 }), fc.array(lineEnding, { minLength: 1, maxLength: 4 }))
  .map(([input, lines, endings]) => joinLines(input === null ? lines : [`input ${input}`, ...lines], endings));

/** A plausible model followed by a `train` statement broken in one of many ways, often over continuation lines. */
export const brokenTrain = fc.tuple(
  fc.array(fc.oneof(setting, fc.constantFrom('train', '=', 'data', 'data=', '=mnist', 'epochs', '"', 'lr=1e-400', 'seed=-1')), { maxLength: 8 }),
  fc.array(fc.tuple(fc.constantFrom(' ', '      ', '\t', ''), fc.array(setting, { maxLength: 3 })).map(([i, s]) => i + s.join(' ')), { maxLength: 5 }),
  fc.constantFrom('train', 'Train', 'training', 'fit', 'train train'),
  lineEnding,
).map(([args, continuation, keyword, nl]) => ['input 1x28x28', 'flatten', 'dense 10', 'softmax', `${keyword} ${args.join(' ')}`, ...continuation].join(nl));

/** Random bytes read as UTF-8 (with replacement characters) or as Latin-1. */
export const randomBytes = fc.tuple(fc.uint8Array({ maxLength: 400 }), fc.boolean())
  .map(([bytes, utf8]) => (utf8 ? new TextDecoder('utf-8').decode(bytes) : Buffer.from(bytes).toString('latin1')));

/** Any unicode, lone surrogates included. */
export const unicodeText = fc.oneof(
  fc.string({ maxLength: 300, unit: 'grapheme' }),
  fc.string({ maxLength: 300, unit: 'binary' }),
  fc.array(fc.constantFrom(...UNICODE, ...PUNCT, ...keywords, '\n', '\r\n'), { maxLength: 60 }).map((p) => p.join('')),
);

function examplesFolder(): string {
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'examples');
  }
  throw new Error(`no package.json above ${__dirname}`);
}

/** The shipped example models, by file name. */
export const EXAMPLES: ReadonlyMap<string, string> = new Map(
  readdirSync(examplesFolder()).filter((f) => f.endsWith('.cnn')).sort().map((f) => [f, readFileSync(join(examplesFolder(), f), 'utf8')]),
);

type Mutation = (text: string) => string;
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.oneof(token, fc.constantFrom(...UNICODE, '\n', '\r\n', '\r'))).map(([at, s]) => (t: string) => {
    const i = at % (t.length + 1);
    return t.slice(0, i) + s + t.slice(i);
  }),
  fc.tuple(fc.nat(), fc.nat({ max: 20 })).map(([at, n]) => (t: string) => {
    const i = at % (t.length + 1);
    return t.slice(0, i) + t.slice(i + n);
  }),
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => (t: string) => {
    const lines = t.split('\n');
    const i = a % lines.length, j = b % lines.length;
    [lines[i], lines[j]] = [lines[j], lines[i]];
    return lines.join('\n');
  }),
  fc.tuple(fc.nat(), fc.nat({ max: 3 })).map(([a, times]) => (t: string) => {
    const lines = t.split('\n');
    const i = a % lines.length;
    lines.splice(i, 0, ...Array.from({ length: times + 1 }, () => lines[i]));
    return lines.join('\n');
  }),
  fc.tuple(fc.nat(), fc.constantFrom(...HUGE)).map(([a, n]) => (t: string) => {
    let k = 0;
    const target = a % Math.max(1, (t.match(/\d+(\.\d+)?/g) ?? []).length);
    return t.replace(/\d+(\.\d+)?/g, (m) => (k++ === target ? n : m));
  }),
  fc.constantFrom<Mutation>((t) => t.replace(/\n/g, '\r\n'), (t) => t.replace(/\n/g, '\r'), (t) => '\ufeff' + t, (t) => t.toUpperCase()),
);

/** An example model after 1 to 8 random mutations, and the example it came from. */
export const mutatedExample = fc.tuple(fc.constantFrom(...EXAMPLES.keys()), fc.array(mutation, { minLength: 1, maxLength: 8 }))
  .map(([name, mutations]) => ({ name, text: mutations.reduce((t, m) => m(t), EXAMPLES.get(name)!) }));

/** Numbers that choose the positions checkFile probes. */
export const picks = fc.array(fc.nat(), { minLength: 6, maxLength: 6 });

function repeatLines(lines: number, body: readonly string[], head: readonly string[] = [], tail: readonly string[] = []): string {
  const out = [...head];
  while (out.length < lines - tail.length) out.push(body[out.length % body.length]);
  return [...out, ...tail].join('\n');
}

/** Few and deterministic: big files, huge sizes and long lines, each of which must stay fast and small. */
export const PATHOLOGICAL: ReadonlyArray<readonly [string, string]> = [
  ['10,000 conv lines', repeatLines(10_000, ['conv 8 kernel=3 pad=same', 'relu', 'batchnorm'], ['input 3x32x32'], ['flatten', 'dense 10', 'softmax', 'train data=mnist'])],
  ['10,000 shrinking pools', repeatLines(10_000, ['maxpool 2', 'conv 0 kernel=0'], ['input 3x4096x4096'])],
  ['10,000 train continuation lines', repeatLines(10_000, ['      epochs=3 batch=8', '      lr=0.1 kernal=2', '      data=idx:x'], ['input 1x28x28', 'flatten', 'dense 10', 'softmax', 'train'])],
  ['10,000 CRLF lines of unicode', repeatLines(10_000, ['conv 🙂 kernel=ｘ', '\u200bdense 10', 'ي = ×', '# "'], []).replace(/\n/g, '\r\n')],
  ['10,000 huge dense layers', repeatLines(10_000, ['dense 10000000', 'relu'], ['input 3x10000x10000', 'flatten'])],
  ['dense 10000000 after a big map', 'input 3x100000x100000\nconv 4096 kernel=1\nflatten\ndense 10000000\nsoftmax\ntrain data=mnist batch=1000000'],
  ['u32-sized input', 'input 4294967295x4294967295x4294967295\nconv 4294967295 kernel=4294967295 stride=4294967295\nflatten\ndense 4294967295'],
  ['kernel=0 and stride=0', 'input 1x28x28\nconv 6 kernel=0\nconv 6 kernel=0x0 stride=0\nmaxpool 0\navgpool 0 stride=0\nflatten\ndense 0\nsoftmax'],
  // 5,000, not 200,000: completionsAt's `key=value` regex backtracks quadratically over one long word
  // (src/extension/completions.ts; reported); LONG_LINES shows the language core does not.
  ['one 5,000-character word', 'input 1x28x28 ' + 'x'.repeat(5000)],
  ['one 20,000-setting line', 'conv ' + Array.from({ length: 20_000 }, (_, i) => `k${i}=${i}`).join(' ')],
  ['one 2,000-value line', 'conv ' + Array.from({ length: 2000 }, (_, i) => String(i)).join(' ')],
  ['a 5,000-character unknown keyword', 'c'.repeat(5000) + 'onv 6\ndense ' + '9'.repeat(50_000)],
  ['200,000 line breaks', '\r\n'.repeat(100_000) + '\r'.repeat(50_000) + '\n'.repeat(50_000)],
];

/** Lines of 200,000 characters and a 50,000-letter keyword, for the language core alone. */
export const LONG_LINES = ['input 1x28x28 ' + 'x'.repeat(200_000) + ' conv 6 ' + 'k=1 '.repeat(20_000), 'c'.repeat(50_000) + 'onv 6'].join('\n');
