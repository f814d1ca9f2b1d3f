// The panel in step with its model file: the fields that differ from the file's `train` line are
// marked as overrides, with "Write to train line" to put them there; a network changed in the file
// since the panel loaded it is announced, since the panel keeps training what it loaded.

import { errorMessage } from '../engine';
import { writeTrainSettings, type HostNotification, type ModelPayload } from '../protocol';
import type { HostLink } from './host-link';
import { modelChangedText, overrides, overrideTitle, type TrainFieldValues } from './lib/file-sync-texts';
import type { PanelSettings } from './saved-state';
import { byId, h } from './ui/dom';
import type { Notices } from './ui/notices';

type ModelChanged = Extract<HostNotification, { type: 'modelChanged' }>;

export class FileSync {
  /** What the file's train line says now; null before the model arrives. */
  private file: TrainFieldValues | null = null;
  private loadedParameters = 0;
  private readonly button: HTMLElement;
  /** "The model changed since this panel loaded it…": stays until the panel loads the model again. */
  private readonly changedNote: HTMLElement;

  constructor(private readonly host: HostLink, private readonly notices: Notices, private readonly settings: () => PanelSettings | null) {
    this.button = h('vscode-button', { id: 'write-settings', secondary: true, hidden: true, title: 'Write the overridden values into the model file\'s train line' },
      'Write to train line');
    byId('epochs').closest('.row')?.append(this.button);
    this.button.addEventListener('click', () => void this.writeBack());
    this.changedNote = h('div', { id: 'model-changed', class: 'banner', 'data-kind': 'warning', role: 'status', hidden: true });
    byId('banner-error').after(this.changedNote);
  }

  /** The host's init: the panel now trains this model. */
  loaded(model: ModelPayload): void {
    const { epochs, batch, lr } = model.spec.train;
    this.file = { epochs, batch, lr };
    this.loadedParameters = model.totalParams;
    this.changedNote.hidden = true;
    this.mark();
  }

  /** The file changed after the model was loaded. */
  changed(m: ModelChanged): void {
    this.file = m.train;
    this.changedNote.hidden = !m.networkChanged;
    this.changedNote.textContent = m.networkChanged ? modelChangedText(m, this.loadedParameters) : '';
    this.mark();
  }

  /** A field changed: marks the overrides again. */
  mark(): void {
    const s = this.settings();
    const found = this.file && s ? overrides(s, this.file) : [];
    for (const id of ['epochs', 'batch', 'lr']) {
      const o = found.find((f) => f.field === id);
      const label = byId(id).closest('.field');
      label?.classList.toggle('override', o !== undefined);
      if (label instanceof HTMLElement) label.title = o ? overrideTitle(o) : '';
    }
    this.button.hidden = found.length === 0;
  }

  private async writeBack(): Promise<void> {
    const s = this.settings();
    if (!s || !this.file) return;
    const values = Object.fromEntries(overrides(s, this.file).map((o) => [o.key, o.panel]));
    try {
      const { written } = await this.host.request(writeTrainSettings, values);
      if (!written) this.notices.notice('warning', 'The model file could not be edited (it may be read-only).');
    } catch (e) {
      this.notices.error(`Writing the train line failed: ${errorMessage(e)}`);
    }
  }
}
