// Collapsible parts of the panel: every card folds to its title, and the settings row folds to a
// one-line summary so the sticky header stays compact in a narrow panel. What is folded is kept in
// the panel's saved state, so a reload shows the panel as the person left it.

import { h } from './dom';

/** The panel is narrow: the settings start folded so the sticky header leaves room for the cards. */
const NARROW = '(max-width: 600px)';

/** A card whose body folds under its title button. */
export function collapsibleCard(id: string, title: string, ...body: (Node | string)[]): HTMLElement {
  const bodyId = `${id}-body`;
  return h('section', { class: 'card', id: `${id}-card`, 'aria-labelledby': `${id}-title` },
    h('h2', {},
      h('button', { class: 'fold', id: `${id}-title`, 'aria-expanded': 'true', 'aria-controls': bodyId, 'data-fold': id }, title)),
    h('div', { class: 'card-body', id: bodyId }, ...body));
}

/** The settings row behind a fold button whose label summarises the values while folded. */
export function settingsFold(fields: HTMLElement): HTMLElement {
  fields.id = 'settings-body';
  return h('div', { class: 'settings' },
    h('button', { class: 'fold', id: 'settings-title', 'aria-expanded': 'true', 'aria-controls': 'settings-body', 'data-fold': 'settings' },
      'Settings', h('span', { id: 'settings-summary', class: 'muted' })),
    fields);
}

/**
 * Folds and unfolds the panel's parts; reports what is folded so it can be saved. The settings fold
 * by themselves while the panel is narrow and open again when it widens, until the person folds or
 * unfolds them: from then on their choice holds.
 */
export class Sections {
  private settingsChosen = false;
  private readonly narrow = window.matchMedia(NARROW);

  constructor(private readonly root: HTMLElement, private readonly changed: () => void) {
    root.addEventListener('click', (e) => {
      const button = (e.target as HTMLElement).closest<HTMLButtonElement>('button.fold');
      if (!button || !root.contains(button)) return;
      if (button.dataset.fold === 'settings') this.settingsChosen = true;
      this.setFolded(button, button.getAttribute('aria-expanded') === 'true');
      this.changed();
    });
    root.addEventListener('input', () => this.refresh());
    root.addEventListener('change', () => this.refresh());
    this.narrow.addEventListener('change', () => this.followWidth());
    this.followWidth();
  }

  /** Ids of the folded parts (`loss`, `settings`, …); settings folded only for lack of width are not a choice. */
  folded(): string[] {
    return this.buttons()
      .filter((b) => b.getAttribute('aria-expanded') === 'false' && (b.dataset.fold !== 'settings' || this.settingsChosen))
      .map((b) => b.dataset.fold ?? '');
  }

  /** Folds exactly these parts (unknown ids are ignored: a card may be gone in a newer panel). */
  restore(ids: readonly string[]): void {
    const fold = new Set(ids);
    if (fold.has('settings')) this.settingsChosen = true;
    for (const b of this.buttons()) {
      if (b.dataset.fold !== 'settings' || this.settingsChosen) this.setFolded(b, fold.has(b.dataset.fold ?? ''));
    }
  }

  /** The folded settings' summary, after their values changed from outside (a model arrived, a restore). */
  refresh(): void {
    this.summarise();
  }

  private followWidth(): void {
    const settings = this.root.querySelector<HTMLButtonElement>('button.fold[data-fold="settings"]');
    if (settings && !this.settingsChosen) this.setFolded(settings, this.narrow.matches);
  }

  private buttons(): HTMLButtonElement[] {
    return Array.from(this.root.querySelectorAll<HTMLButtonElement>('button.fold'));
  }

  private setFolded(button: HTMLButtonElement, folded: boolean): void {
    button.setAttribute('aria-expanded', String(!folded));
    const body = document.getElementById(button.getAttribute('aria-controls') ?? '');
    if (body) body.hidden = folded;
    button.closest('.card, .settings')?.classList.toggle('folded', folded);
    this.summarise();
  }

  /** While the settings are folded their button reads e.g. "Settings: 3 epochs · batch 64 · lr 0.05 · auto". */
  private summarise(): void {
    const summary = document.getElementById('settings-summary');
    const body = document.getElementById('settings-body');
    if (!summary || !body) return;
    if (!body.hidden) { summary.textContent = ''; return; }
    const value = (id: string) => (document.getElementById(id) as HTMLInputElement | null)?.value ?? '';
    const backend = value('backend');
    summary.textContent = `: ${value('epochs')} epochs · batch ${value('batch')} · lr ${value('lr')}${backend ? ` · ${backend}` : ''}`;
  }
}
