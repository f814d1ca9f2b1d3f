// The async control of the training loop: pause, resume, one step at a time, stop. The loop passes
// the gate before every step; control calls (a worker's onmessage, a panel button) only set flags
// and wake a sleeping loop. The gate also yields to the event loop now and then, so those calls get
// through even on the synchronous CPU backend.

import { TrainError } from './errors';

export type TrainerStatus = 'idle' | 'running' | 'paused' | 'done';

/** What the loop does around a pause; the gate itself owns no tensors and emits no events. */
export interface StepGateHooks {
  readonly now: () => number;
  /** A pause is about to take effect: lets work in flight (metric reads) finish first. */
  readonly settle: () => Promise<void>;
  /** The status just turned 'paused' / back to 'running'. */
  readonly paused: () => void;
  readonly resumed: () => void;
  /** The loop slept `ms` while paused (time to leave out of speeds). */
  readonly slept: (ms: number) => void;
}

/** The loop yields to the event loop at least this often (ms) so control messages get through. */
const YIELD_INTERVAL_MS = 30;

export class StepGate {
  private state: TrainerStatus = 'idle';
  private pauseRequested = false;
  private stopRequested = false;
  private singleSteps = 0;
  private stepWaiters: (() => void)[] = [];
  private wake: (() => void) | null = null;
  private lastYield = 0;

  constructor(private readonly hooks: StepGateHooks) {}

  get status(): TrainerStatus { return this.state; }
  /** stop() was called. */
  get stopping(): boolean { return this.stopRequested; }

  /** idle → running; a gate opens once. */
  open(): void {
    if (this.state !== 'idle') throw new TrainError(`run() was already called (trainer is ${this.state})`);
    this.state = 'running';
    this.lastYield = this.hooks.now();
  }

  /** The loop ended (or the trainer was disposed); control calls do nothing from now on. */
  close(): void {
    this.state = 'done';
  }

  /** Pauses before the next step (the current one finishes). */
  pause(): void {
    if (this.state === 'running') this.pauseRequested = true;
  }

  resume(): void {
    if (!this.pauseRequested) return;
    this.pauseRequested = false;
    if (this.state === 'paused') {
      this.state = 'running';
      this.hooks.resumed();
    }
    this.wake?.();
  }

  /** Ends the loop before its next step. */
  stop(): void {
    this.stopRequested = true;
    this.wake?.();
  }

  /** While paused: lets exactly one step through; resolves at releaseSteps() (once that step is reported). */
  step(): Promise<void> {
    if (this.state !== 'paused' && !this.pauseRequested) return Promise.reject(new TrainError('step() needs a paused trainer; call pause() first'));
    this.singleSteps++;
    const done = new Promise<void>((resolve) => this.stepWaiters.push(resolve));
    this.wake?.();
    return done;
  }

  /** Resolves every pending step(): its step was reported, or the loop ended. */
  releaseSteps(): void {
    for (const resolve of this.stepWaiters.splice(0)) resolve();
  }

  /**
   * Before each step: resolves true to take it, false to stop. Honours pause (sleeping until resume,
   * step or stop) and single steps, and yields to the event loop when it is due.
   */
  async pass(): Promise<boolean> {
    for (;;) {
      if (this.stopRequested) return false;
      if (!this.pauseRequested) {
        if (this.state === 'paused') this.state = 'running';
        if (await this.yieldIfDue()) continue;
        return true;
      }
      if (this.state !== 'paused') {
        await this.hooks.settle();
        this.state = 'paused';
        this.hooks.paused();
        continue;
      }
      if (this.singleSteps > 0) { this.singleSteps--; return true; }
      const pausedAt = this.hooks.now();
      await new Promise<void>((resolve) => { this.wake = resolve; });
      this.wake = null;
      this.hooks.slept(this.hooks.now() - pausedAt);
    }
  }

  /** Yields to the event loop if the last yield is YIELD_INTERVAL_MS old; resolves whether it did. */
  async yieldIfDue(): Promise<boolean> {
    if (this.hooks.now() - this.lastYield < YIELD_INTERVAL_MS) return false;
    await yieldToEventLoop();
    this.lastYield = this.hooks.now();
    return true;
  }
}

/**
 * Lets queued tasks (a worker's control messages, UI events) run. A MessageChannel message is a
 * task without setTimeout's 1–4 ms clamp; each channel is closed after use so Node can exit.
 */
function yieldToEventLoop(): Promise<void> {
  if (typeof MessageChannel === 'undefined') return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => { channel.port1.close(); resolve(); };
    channel.port2.postMessage(null);
  });
}
