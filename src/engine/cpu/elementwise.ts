// Elementwise kernels: activations, bias, reshapes, dropout. Activation backward passes use the
// forward OUTPUT y, as the Backend contract says, so no pre-activation has to be kept.

import type { Activation, FloatArray } from '../backend';
import { dropoutHash, dropoutThreshold } from '../random';

export function activationForward(kind: Activation, x: FloatArray, y: FloatArray, length: number): void {
  switch (kind) {
    case 'relu': for (let i = 0; i < length; i++) { const v = x[i]; y[i] = v > 0 ? v : 0; } return;
    case 'sigmoid': for (let i = 0; i < length; i++) y[i] = 1 / (1 + Math.exp(-x[i])); return;
    case 'tanh': for (let i = 0; i < length; i++) y[i] = Math.tanh(x[i]); return;
  }
}

export function activationBackward(kind: Activation, y: FloatArray, dy: FloatArray, dx: FloatArray, length: number): void {
  switch (kind) {
    case 'relu': for (let i = 0; i < length; i++) dx[i] = y[i] > 0 ? dy[i] : 0; return;
    case 'sigmoid': for (let i = 0; i < length; i++) { const s = y[i]; dx[i] = dy[i] * s * (1 - s); } return;
    case 'tanh': for (let i = 0; i < length; i++) { const t = y[i]; dx[i] = dy[i] * (1 - t * t); } return;
  }
}

export function addBias(y: FloatArray, bias: FloatArray, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const b = bias[r];
    for (let i = r * cols, end = i + cols; i < end; i++) y[i] += b;
  }
}

export function biasGrad(dy: FloatArray, db: FloatArray, rows: number, cols: number, accumulate: boolean): void {
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let i = r * cols, end = i + cols; i < end; i++) s += dy[i];
    db[r] = accumulate ? db[r] + s : s;
  }
}

/** c × (n·hw) → (c·hw) × n: y[(ch·hw + s)·n + b] = x[(ch·n + b)·hw + s]. */
export function flattenForward(x: FloatArray, y: FloatArray, c: number, n: number, hw: number): void {
  for (let ch = 0; ch < c; ch++) {
    for (let b = 0; b < n; b++) {
      const from = (ch * n + b) * hw;
      for (let s = 0, to = ch * hw * n + b; s < hw; s++, to += n) y[to] = x[from + s];
    }
  }
}

export function flattenBackward(dy: FloatArray, dx: FloatArray, c: number, n: number, hw: number): void {
  for (let ch = 0; ch < c; ch++) {
    for (let b = 0; b < n; b++) {
      const to = (ch * n + b) * hw;
      for (let s = 0, from = ch * hw * n + b; s < hw; s++, from += n) dx[to + s] = dy[from];
    }
  }
}

export function dropoutForward(x: FloatArray, y: FloatArray, mask: FloatArray, length: number, p: number, seed: number): void {
  const threshold = dropoutThreshold(p);
  // p = 1 drops everything; guard the 1/(1−p) so no Infinity reaches the mask.
  const keep = p < 1 ? 1 / (1 - p) : 0;
  for (let i = 0; i < length; i++) {
    const m = dropoutHash(seed, i) >= threshold ? keep : 0;
    mask[i] = m;
    y[i] = x[i] * m;
  }
}

export function dropoutBackward(dy: FloatArray, mask: FloatArray, dx: FloatArray, length: number): void {
  for (let i = 0; i < length; i++) dx[i] = dy[i] * mask[i];
}
