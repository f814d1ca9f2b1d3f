// Plot data: a growable (x, y) series, exponential smoothing and decimation for drawing.
// Pure: unit-tested, no DOM.

/** Append-only numeric series backed by typed arrays that double when full. */
export class Series {
  private xs: Float64Array;
  private ys: Float64Array;
  private n = 0;

  constructor(capacity = 256) {
    this.xs = new Float64Array(capacity);
    this.ys = new Float64Array(capacity);
  }

  get length(): number { return this.n; }
  get x(): Float64Array { return this.xs.subarray(0, this.n); }
  get y(): Float64Array { return this.ys.subarray(0, this.n); }
  get lastX(): number | undefined { return this.n > 0 ? this.xs[this.n - 1] : undefined; }
  get lastY(): number | undefined { return this.n > 0 ? this.ys[this.n - 1] : undefined; }

  push(x: number, y: number): void {
    if (this.n === this.xs.length) {
      const grow = (a: Float64Array) => { const b = new Float64Array(a.length * 2); b.set(a); return b; };
      this.xs = grow(this.xs);
      this.ys = grow(this.ys);
    }
    this.xs[this.n] = x;
    this.ys[this.n] = y;
    this.n++;
  }

  clear(): void { this.n = 0; }

  /** Drops the points after x = maxX (x is non-decreasing), e.g. when resuming from an earlier step. */
  truncateAfter(maxX: number): void {
    while (this.n > 0 && this.xs[this.n - 1] > maxX) this.n--;
  }

  static from(xs: ArrayLike<number>, ys: ArrayLike<number>): Series {
    const s = new Series(Math.max(16, xs.length));
    for (let i = 0; i < Math.min(xs.length, ys.length); i++) s.push(xs[i], ys[i]);
    return s;
  }
}

/**
 * Debiased exponential moving average (TensorBoard's smoothing): s_t = β·s_{t−1} + (1−β)·y_t, divided
 * by 1 − β^t so the start is not pulled towards 0. Non-finite values are carried as NaN and skipped.
 * `weight` β ∈ [0, 1): 0 = no smoothing.
 */
export function smooth(ys: ArrayLike<number>, weight: number): Float64Array {
  if (!(weight >= 0 && weight < 1)) throw new RangeError(`smoothing weight must be in [0, 1), got ${weight}`);
  const out = new Float64Array(ys.length);
  let acc = 0, count = 0;
  for (let i = 0; i < ys.length; i++) {
    const y = ys[i];
    if (!Number.isFinite(y)) { out[i] = NaN; continue; }
    acc = weight * acc + (1 - weight) * y;
    count++;
    out[i] = acc / (1 - weight ** count);
  }
  return out;
}

/**
 * A y range that fits the data, [min, max] with a margin of a tenth of its span on each side (at least
 * `minSpan` in all, so a flat curve is not magnified into noise), kept within `within`; `within`
 * itself while there is no data. For accuracies: a run at 97–99 % is not a flat line at the top.
 */
export function fittedRange(min: number | null, max: number | null, within: readonly [number, number], minSpan = 0.02): [number, number] {
  if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max) || max < min) return [within[0], within[1]];
  const pad = Math.max((max - min) / 10, (minSpan - (max - min)) / 2, 0);
  return [Math.max(within[0], min - pad), Math.min(within[1], max + pad)];
}

/**
 * Reduces a series to at most `maxPoints` points for drawing, keeping its shape: the x range is cut
 * into maxPoints/2 equal buckets and each keeps its minimum and maximum (in x order), so spikes
 * survive. Series that already fit are returned as they are. xs must be ascending.
 */
export function decimate(xs: ArrayLike<number>, ys: ArrayLike<number>, maxPoints: number): { x: number[]; y: number[] } {
  const n = Math.min(xs.length, ys.length);
  if (maxPoints < 2) throw new RangeError(`maxPoints must be at least 2, got ${maxPoints}`);
  if (n <= maxPoints) return { x: Array.from({ length: n }, (_, i) => xs[i]), y: Array.from({ length: n }, (_, i) => ys[i]) };
  const buckets = Math.floor(maxPoints / 2);
  const x0 = xs[0], span = xs[n - 1] - x0 || 1;
  const outX: number[] = [], outY: number[] = [];
  let i = 0;
  for (let b = 0; b < buckets && i < n; b++) {
    const end = b === buckets - 1 ? Infinity : x0 + (span * (b + 1)) / buckets;
    let lo = -1, hi = -1;
    for (; i < n && (xs[i] < end || b === buckets - 1); i++) {
      const y = ys[i];
      if (!Number.isFinite(y)) continue;
      if (lo < 0 || y < ys[lo]) lo = i;
      if (hi < 0 || y > ys[hi]) hi = i;
    }
    if (lo < 0) continue;
    const [a, c] = lo <= hi ? [lo, hi] : [hi, lo];
    outX.push(xs[a]); outY.push(ys[a]);
    if (c !== a) { outX.push(xs[c]); outY.push(ys[c]); }
  }
  return { x: outX, y: outY };
}
