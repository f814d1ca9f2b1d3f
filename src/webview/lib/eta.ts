// Training speed and time left, from step reports that arrive every few steps, often in bursts.
// Pure: unit-tested.

/**
 * Estimates steps per second from a time window of reports: the rate between the oldest and the
 * newest (time, step) sample of the last `windowMs` (keeping one sample older than that, so slow
 * reporters still have a span), once the window spans at least `minSpanMs`. Reports often arrive in
 * bursts a fraction of a millisecond apart (several metric snapshots read back at once); a rate per
 * report would then be thousands of steps per second, a rate over seconds is not. Window rates are
 * then smoothed by a debiased moving average, so one slow report (a readback, a GC pause) does not
 * swing the ETA. Paused time is excluded: call `pause()` / `resume()`.
 */
export class EtaEstimator {
  /** (time, step) samples since the last pause, oldest first. */
  private samples: { t: number; step: number }[] = [];
  private rate: number | null = null;
  private weightSum = 0;

  /** `halfLife`: reports after which an old rate counts half. */
  constructor(private readonly halfLife = 5, private readonly windowMs = 15_000, private readonly minSpanMs = 1000) {}

  /** A report: `globalStep` steps done at time `nowMs`. */
  update(globalStep: number, nowMs: number): void {
    const last = this.samples.at(-1);
    if (last && (globalStep < last.step || nowMs < last.t)) this.samples = [];  // a restart or a clock jump
    this.samples.push({ t: nowMs, step: globalStep });
    // Drop samples older than the window, but keep the newest of those: the window's start.
    while (this.samples.length > 2 && this.samples[1].t <= nowMs - this.windowMs) this.samples.shift();
    const first = this.samples[0];
    const span = nowMs - first.t;
    if (span < this.minSpanMs || globalStep <= first.step) return;
    const r = (globalStep - first.step) / (span / 1000);
    const a = 1 - 0.5 ** (1 / this.halfLife);
    // Debiased EMA: the first rates are not pulled towards zero.
    this.weightSum = this.weightSum * (1 - a) + a;
    this.rate = this.rate === null ? r : this.rate + (a / this.weightSum) * (r - this.rate);
  }

  /** Forget the timing base (after a pause, a restart, or a restore), keep the learned rate. */
  pause(): void { this.samples = []; }
  /** Starts timing again from `globalStep` at `nowMs`. */
  resume(globalStep: number, nowMs: number): void { this.samples = [{ t: nowMs, step: globalStep }]; }
  reset(): void { this.samples = []; this.rate = null; this.weightSum = 0; }

  /** Steps per second, once the reports span the minimum time. */
  get stepsPerSecond(): number | null { return this.rate; }

  /** Seconds until `totalSteps`, or null while unknown. */
  secondsLeft(globalStep: number, totalSteps: number): number | null {
    if (this.rate === null || this.rate <= 0) return null;
    return Math.max(0, totalSteps - globalStep) / this.rate;
  }
}

/** 75 → "1m 15s", 3725 → "1h 2m", 4.2 → "4s", null → "—". */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** 0.97812 → "97.8%". */
export function formatPercent(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(100 * x).toFixed(digits)}%`;
}

/** A loss or an error with 4 significant digits, small ones in exponent form. */
export function formatNumber(x: number | null | undefined): string {
  if (x === null || x === undefined) return '—';
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && Math.abs(x) < 1e-3) return x.toExponential(2);
  return Number(x.toPrecision(4)).toString();
}
