// Batch normalisation per row of a rows × cols matrix (rows = channels, cols = N·H·W; or rows =
// features, cols = N for vectors).
//
// Running statistics follow PyTorch's convention, which the WebGPU kernel mirrors:
//   running = (1 − momentum)·running + momentum·batch, with the unbiased batch variance,
// while normalisation in training mode uses the biased variance.

import type { FloatArray } from '../backend';

export interface BatchNormArrays {
  gamma: FloatArray; beta: FloatArray;
  runningMean: FloatArray; runningVar: FloatArray;
  saveMean: FloatArray; saveInvStd: FloatArray;
}

export function batchNormForward(x: FloatArray, y: FloatArray, rows: number, cols: number, t: BatchNormArrays,
  training: boolean, momentum: number, epsilon: number): void {
  for (let r = 0; r < rows; r++) {
    const start = r * cols, end = start + cols;
    let mean: number, invStd: number;
    if (training) {
      let sum = 0;
      for (let i = start; i < end; i++) sum += x[i];
      mean = sum / cols;
      let sq = 0;
      for (let i = start; i < end; i++) { const d = x[i] - mean; sq += d * d; }
      const variance = sq / cols;
      invStd = 1 / Math.sqrt(variance + epsilon);
      t.saveMean[r] = mean;
      t.saveInvStd[r] = invStd;
      const unbiased = cols > 1 ? sq / (cols - 1) : variance;
      t.runningMean[r] = (1 - momentum) * t.runningMean[r] + momentum * mean;
      t.runningVar[r] = (1 - momentum) * t.runningVar[r] + momentum * unbiased;
    } else {
      mean = t.runningMean[r];
      invStd = 1 / Math.sqrt(t.runningVar[r] + epsilon);
    }
    const scale = t.gamma[r] * invStd, shift = t.beta[r] - mean * scale;
    for (let i = start; i < end; i++) y[i] = x[i] * scale + shift;
  }
}

/** Training-mode backward with the statistics saved by the forward call. */
export function batchNormBackward(x: FloatArray, dy: FloatArray, dx: FloatArray, rows: number, cols: number,
  t: BatchNormArrays, dgamma: FloatArray, dbeta: FloatArray): void {
  for (let r = 0; r < rows; r++) {
    const start = r * cols, end = start + cols;
    const mean = t.saveMean[r], invStd = t.saveInvStd[r];
    let sumDy = 0, sumDyXhat = 0;
    for (let i = start; i < end; i++) {
      sumDy += dy[i];
      sumDyXhat += dy[i] * (x[i] - mean) * invStd;
    }
    dbeta[r] = sumDy;
    dgamma[r] = sumDyXhat;
    // dx = γ·invStd/N · (N·dy − Σdy − x̂·Σ(dy·x̂))
    const k = t.gamma[r] * invStd / cols;
    for (let i = start; i < end; i++) {
      const xhat = (x[i] - mean) * invStd;
      dx[i] = k * (cols * dy[i] - sumDy - xhat * sumDyXhat);
    }
  }
}
