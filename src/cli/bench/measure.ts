// Timing for the peers workloads: every contestant is timed in rounds of a few training steps (or
// inference batches) after warm-up rounds, and reports min / median / max over the timed rounds.

/** The spread of one measurement over its timed rounds. */
export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 0) throw new Error('no timed rounds to summarise');
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0], median: sorted[Math.floor(sorted.length / 2)], max: sorted[sorted.length - 1] };
}

/** Images per second of each timed round of `images` images: `warmup` rounds first are not kept. */
export async function roundsPerSecond(round: () => Promise<void>, images: number, warmup: number, reps: number): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await round();
  const rates: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await round();
    rates.push((images / (performance.now() - t0)) * 1000);
  }
  return rates;
}
