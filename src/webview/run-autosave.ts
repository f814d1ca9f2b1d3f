// Keeps the host holding a recent state of the live run (after every epoch, and at most every
// `intervalMs` between), so that closing the panel mid-run still leaves a checkpoint: by the time the
// host hears that the panel closed, the page and its engine are gone.

import type { TrainingStatePayload } from '../protocol';

export class RunStateAutosave {
  private lastMs = 0;
  private busy = false;

  constructor(
    private readonly take: () => Promise<TrainingStatePayload>,
    private readonly send: (state: TrainingStatePayload) => void,
    private readonly failed: (e: unknown) => void,
    private readonly intervalMs = 60_000,
  ) {}

  /** A new run started at `nowMs`: its first state is due an interval later. */
  reset(nowMs: number): void {
    this.lastMs = nowMs;
  }

  /** A step was reported: takes a state when the interval has passed. */
  due(nowMs: number): void {
    if (nowMs - this.lastMs >= this.intervalMs) this.now(nowMs);
  }

  /** Takes a state now (an epoch ended), unless one is already on its way. */
  now(nowMs: number): void {
    if (this.busy) return;
    this.busy = true;
    this.lastMs = nowMs;
    this.take().then(this.send, this.failed).finally(() => { this.busy = false; });
  }
}
