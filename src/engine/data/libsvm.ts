// LIBSVM / SVMlight text format: one example per line, `label index:value index:value ...`, indices
// 1-based and ascending, absent features zero, `#` starts a comment. Pure: runs in Node and in the
// webview; the Node layer streams a file through LibsvmReader chunk by chunk.
//
// Decisions (docs/data.md):
// - labels must be integers; the sorted distinct labels of train and test together become classes
//   0..K−1, and classNames[k] is the label as written in the file (so "-1"/"+1" become "-1", "1");
// - features are float32; the feature count is the largest index in either file (or given);
// - shape is 1×s×s when the feature count is a perfect square s² with s ≥ 8 (784 → 1×28×28), else
//   1×1×F: small squares such as 4 or 9 are almost always tabular data, not images.

import type { Dataset, Split } from './dataset';
import { datasetName } from './describe';
import { formatCount } from '../../lang/format';
import { DataError } from './errors';
import { Growable } from './growable';
import { seededSplit } from './split';

/** Examples as read, before the label mapping and the feature count are known: labels as written, features in CSR form. */
export interface LibsvmSparse {
  readonly name: string;
  readonly count: number;
  /** Label of each example as written (an integer). */
  readonly labels: Float64Array;
  /** Example i's features are entries [rowStart[i], rowStart[i + 1]) of `indices` and `values`. */
  readonly rowStart: Uint32Array;
  /** Zero-based feature index (the file's index − 1). */
  readonly indices: Uint32Array;
  readonly values: Float32Array;
  /** Largest 1-based feature index seen, 0 when no example has features. */
  readonly maxFeature: number;
}

/** Largest number of classes a Split's Uint8Array labels can hold. */
export const MAX_CLASSES = 256;
/** Dense features beyond this many float32 values (1 GiB) are refused with a clear message rather than an allocation failure. */
export const MAX_DENSE_VALUES = 2 ** 28;

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INDEX = /^\d+$/;

const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 13 || c === 11 || c === 12;

/** A token as shown in messages: quoted, control characters escaped, long ones cut (a binary file makes huge "tokens"). */
const quote = (token: string): string => JSON.stringify(token.length > 40 ? token.slice(0, 40) + '…' : token);

/** Parses LIBSVM text pushed in chunks of any size (lines may span chunks). */
export class LibsvmReader {
  private readonly labels = new Growable(Float64Array);
  private readonly rowStart = new Growable(Uint32Array);
  private readonly indices = new Growable(Uint32Array);
  private readonly values = new Growable(Float32Array);
  private maxFeature = 0;
  private lineNumber = 0;
  private pending = '';

  /** `featureCount`, when given, is an upper bound checked on every index. */
  constructor(private readonly name: string, private readonly featureCount?: number) {
    this.rowStart.push(0);
  }

  push(text: string): void {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const line = this.pending + text.slice(start, nl);
      this.pending = '';
      this.line(line);
      start = nl + 1;
    }
    this.pending += text.slice(start);
  }

  finish(): LibsvmSparse {
    if (this.pending.length > 0) this.line(this.pending);
    this.pending = '';
    const count = this.labels.length;
    if (count === 0) throw new DataError(this.name, 'contains no examples (every line is blank or a comment)');
    return {
      name: this.name, count, labels: this.labels.toArray(), rowStart: this.rowStart.toArray(),
      indices: this.indices.toArray(), values: this.values.toArray(), maxFeature: this.maxFeature,
    };
  }

  private fail(column: number, problem: string): never {
    throw new DataError(this.name, `line ${this.lineNumber}, column ${column}: ${problem}`);
  }

  private line(text: string): void {
    this.lineNumber++;
    const hash = text.indexOf('#');
    const end = hash >= 0 ? hash : text.length;
    let previous = 0;
    let sawLabel = false;
    for (let i = 0; i < end;) {
      while (i < end && isSpace(text.charCodeAt(i))) i++;
      if (i === end) break;
      const from = i;
      while (i < end && !isSpace(text.charCodeAt(i))) i++;
      const token = text.slice(from, i);
      const column = from + 1;
      if (!sawLabel) {
        this.labels.push(this.label(token, column));
        sawLabel = true;
      } else {
        previous = this.feature(token, column, previous);
      }
    }
    if (sawLabel) this.rowStart.push(this.indices.length);
  }

  private label(token: string, column: number): number {
    if (!NUMBER.test(token)) {
      this.fail(column, `expected a class label (an integer) at the start of the line, got ${quote(token)}`);
    }
    const value = Number(token);
    if (!Number.isSafeInteger(value)) {
      this.fail(column, `label ${token} is not an integer; ConvLab trains classifiers, so labels must be class numbers`);
    }
    return value;
  }

  /** Parses `index:value`, stores it and returns the 1-based index. */
  private feature(token: string, column: number, previous: number): number {
    const colon = token.indexOf(':');
    if (colon < 0) this.fail(column, `expected index:value, got ${quote(token)}`);
    const indexText = token.slice(0, colon), valueText = token.slice(colon + 1);
    if (!INDEX.test(indexText)) {
      this.fail(column, `feature index ${quote(indexText)} in ${quote(token)} is not a positive integer`);
    }
    const index = Number(indexText);
    if (index === 0) this.fail(column, `feature index 0 in ${quote(token)}: LIBSVM indices start at 1`);
    if (index <= previous) {
      this.fail(column, `feature index ${index} comes after ${previous}: LIBSVM indices must be in ascending order`);
    }
    if (this.featureCount !== undefined && index > this.featureCount) {
      this.fail(column, `feature index ${index} exceeds the ${formatCount(this.featureCount)} features expected`);
    }
    if (!NUMBER.test(valueText)) this.fail(column + colon + 1, `value ${quote(valueText)} of feature ${index} is not a number`);
    const value = Number(valueText);
    if (!Number.isFinite(Math.fround(value))) {
      this.fail(column + colon + 1, `value ${valueText} of feature ${index} does not fit in a 32-bit float`);
    }
    this.indices.push(index - 1);
    this.values.push(value);
    if (index > this.maxFeature) this.maxFeature = index;
    return index;
  }
}

