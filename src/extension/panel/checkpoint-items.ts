// The entries of "Resume from checkpoint": the model's numbered checkpoints, newest first, as the
// QuickPick shows them (step, epochs done, accuracy, time), then "Browse…". Pure (no vscode), so the
// labels are unit-tested; panel.ts shows them.
import { basename } from 'node:path';
import type { CheckpointList } from '../../engine/node';

/** One row of the pick; `path` null is "Browse…". */
export interface CheckpointItem {
  readonly label: string;
  readonly description?: string;
  readonly detail?: string;
  readonly path: string | null;
}

export const BROWSE_LABEL = 'Browse…';

const pct = (x: number | undefined) => (x === undefined ? null : `${(100 * x).toFixed(1)}%`);

/** "2026-01-02 03:04 UTC" from an ISO time; the text as it is when it is not one. */
function formatCreated(iso: string): string {
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(iso) && iso.endsWith('Z') ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : iso;
}

/** The pick's rows: each readable checkpoint, newest first, then Browse…. */
export function checkpointItems(list: CheckpointList): CheckpointItem[] {
  const items: CheckpointItem[] = [...list.checkpoints].sort((a, b) => b.step - a.step).map((c) => {
    const m = c.metadata, figures = m.metrics ?? {};
    const accuracy = [pct(figures.testAccuracy) && `test ${pct(figures.testAccuracy)}`, pct(figures.accuracy) && `train ${pct(figures.accuracy)}`]
      .filter(Boolean).join(', ');
    const epochs = `${m.epoch} epoch${m.epoch === 1 ? '' : 's'} done`;
    return {
      label: `step ${m.step.toLocaleString('en-US')}`,
      description: [epochs, accuracy, m.optimizer.kind].filter(Boolean).join(' · '),
      detail: `${basename(c.path)} · ${formatCreated(m.created)}`,
      path: c.path,
    };
  });
  return [...items, { label: BROWSE_LABEL, description: 'choose another checkpoint file', path: null }];
}

/** One log line per numbered file that could not be read (they are left out of the pick). */
export function unreadableLines(list: CheckpointList): string[] {
  return list.unreadable.map((u) => `skipped checkpoint ${basename(u.path)}: ${u.problem}`);
}
