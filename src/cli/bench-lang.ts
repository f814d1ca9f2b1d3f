// The `lang` bench workload: `analyze` runs on every keystroke, so a 1,000-line model must check in
// well under 5 ms (median). Reported as analyses per second against that budget (ratio ≥ 1 is met).

import { analyze } from '../lang';

/** The budget for one analysis of a 1,000-line model, ms. */
export const LANG_BUDGET_MS = 5;

/** A valid model of `lines` lines: conv / batchnorm / relu / dropout blocks with comments, then a head. */
export function largeModel(lines: number): string {
  const out = ['# a long model', 'input 3x32x32'];
  const body = ['conv 8 kernel=3 pad=same   # keeps 32×32', 'batchnorm momentum=0.1', 'relu', 'dropout 0.1'];
  while (out.length < lines - 4) out.push(body[out.length % body.length]);
  out.push('flatten', 'dense 10', 'softmax', 'train data=cifar10:data epochs=2 batch=32 optimizer=adam lr=0.001');
  return out.join('\n');
}

/** Median ms of analyzing `text` after a JIT warm-up, as an editing session would. */
export function medianAnalyzeMs(text: string, reps = 41): number {
  for (let i = 0; i < 60; i++) analyze(text);
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    analyze(text);
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(reps / 2)];
}
