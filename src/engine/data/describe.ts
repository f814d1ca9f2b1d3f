// Human-readable summaries of data sets, and the buffers to transfer when posting one to a webview.

import type { Dataset } from './dataset';
import { formatCount } from '../../lang/format';

/** "fashion (idx: 60,000 train / 10,000 test)": what every loader names its data set. */
export function datasetName(title: string, kind: string, train: number, test: number, testKind = 'test'): string {
  return `${title} (${kind}: ${formatCount(train)} train / ${formatCount(test)} ${testKind})`;
}

/** One line, e.g. "mnist (built-in: 8,000 train / 2,000 test) · 1×28×28 · 10 classes". */
export function describeDataset(d: Dataset): string {
  // Names that only repeat the class numbers (LIBSVM labels 0..K−1) add nothing.
  const informative = d.classNames && d.classNames.length <= 10 && d.classNames.some((n, k) => n !== String(k));
  const names = informative ? ` (${d.classNames!.join(', ')})` : '';
  return `${d.name} · ${d.shape.join('×')} · ${d.classes} classes${names}`;
}

/**
 * The distinct ArrayBuffers behind a data set's arrays, for `postMessage(d, transferables)`.
 * Every loader in this folder gives each array a buffer of its own, so transferring them moves
 * exactly the data set and nothing else (after the transfer the sender's arrays are empty).
 */
export function datasetTransferables(d: Dataset): ArrayBuffer[] {
  const arrays = [d.train.images, d.train.labels, d.test.images, d.test.labels];
  return [...new Set(arrays.map((a) => a.buffer as ArrayBuffer))];
}
