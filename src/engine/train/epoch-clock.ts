// The time figures of an epoch (or a Newton iteration, which counts as one): time spent paused is
// left out of its speed, and each step report's speed covers the time since the previous report.

export class EpochClock {
  private started = 0;
  private lastReport = 0;
  /** Time spent paused since the epoch started. */
  private pausedMs = 0;
  /** Images trained in this epoch by this run (a restored epoch counts only its remainder). */
  private images = 0;

  constructor(private readonly now: () => number) {}

  /** Images the step reports of this epoch counted. */
  get imagesTimed(): number { return this.images; }

  startEpoch(): void {
    this.started = this.now();
    this.lastReport = this.started;
    this.pausedMs = 0;
    this.images = 0;
  }

  /** The loop slept while paused: neither the epoch nor the next report counts that time. */
  paused(ms: number): void {
    this.pausedMs += ms;
    this.lastReport += ms;
  }

  /** A step report of `images` images: the seconds since the previous report (never 0). */
  reported(images: number): number {
    this.images += images;
    const time = this.now();
    const seconds = Math.max((time - this.lastReport) / 1000, 1e-6);
    this.lastReport = time;
    return seconds;
  }

  /** Unpaused seconds since the epoch started, never 0: the divisor of its speed. */
  trainSeconds(): number {
    return Math.max(this.now() - this.started - this.pausedMs, 1e-3) / 1000;
  }

  /** Unpaused seconds since the epoch started, as its event reports them. */
  seconds(): number {
    return (this.now() - this.started - this.pausedMs) / 1000;
  }
}
