// simpleNN's data sets (github.com/cjlin1/simpleNN): MAT-files holding labels `y` (l×1, classes
// 1..K) and a dense feature matrix `Z` (l × a·b·d), each row one image with its pixels row by row,
// channel after channel (simpleNN's default "row-wise" input format), which is ConvLab's C×H×W.

import { formatCount } from '../../../lang/format';
import type { Dataset, Split } from '../dataset';
import { datasetName } from '../describe';
import { DataError } from '../errors';
import { seededSplit } from '../split';
import type { MatArray } from './mat-file';

/** Labels and features of one file, still as MATLAB stored them. */
export interface MatExamples {
  readonly file: string;
  readonly y: MatArray;
  readonly Z: MatArray;
}

/** Share of the training file held out as the test set when no test file is given (as for LIBSVM). */
const HOLDOUT = 0.2;
const MAX_CLASSES = 256;

/** Picks `y` and `Z` out of a file's variables, checking that they describe the same examples. */
export function matExamples(vars: ReadonlyMap<string, MatArray>, file: string): MatExamples {
  const pick = (name: string, what: string) => {
    const v = vars.get(name);
    if (!v) throw new DataError(file, `has no variable '${name}' (${what}); it holds: ${[...vars.keys()].join(', ') || 'no numeric variables'}`);
    if (v.dims.length !== 2) throw new DataError(file, `variable '${name}' has ${v.dims.length} dimensions (${v.dims.join('×')}); expected a matrix`);
    return v;
  };
  const y = pick('y', 'the labels'), Z = pick('Z', 'the features');
  if (y.dims[1] !== 1 && y.dims[0] !== 1) throw new DataError(file, `variable 'y' is ${y.dims.join('×')}; expected a vector of labels (l×1)`);
  if (y.data.length !== Z.dims[0]) {
    throw new DataError(file, `'y' has ${formatCount(y.data.length)} labels but 'Z' has ${formatCount(Z.dims[0])} rows (examples)`);
  }
  if (Z.dims[0] === 0) throw new DataError(file, "'Z' has no rows (examples)");
  return { file, y, Z };
}

/** 1×s×s when the feature count is a square s² with s ≥ 8, else 1×1×F: the LIBSVM rule, used without a model shape. */
export function guessShape(features: number): [number, number, number] {
  const s = Math.round(Math.sqrt(features));
  return s >= 8 && s * s === features ? [1, s, s] : [1, 1, features];
}

/**
 * A data set from a training file and an optional test file (else 20 % of the training examples,
 * seeded). Labels: the sorted distinct values of `y` in both files become classes 0..K−1, so
 * simpleNN's 1..K become 0..K−1. `shape` (the model's input) must hold exactly Z's column count.
 */
export function matDataset(train: MatExamples, test: MatExamples | undefined, title: string, seed: number,
  shape?: readonly [number, number, number]): Dataset {
  const features = train.Z.dims[1];
  const [c, h, w] = shape ?? guessShape(features);
  for (const part of test ? [train, test] : [train]) {
    if (part.Z.dims[1] !== c * h * w) {
      throw new DataError(part.file, `'Z' has ${formatCount(part.Z.dims[1])} columns per example but the model's input ` +
        `${c}×${h}×${w} needs ${formatCount(c * h * w)}`);
    }
  }
  const labels = sortedLabels(test ? [train, test] : [train]);
  const classOf = new Map(labels.map((v, k) => [v, k]));
  const toSplit = (part: MatExamples): Split => {
    const l = part.Z.dims[0], images = new Float32Array(l * features), out = new Uint8Array(l);
    // Z is column-major: Z(i, j) is data[i + l·j]; each example becomes one row of `images`.
    for (let j = 0; j < features; j++) for (let i = 0; i < l; i++) images[i * features + j] = part.Z.data[i + l * j];
    for (let i = 0; i < l; i++) out[i] = classOf.get(part.y.data[i])!;
    return { count: l, images, labels: out, labelFiles: [{ name: part.file, count: l }] };
  };
  const trainSplit = toSplit(train);
  const [trainPart, testPart] = test ? [trainSplit, toSplit(test)]
    : seededSplit(trainSplit, features, trainSplit.count - Math.max(1, Math.round(trainSplit.count * HOLDOUT)), seed);
  return {
    name: datasetName(title, 'mat', trainPart.count, testPart.count, test ? 'test' : 'held-out test'),
    shape: [c, h, w], classes: labels.length, classNames: labels.map(String), train: trainPart, test: testPart,
  };
}

function sortedLabels(parts: readonly MatExamples[]): number[] {
  const seen = new Set<number>();
  for (const { file, y } of parts) {
    for (let i = 0; i < y.data.length; i++) {
      const v = y.data[i];
      if (!Number.isInteger(v)) throw new DataError(file, `label ${formatCount(i)} (counting from 0) of 'y' is ${v}; labels must be integers`);
      seen.add(v);
    }
  }
  if (seen.size > MAX_CLASSES) throw new DataError(parts[0].file, `'y' holds ${formatCount(seen.size)} distinct labels; at most ${MAX_CLASSES} classes are supported`);
  return [...seen].sort((a, b) => a - b);
}
