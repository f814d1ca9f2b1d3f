// What the panel tells the person besides its plots: the main banner (WebGPU missing, a run that a
// reload ended), the error banner, and the one-line notice under them.

import { byId } from './dom';

export type NoticeLevel = 'info' | 'warning' | 'error';

export class Notices {
  /** `logError`: errors also go to the ConvLab log (through the host). */
  constructor(private readonly logError: (message: string) => void) {}

  banner(kind: NoticeLevel, text: string): void {
    const el = byId(`banner-${kind === 'error' ? 'error' : 'main'}`);
    el.hidden = false;
    el.dataset.kind = kind;
    el.querySelector('.banner-text')!.textContent = text;
  }

  clearBanner(which: 'error' | 'main'): void {
    byId(`banner-${which}`).hidden = true;
  }

  /** A new run: an old notice ("Checkpoint saved: …") no longer applies. */
  clearNotice(): void {
    byId('notice').hidden = true;
  }

  error(message: string): void {
    this.banner('error', message);
    this.logError(message);
  }

  notice(level: NoticeLevel, message: string): void {
    if (level === 'error') {
      this.error(message);
      return;
    }
    const el = byId('notice');
    el.dataset.level = level;
    el.textContent = message;
    // One line in the sticky header; the whole message on hover.
    el.title = message;
    el.hidden = false;
  }
}
