// Output layers and losses on classes × n matrices (element (f, b) at f·n + b); labels are class
// indices. Losses add Σ loss, the number of correct argmax predictions and n into `metrics`.

import { argmaxColumn } from '../argmax';
import type { FloatArray } from '../backend';

export function softmaxForward(x: FloatArray, y: FloatArray, classes: number, n: number): void {
  for (let b = 0; b < n; b++) {
    let max = -Infinity;
    for (let f = 0; f < classes; f++) max = Math.max(max, x[f * n + b]);
    let sum = 0;
    for (let f = 0; f < classes; f++) { const e = Math.exp(x[f * n + b] - max); y[f * n + b] = e; sum += e; }
    const inv = 1 / sum;
    for (let f = 0; f < classes; f++) y[f * n + b] *= inv;
  }
}

/** dx = y ⊙ (dy − Σ_f y·dy), the softmax Jacobian k[i](δ_im − k[m]) applied to dy. */
export function softmaxBackward(y: FloatArray, dy: FloatArray, dx: FloatArray, classes: number, n: number): void {
  for (let b = 0; b < n; b++) {
    let dot = 0;
    for (let f = 0; f < classes; f++) dot += y[f * n + b] * dy[f * n + b];
    for (let f = 0; f < classes; f++) dx[f * n + b] = y[f * n + b] * (dy[f * n + b] - dot);
  }
}

export function softmaxCrossEntropy(logits: FloatArray, labels: Uint32Array, probs: FloatArray, dlogits: FloatArray | null,
  metrics: FloatArray, classes: number, n: number): void {
  let lossSum = 0, correct = 0;
  for (let b = 0; b < n; b++) {
    let max = -Infinity;
    for (let f = 0; f < classes; f++) max = Math.max(max, logits[f * n + b]);
    let sum = 0;
    for (let f = 0; f < classes; f++) { const e = Math.exp(logits[f * n + b] - max); probs[f * n + b] = e; sum += e; }
    const label = labels[b];
    // −log softmax computed from the logits (log-sum-exp), so it stays finite when a probability underflows.
    lossSum += Math.log(sum) + max - logits[label * n + b];
    if (argmaxColumn(logits, classes, n, b) === label) correct++;
    const inv = 1 / sum;
    for (let f = 0; f < classes; f++) probs[f * n + b] *= inv;
    if (dlogits) {
      for (let f = 0; f < classes; f++) dlogits[f * n + b] = (probs[f * n + b] - (f === label ? 1 : 0)) / n;
    }
  }
  metrics[0] += lossSum; metrics[1] += correct; metrics[2] += n;
}

export function mseLoss(out: FloatArray, labels: Uint32Array, dout: FloatArray | null, metrics: FloatArray,
  classes: number, n: number): void {
  let lossSum = 0, correct = 0;
  for (let b = 0; b < n; b++) {
    const label = labels[b];
    for (let f = 0; f < classes; f++) {
      const diff = out[f * n + b] - (f === label ? 1 : 0);
      lossSum += diff * diff;
      if (dout) dout[f * n + b] = 2 * diff / n;
    }
    if (argmaxColumn(out, classes, n, b) === label) correct++;
  }
  metrics[0] += lossSum; metrics[1] += correct; metrics[2] += n;
}
