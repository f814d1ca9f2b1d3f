// Checking a data set's labels against a model's classes, so a stray label (one 42 in an MNIST
// label file) is reported as that file, that record and that value rather than as a class count.
// Pure: runs wherever a trainer does.

import { formatCount } from '../../lang/format';
import type { Dataset, Split } from './dataset';
import { DataError } from './errors';

/**
 * The first label, training split first, that a model with `classes` outputs cannot score, as an
 * error naming its file, record and value; undefined when every label is below `classes`.
 */
export function labelOutOfRange(dataset: Dataset, classes: number): DataError | undefined {
  for (const [split, which] of [[dataset.train, 'training'], [dataset.test, 'test']] as const) {
    const at = firstLabelAtLeast(split.labels, classes);
    if (at < 0) continue;
    const problem = (where: string) => `${where} has label ${split.labels[at]}, but the model outputs ${classes} class ` +
      `scores, so labels must be 0..${classes - 1}`;
    const file = fileOf(split, at);
    return file
      ? new DataError(file.name, problem(`record ${formatCount(file.record)} (counting from 0)`))
      : new DataError(dataset.name, problem(`${which} example ${formatCount(at)} (counting from 0)`));
  }
  return undefined;
}

function firstLabelAtLeast(labels: Uint8Array, limit: number): number {
  for (let i = 0; i < labels.length; i++) if (labels[i] >= limit) return i;
  return -1;
}

/** The file holding label `index` of `split` and the record it is there. */
function fileOf(split: Split, index: number): { name: string; record: number } | undefined {
  let first = 0;
  for (const file of split.labelFiles ?? []) {
    if (index < first + file.count) return { name: file.name, record: index - first };
    first += file.count;
  }
  return undefined;
}