/** The sorted distinct labels of all parts: class k stands for labels[k]. */
export function libsvmClassLabels(parts: readonly LibsvmSparse[]): number[] {
  const distinct = new Set<number>();
  for (const part of parts) for (const label of part.labels) distinct.add(label);
  const labels = [...distinct].sort((a, b) => a - b);
  if (labels.length > MAX_CLASSES) {
    throw new DataError(parts.map((p) => p.name).join(' + '),
      `has ${formatCount(labels.length)} distinct labels; ConvLab supports at most ${MAX_CLASSES} classes`);
  }
  return labels;
}

/** [1, s, s] when featureCount = s² with s ≥ 8, else [1, 1, featureCount]. */
export function libsvmShape(featureCount: number): [number, number, number] {
  const side = Math.round(Math.sqrt(featureCount));
  return side >= 8 && side * side === featureCount ? [1, side, side] : [1, 1, featureCount];
}

/** Dense float32 features (count × featureCount) and class indices under `classLabels`. */
export function densifyLibsvm(sparse: LibsvmSparse, featureCount: number, classLabels: readonly number[]): Split {
  if (sparse.maxFeature > featureCount) {
    throw new DataError(sparse.name, `uses feature ${formatCount(sparse.maxFeature)}, beyond the ${formatCount(featureCount)} features expected`);
  }
  if (sparse.count * featureCount > MAX_DENSE_VALUES) {
    throw new DataError(sparse.name, `${formatCount(sparse.count)} examples × ${formatCount(featureCount)} features is too large ` +
      `to hold densely (limit ${formatCount(MAX_DENSE_VALUES)} values, 1 GiB)`);
  }
  const classOf = new Map(classLabels.map((label, k) => [label, k]));
  const images = new Float32Array(sparse.count * featureCount);
  const labels = new Uint8Array(sparse.count);
  for (let i = 0; i < sparse.count; i++) {
    const k = classOf.get(sparse.labels[i]);
    if (k === undefined) throw new DataError(sparse.name, `example ${i + 1} has label ${sparse.labels[i]}, which is not a known class`);
    labels[i] = k;
    const row = i * featureCount;
    for (let e = sparse.rowStart[i]; e < sparse.rowStart[i + 1]; e++) images[row + sparse.indices[e]] = sparse.values[e];
  }
  return { count: sparse.count, images, labels };
}

export interface LibsvmTable {
  readonly split: Split;
  readonly shape: [number, number, number];
  readonly featureCount: number;
  /** Class k stands for the label classLabels[k] as written in the file. */
  readonly classLabels: number[];
}

/** A whole LIBSVM text, dense, with its own label mapping. `featureCount` defaults to the largest index used. */
export function parseLibsvm(text: string, name: string, featureCount?: number): LibsvmTable {
  const reader = new LibsvmReader(name, featureCount);
  reader.push(text);
  return libsvmTables([reader.finish()], featureCount)[0];
}

/**
 * Densifies several parts (a training file and its test file) with one label mapping and one
 * feature count, so class k and feature j mean the same thing in all of them.
 */
export function libsvmTables(parts: readonly LibsvmSparse[], featureCount?: number): LibsvmTable[] {
  const features = featureCount ?? Math.max(...parts.map((p) => p.maxFeature));
  if (features === 0) throw new DataError(parts.map((p) => p.name).join(' + '), 'has no features: no line has an index:value pair');
  const classLabels = libsvmClassLabels(parts);
  const shape = libsvmShape(features);
  return parts.map((p) => ({ split: densifyLibsvm(p, features, classLabels), shape, featureCount: features, classLabels }));
}

/** Share of a lone training file held out as the test set. */
export const LIBSVM_HOLDOUT = 0.2;

/**
 * A data set from a training file and, optionally, a test file. Without a test file, a seeded
 * shuffle holds out round(20 %) of the examples (at least one) as the test set.
 */
export function libsvmDataset(train: LibsvmSparse, test: LibsvmSparse | undefined, title: string, seed: number): Dataset {
  const tables = libsvmTables(test ? [train, test] : [train]);
  const { shape, featureCount, classLabels } = tables[0];
  let trainSplit = tables[0].split, testSplit: Split;
  if (tables[1]) {
    testSplit = tables[1].split;
  } else {
    if (train.count < 2) throw new DataError(train.name, 'has only 1 example; a test set needs at least 2 (or give a test file)');
    const held = Math.max(1, Math.round(train.count * LIBSVM_HOLDOUT));
    [trainSplit, testSplit] = seededSplit(trainSplit, featureCount, train.count - held, seed);
  }
  return {
    name: datasetName(title, 'libsvm', trainSplit.count, testSplit.count, test ? 'test' : 'held-out test'),
    shape, classes: classLabels.length, classNames: classLabels.map(String), train: trainSplit, test: testSplit,
  };
}
