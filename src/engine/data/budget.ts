// The data budget: how many bytes one data set may make the loader hold, checked against headers
// and file sizes before anything is allocated, so a wrong header or a gzip bomb is a clear error
// naming the file instead of an out-of-memory process. Pure: no Node APIs.

import { formatBytes, formatCount } from '../../lang/format';
import { DataError } from './errors';

/** Default for LoadOptions.maxDataBytes: 2 GiB, several times full-size CIFAR-10. */
export const DEFAULT_MAX_DATA_BYTES = 2 * 1024 ** 3;

/** Counts the bytes a load reserves (file contents, decompressed text, dense arrays) against one limit. */
export class DataBudget {
  private used = 0;

  constructor(readonly limit: number = DEFAULT_MAX_DATA_BYTES) {
    if (!(limit > 0)) throw new RangeError(`the data budget must be a positive number of bytes, got ${limit}`);
  }

  /** Bytes still available. */
  get left(): number { return Math.max(0, this.limit - this.used); }

  /** Claims `bytes` for `what` in `source`; throws a DataError naming both when they do not fit. */
  reserve(bytes: number, source: string, what: string): void {
    if (bytes > this.left) throw this.overrun(bytes, source, what);
    this.used += bytes;
  }

  /** The error for `what` in `source` needing `bytes` (maybe a lower bound) that do not fit. */
  overrun(bytes: number, source: string, what: string): DataError {
    const earlier = this.used > 0 ? ` (${formatBytes(this.used)} already taken by this data set)` : '';
    return new DataError(source, `${what} needs ${formatCount(bytes)} bytes (${formatBytes(bytes)}), more than the ` +
      `${formatBytes(this.left)} left of the data budget of ${formatBytes(this.limit)}${earlier}; ` +
      'raise the maxDataBytes option if the data set really is this large');
  }
}
