// Choosing one decision's kernel by timing its candidates: the rule's pick first, every other
// candidate after it, a few repeats each (the median counts), a candidate dropped after one sample
// when it is clearly slower than the best so far. A candidate replaces the rule's pick only when it
// is clearly faster, so timer noise and coarse (quantised) timestamps leave the rules in place.

import { convCandidates, gemmCandidates, type Candidate } from './candidates';
import type { Decision, KernelChoice } from './decisions';

export interface CandidateTimer {
  /** GPU nanoseconds of each of `repeats` launches of `candidate` for `decision` (after an untimed warm-up). */
  time(decision: Decision, candidate: Candidate, repeats: number): Promise<number[]>;
}

export interface TuneLimits {
  /** Timed launches per candidate (its median decides). */
  readonly repeats: number;
}

/** One sample this many times the best median so far: no more repeats for that candidate. */
const CLEARLY_SLOWER = 2;
/** A candidate must take at most this fraction of the rule's time to replace it. */
const SWITCH_MARGIN = 0.95;

/** The measured choice, or null when there is nothing to choose. */
export async function tuneDecision(decision: Decision, timer: CandidateTimer, limits: TuneLimits): Promise<KernelChoice | null> {
  const candidates = candidatesOf(decision);
  if (candidates.length < 2) return null;
  const medians: number[] = [];
  for (const candidate of candidates) {
    const first = await timer.time(decision, candidate, 1);
    const best = medians.length > 0 ? Math.min(...medians) : Infinity;
    const samples = first[0] > CLEARLY_SLOWER * best || limits.repeats <= 1
      ? first : [...first, ...await timer.time(decision, candidate, limits.repeats - 1)];
    medians.push(median(samples));
  }
  let winner = 0;
  medians.forEach((t, i) => { if (t < medians[winner]) winner = i; });
  if (!(medians[winner] <= SWITCH_MARGIN * medians[0])) winner = 0;
  const micros = medians[winner] / 1000, ruleMicros = medians[0] / 1000;
  const chosen = candidates[winner];
  return chosen.kind === 'gemm'
    ? { kind: 'gemm', tile: chosen.tile.name, splits: chosen.splitK.splits, micros, ruleMicros }
    : { kind: 'conv', algorithm: chosen.algorithm, micros, ruleMicros };
}

/** The rule's pick first, then the other kernels that can run this decision. */
export function candidatesOf(decision: Decision): Candidate[] {
  return decision.kind === 'gemm' ? gemmCandidates(decision) : convCandidates(decision);
}

/** Whether there is anything to choose between. */
export function isTunable(decision: Decision): boolean {
  return candidatesOf(decision).length > 1;
}

export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new RangeError('median of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
