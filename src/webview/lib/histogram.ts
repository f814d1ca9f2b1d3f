// Histogram binning and norms of gradient tensors (computed where the gradients are read back, so
// only a few dozen numbers per tensor travel to the UI). Pure: unit-tested.

export interface Histogram {
  /** Left edge of the first bin and right edge of the last. */
  readonly min: number;
  readonly max: number;
  /** counts[k] = values in [min + k·w, min + (k+1)·w), the last bin closed on the right. */
  readonly counts: number[];
  /** Values that were NaN or ±Infinity (not binned). */
  readonly nonFinite: number;
}

/**
 * `bins` equal-width bins over the finite range of `values`. A constant tensor gets one centred unit
 * range so it still draws as a single bar.
 */
export function histogram(values: ArrayLike<number>, bins: number): Histogram {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a positive integer, got ${bins}`);
  let min = Infinity, max = -Infinity, nonFinite = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!Number.isFinite(x)) { nonFinite++; continue; }
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const counts = new Array<number>(bins).fill(0);
  if (min > max) return { min: 0, max: 0, counts, nonFinite };
  if (min === max) {
    const half = min === 0 ? 0.5 : Math.abs(min) * 0.5;
    min -= half;
    max += half;
  }
  const scale = bins / (max - min);
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (!Number.isFinite(x)) continue;
    counts[Math.min(bins - 1, Math.floor((x - min) * scale))]++;
  }
  return { min, max, counts, nonFinite };
}

/** Centre of each bin, for plotting. */
export function binCenters(h: Histogram): number[] {
  const w = (h.max - h.min) / h.counts.length;
  return h.counts.map((_, k) => h.min + (k + 0.5) * w);
}

/** Euclidean norm, accumulated in f64. */
export function l2norm(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] * values[i];
  return Math.sqrt(s);
}
