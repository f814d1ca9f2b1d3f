// Registers the training panel: the "Train model" and "Check gradients" commands and the serializer
// that restores panels after VS Code reloads. One panel per model file; running a command again for
// the same file reveals (re-attaches to) its panel instead of opening another.

import { errorMessage } from '../../engine';
import * as vscode from 'vscode';
import { PANEL_VIEW_TYPE, panelStateHeaderSchema, type HostNotification } from '../../protocol';
import { parse, tryParse } from '../../schema';
import type { Ctx } from '../ctx';
import { DatasetCache, PanelError, TrainingPanel } from './panel';
import { modelName } from './summaries';

export function registerPanel(ctx: Ctx): void {
  const manager = new PanelManager(ctx);
  ctx.pushCleanup(manager);
  ctx.activePanelModel = () => manager.activePanelModel();
  ctx.registerCommand('trainModel', (arg?: unknown) => manager.train(arg));
  ctx.registerCommand('gradientCheck', (arg?: unknown) => manager.gradientCheck(arg));
  ctx.pushCleanup(vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
    deserializeWebviewPanel: (panel, state) => manager.revive(panel, state),
  }));
}

class PanelManager implements vscode.Disposable {
  private readonly panels = new Map<string, TrainingPanel>();
  private readonly datasets: DatasetCache;

  constructor(private readonly ctx: Ctx) {
    this.datasets = new DatasetCache(vscode.Uri.joinPath(ctx.extensionUri, 'dist', 'data').fsPath, () => ctx.config.maxDataBytes);
  }

  /** "Train model": open (or reveal) the model's panel and start training, unless a run is live. */
  async train(arg: unknown): Promise<void> {
    const document = await this.modelDocument(arg);
    const existing = this.panels.get(document.uri.toString());
    if (existing) {
      existing.reveal();
      if (existing.isLive) {
        void vscode.window.showInformationMessage(`ConvLab: ${document.uri.path.split('/').pop()} is already training; showing its panel.`);
        return;
      }
      await this.run(existing, document, () => existing.postAfterInit({ type: 'start' }));
      return;
    }
    await this.open(document, { type: 'start' });
  }

  /** "Check gradients": in the model's panel (opened if needed), on the GPU when there is one. */
  async gradientCheck(arg: unknown): Promise<void> {
    const document = await this.modelDocument(arg);
    const existing = this.panels.get(document.uri.toString());
    if (existing) {
      existing.reveal();
      if (existing.isLive) existing.postAfterInit({ type: 'runGradientCheck' });
      else await this.run(existing, document, () => existing.postAfterInit({ type: 'runGradientCheck' }));
      return;
    }
    await this.open(document, { type: 'runGradientCheck' });
  }

  /** Restores a panel after a reload from the webview's saved state. */
  async revive(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const header = tryParse((s) => parse(panelStateHeaderSchema, s, 'state'), state);
    if (!header.ok) {
      this.ctx.log.warn(`not restoring a training panel: ${header.error}`);
      panel.dispose();
      return;
    }
    const uri = vscode.Uri.parse(header.message.modelUri);
    if (this.panels.has(uri.toString())) { panel.dispose(); return; }
    const p = this.adopt(new TrainingPanel(this.ctx, this.datasets, uri, panel, this.reopen));
    try {
      await p.load(await vscode.workspace.openTextDocument(uri));
    } catch (e) {
      const message = errorMessage(e);
      this.ctx.log.warn(`restoring the training panel of ${uri.toString()}: ${message}`);
      p.postAfterInit({ type: 'notice', level: 'error', message });
    }
  }

  /** "Resume" after a panel closed mid-run: the model's panel (opened again) continues from `checkpoint`. */
  private readonly reopen = async (model: vscode.Uri, checkpoint: string): Promise<void> => {
    const document = await vscode.workspace.openTextDocument(model);
    const resume: HostNotification = { type: 'resume', path: checkpoint };
    const existing = this.panels.get(model.toString());
    if (!existing) return this.open(document, resume);
    existing.reveal();
    if (existing.isLive) throw new PanelError(`${modelName(model.path)} is training again already; stop it to resume from ${checkpoint}`);
    await this.run(existing, document, () => existing.postAfterInit(resume));
  };

  private async open(document: vscode.TextDocument, first: HostNotification): Promise<void> {
    // Check the model and load its data before opening anything: a broken model gets a message, not a panel.
    // All training panels share one group beside the editors, so a second model does not open a third group.
    const group = [...this.panels.values()].map((p) => p.panel.viewColumn).find((c) => c !== undefined);
    const panel = this.adopt(TrainingPanel.create(this.ctx, this.datasets, document.uri, this.reopen, group));
    try {
      await panel.load(document);
    } catch (e) {
      panel.dispose();
      throw e;
    }
    panel.postAfterInit(first);
  }

  private async run(panel: TrainingPanel, document: vscode.TextDocument, then: () => void): Promise<void> {
    await panel.load(document);
    then();
  }

  private adopt(panel: TrainingPanel): TrainingPanel {
    const key = panel.uri.toString();
    this.panels.set(key, panel);
    panel.onDidDispose(() => { if (this.panels.get(key) === panel) this.panels.delete(key); });
    return panel;
  }

  /** The `.cnn` document a command is about: its argument (editor title, explorer), else the active editor. */
  private async modelDocument(arg: unknown): Promise<vscode.TextDocument> {
    if (arg instanceof vscode.Uri) {
      const doc = await vscode.workspace.openTextDocument(arg);
      if (!this.ctx.isModel(doc)) throw new PanelError(`${arg.path.split('/').pop()} is not a ConvLab model (a .cnn file, or a simpleNN .config)`);
      return doc;
    }
    const editor = this.ctx.activeModelEditor;
    if (editor) return editor.document;
    const open = this.panelForActiveTab();
    if (open) return vscode.workspace.openTextDocument(open.uri);
    throw new PanelError('open a .cnn model file first, then run this command');
  }

  activePanelModel(): vscode.Uri | undefined {
    return this.panelForActiveTab()?.uri;
  }

  /** When a training panel is the active tab, commands apply to its model. */
  private panelForActiveTab(): TrainingPanel | undefined {
    for (const p of this.panels.values()) if (p.panel.active) return p;
    return undefined;
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.dispose();
    this.panels.clear();
  }
}
