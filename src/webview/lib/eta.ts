// Training speed and time left, from step reports that arrive every few steps. Pure: unit-tested.

/**
 * Estimates steps per second with an exponential moving average of the rate between reports
 * (so one slow report — a readback, a GC pause — does not swing the ETA), and the time left.
 * Paused time is excluded: call `pause()` / `resume()`.
 */
export class EtaEstimator {
  private lastTime: number | null = null;
  private lastStep = 0;
  private rate: number | null = null;
  private weightSum = 0;

  /** `halfLife`: reports after which an old rate counts half. */
  constructor(private readonly halfLife = 5) {}

  /** A report: `globalStep` steps done at time `nowMs`. */
  update(globalStep: number, nowMs: number): void {
    if (this.lastTime !== null && globalStep > this.lastStep && nowMs > this.lastTime) {
      const r = (globalStep - this.lastStep) / ((nowMs - this.lastTime) / 1000);
      const a = 1 - 0.5 ** (1 / this.halfLife);
      // Debiased EMA: the first rates are not pulled towards zero.
      this.weightSum = this.weightSum * (1 - a) + a;
      this.rate = this.rate === null ? r : this.rate + (a / this.weightSum) * (r - this.rate);
    }
    this.lastTime = nowMs;
    this.lastStep = globalStep;
  }

  /** Forget the timing base (after a pause, a restart, or a restore), keep the learned rate. */
  pause(): void { this.lastTime = null; }
  /** Starts timing again from `globalStep` at `nowMs`. */
  resume(globalStep: number, nowMs: number): void { this.lastTime = nowMs; this.lastStep = globalStep; }
  reset(): void { this.lastTime = null; this.rate = null; this.weightSum = 0; this.lastStep = 0; }

  /** Steps per second, once two reports have been seen. */
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
