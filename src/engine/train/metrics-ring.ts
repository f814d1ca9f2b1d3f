// Training metrics without a stall per step. Every step's loss adds Σ loss, the correct count and n
// into one device tensor; a report copies it into one of a few snapshot tensors, zeroes it and reads
// the snapshot asynchronously while later steps are already queued. A read that fails (the device
// was lost) is kept, never left as a rejected promise without a handler, and thrown once at the next
// report() or drain().

import { METRICS_LENGTH, type Backend, type Tensor } from '../backend';

/** Snapshot tensors in flight at once: enough that the loop never waits on a read in steady state. */
const SNAPSHOTS = 3;

/** Receives one report's sums: Σ loss, correct predictions and examples since the previous report. */
export type MetricsHandler = (lossSum: number, correct: number, count: number) => void;

export class MetricsRing {
  /** Where each step's loss accumulates (Network.computeLoss's `metrics`). */
  readonly accumulator: Tensor;
  private readonly snapshots: Tensor[];
  private readonly reads: (Promise<void> | null)[];
  private next = 0;
  /** Settles once every read started so far has been handled. */
  private chain: Promise<void> = Promise.resolve();
  /** The first failed read or handler: later ones are its consequences. */
  private failure: { readonly error: unknown } | null = null;

  constructor(private readonly backend: Backend) {
    this.accumulator = backend.zeros(METRICS_LENGTH);
    this.snapshots = Array.from({ length: SNAPSHOTS }, () => backend.zeros(METRICS_LENGTH));
    this.reads = this.snapshots.map(() => null);
  }

  /**
   * Moves the accumulated metrics into a snapshot and starts reading it without waiting for the
   * result; `handle` runs once it arrives. Only when all SNAPSHOTS reads are still in flight does
   * this wait for the oldest.
   */
  async report(handle: MetricsHandler): Promise<void> {
    const slot = this.next;
    this.next = (slot + 1) % SNAPSHOTS;
    const previous = this.reads[slot];
    if (previous) await previous;
    this.throwFailure();
    this.backend.copy(this.accumulator, this.snapshots[slot]);
    this.backend.fill(this.accumulator, 0);
    this.backend.flush();
    // Reads resolve in the order they were enqueued, so the handlers run in report order.
    const handled = this.backend.read(this.snapshots[slot]).then((m) => handle(m[0], m[1], m[2]))
      .catch((error: unknown) => { this.failure ??= { error }; });
    this.reads[slot] = handled;
    const before = this.chain;
    this.chain = handled.then(() => before);
  }

  /** Waits for every read in flight and its handler. */
  async drain(): Promise<void> {
    await this.chain;
    this.reads.fill(null);
    this.throwFailure();
  }

  private throwFailure(): void {
    if (this.failure) throw this.failure.error;
  }

  /** Drops what accumulated since the last report (a restored state counts afresh). */
  discard(): void {
    this.backend.fill(this.accumulator, 0);
  }
}
