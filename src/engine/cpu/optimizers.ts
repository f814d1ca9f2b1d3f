// In-place optimizer updates. Weight decay is L2: wd·w is added to the gradient first.

import type { FloatArray } from '../backend';

/** v = momentum·v − lr·(g + wd·w); w += v. */
export function sgdStep(w: FloatArray, g: FloatArray, v: FloatArray, length: number, lr: number, momentum: number,
  weightDecay: number): void {
  for (let i = 0; i < length; i++) {
    const vi = momentum * v[i] - lr * (g[i] + weightDecay * w[i]);
    v[i] = vi;
    w[i] += vi;
  }
}

/** Adam (Kingma & Ba) with bias correction; t is the 1-based step number. */
export function adamStep(w: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, length: number, lr: number,
  beta1: number, beta2: number, epsilon: number, t: number, weightDecay: number): void {
  const c1 = 1 / (1 - Math.pow(beta1, t)), c2 = 1 / (1 - Math.pow(beta2, t));
  for (let i = 0; i < length; i++) {
    const gi = g[i] + weightDecay * w[i];
    const mi = beta1 * m[i] + (1 - beta1) * gi;
    const vi = beta2 * v[i] + (1 - beta2) * gi * gi;
    m[i] = mi; v[i] = vi;
    w[i] -= lr * (mi * c1) / (Math.sqrt(vi * c2) + epsilon);
  }
}
