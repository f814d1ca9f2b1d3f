// CIFAR-10 binary batches (https://www.cs.toronto.edu/~kriz/cifar.html): records of one label byte
// followed by 3,072 pixel bytes, 1,024 per channel (R, G, B), each 32×32 row-major — already C×H×W.
// Pure: runs in Node and in the webview.

import { formatCount } from '../../lang/format';
import { DataError } from './errors';

export const CIFAR10_SHAPE: readonly [number, number, number] = [3, 32, 32];
export const CIFAR10_IMAGE_BYTES = 3 * 32 * 32;
export const CIFAR10_RECORD_BYTES = 1 + CIFAR10_IMAGE_BYTES;
export const CIFAR10_CLASSES = 10;

/** Number of records in a batch file of `byteLength` bytes; throws unless it is a whole, non-zero number. */
export function cifar10RecordCount(byteLength: number, name: string): number {
  const records = Math.floor(byteLength / CIFAR10_RECORD_BYTES);
  const extra = byteLength % CIFAR10_RECORD_BYTES;
  if (extra !== 0) {
    throw new DataError(name, `truncated or not a CIFAR-10 batch: expected a multiple of ${formatCount(CIFAR10_RECORD_BYTES)} ` +
      `bytes (1 label byte + ${formatCount(CIFAR10_IMAGE_BYTES)} pixel bytes per image), got ${formatCount(byteLength)} ` +
      `(${formatCount(records)} whole records and ${formatCount(extra)} bytes more; the next whole record needs ` +
      `${formatCount((records + 1) * CIFAR10_RECORD_BYTES)} bytes in all)`);
  }
  if (records === 0) throw new DataError(name, 'is empty: a CIFAR-10 batch needs at least one record');
  return records;
}

/**
 * Copies whole records into preallocated arrays: pixels to `images` from example `at` on, labels to
 * `labels[at…]`. `firstRecord` is the index of records[0] within its file, for messages only, so a
 * large file can be read in chunks without building it in memory twice.
 */
export function copyCifar10Records(records: Uint8Array, name: string, firstRecord: number,
  images: Uint8Array, labels: Uint8Array, at: number): void {
  const n = records.length / CIFAR10_RECORD_BYTES;
  if (!Number.isInteger(n)) throw new RangeError(`${name}: ${records.length} bytes is not a whole number of records`);
  if ((at + n) * CIFAR10_IMAGE_BYTES > images.length || at + n > labels.length) {
    throw new RangeError(`${name}: no room for ${n} records at example ${at}`);
  }
  for (let r = 0; r < n; r++) {
    const from = r * CIFAR10_RECORD_BYTES;
    const label = records[from];
    if (label >= CIFAR10_CLASSES) {
      const index = firstRecord + r;
      throw new DataError(name, `record ${formatCount(index)} (byte offset ${formatCount(index * CIFAR10_RECORD_BYTES)}) has label ` +
        `${label}, out of range: CIFAR-10 labels are 0..9`);
    }
    labels[at + r] = label;
    images.set(records.subarray(from + 1, from + CIFAR10_RECORD_BYTES), (at + r) * CIFAR10_IMAGE_BYTES);
  }
}

/** One whole batch file, parsed into arrays of its own. */
export function parseCifar10Batch(bytes: Uint8Array, name: string): { count: number; images: Uint8Array; labels: Uint8Array } {
  const n = cifar10RecordCount(bytes.length, name);
  const images = new Uint8Array(n * CIFAR10_IMAGE_BYTES);
  const labels = new Uint8Array(n);
  copyCifar10Records(bytes, name, 0, images, labels, 0);
  return { count: n, images, labels };
}

/** Class names from `batches.meta.txt`: one per line, blank lines ignored; there must be exactly ten. */
export function parseCifar10ClassNames(text: string, name: string): string[] {
  const names = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  if (names.length !== CIFAR10_CLASSES) {
    throw new DataError(name, `lists ${names.length} class names, expected ${CIFAR10_CLASSES} (one per line)`);
  }
  return names;
}
