// Terminal progress for `convlab train`: a one-line bar on stderr (epoch, step, loss, images/s, ETA),
// redrawn in place, and the formatting of per-epoch lines. Only drawn when stderr is a terminal.

import type { Io } from './args';

/** An Io that may say whether stderr is a terminal (tests set it; the real CLI asks the process). */
export interface TerminalIo extends Io {
  readonly stderrIsTTY?: boolean;
  readonly columns?: number;
}

export function stderrIsTerminal(io: TerminalIo): boolean {
  if (io.stderrIsTTY !== undefined) return io.stderrIsTTY;
  return typeof process !== 'undefined' && Boolean(process.stderr.isTTY) && !process.env.CI;
}

export interface StepProgress {
  readonly epoch: number;       // 1-based
  readonly epochs: number;
  readonly step: number;        // within the epoch, 1-based
  readonly stepsPerEpoch: number;
  readonly loss: number;
  readonly imagesPerSecond: number;
  /** Training images left in the whole run, for the ETA. */
  readonly imagesLeft: number;
}

const BAR_WIDTH = 24;

/** "epoch 2/3 [██████░░░░]  62/125  loss 0.2345  812 img/s  ETA 0:21" */
export function formatProgress(p: StepProgress, speed: number): string {
  const filled = Math.round((p.step / p.stepsPerEpoch) * BAR_WIDTH);
  const bar = '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled);
  const steps = `${String(p.step).padStart(String(p.stepsPerEpoch).length)}/${p.stepsPerEpoch}`;
  const eta = speed > 0 ? formatDuration(p.imagesLeft / speed) : '?';
  return `epoch ${p.epoch}/${p.epochs} [${bar}] ${steps}  loss ${p.loss.toFixed(4)}  ${Math.round(p.imagesPerSecond)} img/s  ETA ${eta}`;
}

/** m:ss or h:mm:ss. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(r).padStart(2, '0')}`;
}

export function percent(fraction: number | null): string {
  return fraction === null ? 'n/a' : `${(fraction * 100).toFixed(2)}%`;
}

/** Redraws one status line on a terminal; does nothing when stderr is not one. */
export class ProgressLine {
  private shown = false;
  /** Smoothed images/s for the ETA (the per-report figure jitters). */
  private speed = 0;

  constructor(private readonly io: TerminalIo, private readonly enabled: boolean) {}

  update(p: StepProgress): void {
    this.speed = this.speed === 0 ? p.imagesPerSecond : 0.8 * this.speed + 0.2 * p.imagesPerSecond;
    if (!this.enabled) return;
    const width = Math.max(20, (this.io.columns ?? process.stderr.columns ?? 100) - 1);
    this.io.stderr(`\r\x1b[2K${formatProgress(p, this.speed).slice(0, width)}`);
    this.shown = true;
  }

  /** Clears the line so ordinary output can follow. */
  clear(): void {
    if (this.enabled && this.shown) this.io.stderr('\r\x1b[2K');
    this.shown = false;
  }
}
