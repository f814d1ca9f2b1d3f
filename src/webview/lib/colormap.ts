// Colour maps for heat maps: a perceptually uniform sequential map (viridis) for values ≥ 0 and a
// diverging map (blue–neutral–red) for signed values centred on 0. Pure: unit-tested.

export type Rgb = readonly [number, number, number];

/** Viridis, sampled at 9 evenly spaced points (matplotlib's values), linearly interpolated. */
const VIRIDIS: readonly Rgb[] = [
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
  [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
];
/** Diverging: blue at −1, light grey at 0, red at +1 (ColorBrewer RdBu end points). */
const DIVERGING: readonly Rgb[] = [[33, 102, 172], [146, 197, 222], [240, 240, 240], [244, 165, 130], [178, 24, 43]];

function sample(stops: readonly Rgb[], t: number): Rgb {
  const x = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  const f = x * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(f));
  const u = f - i, a = stops[i], b = stops[i + 1];
  return [Math.round(a[0] + (b[0] - a[0]) * u), Math.round(a[1] + (b[1] - a[1]) * u), Math.round(a[2] + (b[2] - a[2]) * u)];
}

/** t ∈ [0, 1] → viridis. */
export function viridis(t: number): Rgb { return sample(VIRIDIS, t); }
/** t ∈ [−1, 1] → blue … grey … red. */
export function diverging(t: number): Rgb { return sample(DIVERGING, (t + 1) / 2); }

/** A 256-entry lookup table (RGB triples) of a colour map over [0, 1]. */
export function lookupTable(map: 'viridis' | 'diverging'): Uint8Array {
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = i / 255;
    const [r, g, b] = map === 'viridis' ? viridis(t) : diverging(2 * t - 1);
    lut[3 * i] = r; lut[3 * i + 1] = g; lut[3 * i + 2] = b;
  }
  return lut;
}

export interface Normalization {
  readonly map: 'viridis' | 'diverging';
  /** Value drawn as the lowest and highest colour. */
  readonly lo: number;
  readonly hi: number;
}

/**
 * How to colour a block of values: signed data on the diverging map, symmetric around 0 (so 0 is
 * neutral); non-negative data (after relu or pooling) on viridis from 0 to its maximum.
 */
export function normalization(values: ArrayLike<number>, from = 0, to = values.length): Normalization {
  let min = Infinity, max = -Infinity;
  for (let i = from; i < to; i++) {
    const x = values[i];
    if (!Number.isFinite(x)) continue;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (min > max) return { map: 'viridis', lo: 0, hi: 1 };
  if (min < 0) {
    const m = Math.max(-min, max) || 1;
    return { map: 'diverging', lo: -m, hi: m };
  }
  return { map: 'viridis', lo: 0, hi: max > 0 ? max : 1 };
}

/**
 * Writes values[from … from + w·h) as RGBA pixels into `rgba` at byte offset `at` (row stride
 * `stride` bytes), using the lookup table; non-finite values are drawn magenta so they stand out.
 */
export function paint(values: ArrayLike<number>, from: number, w: number, h: number, norm: Normalization, lut: Uint8Array,
  rgba: Uint8ClampedArray, at: number, stride: number): void {
  const scale = 255 / (norm.hi - norm.lo || 1);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = values[from + y * w + x];
      const o = at + y * stride + 4 * x;
      if (!Number.isFinite(v)) { rgba[o] = 255; rgba[o + 1] = 0; rgba[o + 2] = 255; rgba[o + 3] = 255; continue; }
      const k = 3 * Math.min(255, Math.max(0, Math.round((v - norm.lo) * scale)));
      rgba[o] = lut[k]; rgba[o + 1] = lut[k + 1]; rgba[o + 2] = lut[k + 2]; rgba[o + 3] = 255;
    }
  }
}
