// How shapes, counts, bytes and arithmetic are written in messages, hovers and the CLI table.

import type { Shape } from './spec';

/** `6×28×28` for feature maps, `10` for vectors, `?` when unknown. */
export function formatShape(shape: Shape | null): string {
  if (!shape || shape.length === 0) return '?';
  return shape.join('×');
}

/** 61706 → `61,706`. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** A real number as shown in arithmetic: exact when short, else `≈ 3.67`-style rounding left to the caller. */
export function formatNumber(n: number): string {
  const text = Number.isInteger(n) ? String(n) : String(Number(n.toFixed(2)));
  return text.startsWith('-') ? `−${text.slice(1)}` : text;
}

/** `= 5.5` when exact to two decimals, `≈ 3.67` otherwise. */
export function equalsValue(n: number): string {
  return Number(n.toFixed(2)) === n ? `= ${formatNumber(n)}` : `≈ ${formatNumber(n)}`;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 4704 → `4.6 KiB`. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${value} B`;
  const digits = value >= 100 ? value.toFixed(0) : value.toFixed(1).replace(/\.0$/, '');
  return `${digits} ${UNITS[unit]}`;
}

/** 1,223,334 → `1.22 M`; small counts stay exact. */
export function formatSI(n: number): string {
  const steps: [number, string][] = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [size, suffix] of steps) if (n >= size) return `${(n / size).toFixed(n / size >= 100 ? 0 : n / size >= 10 ? 1 : 2)} ${suffix}`;
  return String(n);
}

/** `1 row`, `2 rows`. */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
