// One training panel per model file. The host analyses the model, loads its data set and hands both to
// the webview, which trains (WebGPU in the page, or the CPU engine in a worker). The host writes
// checkpoints, reads them back for "Resume from checkpoint", and shows the run's summary.
//
// Hidden panels keep running: the panel is created with retainContextWhenHidden, because the training
// itself (the GPU device, the trainer, the worker) lives in the webview — without it, switching tabs
// would destroy the run. Across VS Code reloads, which end any run anyway, the webview's saved state
// (plots, settings, last checkpoint) is restored by the WebviewPanelSerializer in index.ts.

import * as vscode from 'vscode';
import { describeDataset, errorMessage, stateOfCheckpoint, type Dataset } from '../../engine';
import {
  latestCheckpointPath, listCheckpoints, loadDatasetInWorker, readCheckpointFile, saveCheckpoint as saveNumberedCheckpoint, writeCheckpointFile,
} from '../../engine/node';
import { trainSettingEdits, type Analysis, type DataSpec } from '../../lang';
import {
  kernelChoices, loadCheckpoint, PANEL_VIEW_TYPE, parseWebviewMessage, runFinished, saveCheckpoint, trainerStatePayload, writeTrainSettings,
  type HostMessage, type HostNotification, type ModelPayload, type TrainingStatePayload, type TrainingStatus, type WebviewNotification,
} from '../../protocol';
import { Responder, type ParamsOf, type ResultOf } from '../../rpc';
import { tryParse } from '../../schema';
import { SIMPLENN_LANGUAGE_ID, type Ctx } from '../ctx';
import { toRange } from '../vs';
import { checkpointItems, unreadableLines, type CheckpointItem } from './checkpoint-items';
import { makeNonce, panelHtml } from './html';
import { storedKernelChoices, storeKernelChoices } from './kernel-choices';
import { modelChange } from './model-sync';
import {
  checkpointFromState, closedMidRunMessage, defaultTrainingNotice, gradCheckMessage, modelErrorsMessage, modelName, runSummaryMessage,
  isModelCheckpoint, untrustedDataQuestion,
} from './summaries';

/** Opens the model's panel again and resumes from `checkpoint` (the "Resume" after a panel closed mid-run). */
export type Reopen = (model: vscode.Uri, checkpoint: string) => Promise<void>;

/** A model that was analysed without errors, with its data set. */
interface PreparedModel {
  readonly payload: ModelPayload;
  readonly dataset: Dataset;
}

/** A failure whose message is meant for the person as it is. */
export class PanelError extends Error {
  override readonly name = 'PanelError';
  /** The message is about the model's problems: offer to show them. */
  constructor(message: string, readonly showProblems = false) {
    super(message);
  }
}

/**
 * Loads data sets on a worker thread (so the extension host's event loop stays free) within the
 * `convlab.data.maxMB` budget, keeping only the last one: re-running a model, or another model on the
 * same data, reuses it, and memory stays bounded to one data set.
 */
export class DatasetCache {
  private last: { key: string; dataset: Promise<Dataset> } | null = null;

  constructor(private readonly builtinDir: string, private readonly maxDataBytes: () => number) {}

  load(spec: DataSpec): Promise<Dataset> {
    const maxDataBytes = this.maxDataBytes();
    // A changed budget reloads: a data set refused (or accepted) under the old one may fare otherwise.
    const key = JSON.stringify({ spec, maxDataBytes });
    if (this.last?.key === key) return this.last.dataset;
    const dataset = Promise.resolve(vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `ConvLab: loading the ${spec.kind === 'mnist' ? 'built-in MNIST' : spec.kind} data set…` },
      () => loadDatasetInWorker(spec, { builtinDir: this.builtinDir, maxDataBytes }),
    ));
    this.last = { key, dataset };
    dataset.catch(() => { if (this.last?.dataset === dataset) this.last = null; });
    return dataset;
  }
}

export class TrainingPanel implements vscode.Disposable {
  private prepared: PreparedModel | null = null;
  private webviewReady = false;
  /** Messages for after the next init (start, gradient check). */
  private readonly afterInit: HostNotification[] = [];
  /** Answers the webview's requests (protocol.ts). */
  private readonly responder = new Responder((response) => this.post(response),
    (method, message) => this.ctx.log.error(`training panel (${method}):`, message))
    .on(saveCheckpoint, (p) => this.saveCheckpoint(p))
    .on(loadCheckpoint, (p) => this.loadCheckpoint(p.path))
    .on(runFinished, (p) => this.finished(p))
    .on(writeTrainSettings, (p) => this.writeTrainSettings(p))
    .on(kernelChoices, () => storedKernelChoices(this.ctx.extension.globalState, this.ctx.config.webgpu.autotune));
  private status: TrainingStatus = 'idle';
  /** The last `modelChanged` sent since the model was loaded, so only news is sent. */
  private lastModelChange: Extract<HostNotification, { type: 'modelChanged' }> | null = null;
  /** The live run's latest state from the page, saved if the panel closes mid-run. */
  private runState: TrainingStatePayload | null = null;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly disposed = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposed.event;

  constructor(private readonly ctx: Ctx, private readonly datasets: DatasetCache, readonly uri: vscode.Uri, readonly panel: vscode.WebviewPanel,
    private readonly reopen: Reopen) {
    const dist = vscode.Uri.joinPath(ctx.extensionUri, 'dist');
    panel.webview.options = { enableScripts: true, localResourceRoots: [dist] };
    const asUri = (file: string) => panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, file)).toString();
    panel.webview.html = panelHtml({
      cspSource: panel.webview.cspSource, nonce: makeNonce(), title: panel.title,
      scriptUri: asUri('webview.js'), styleUri: asUri('webview.css'), workerUri: asUri('cpu-worker.js'),
    });
    this.disposables.push(
      panel.webview.onDidReceiveMessage((data: unknown) => this.receive(data)),
      panel.onDidDispose(() => this.dispose()),
      ctx.onDidAnalyze((e) => { if (e.document.uri.toString() === uri.toString() && e.analysis) this.modelEdited(e.analysis); }),
    );
  }

  /** A new panel beside the active editor. */
  /** A new panel: in the group the other training panels are in, else in a new group beside the editor. */
  static create(ctx: Ctx, datasets: DatasetCache, uri: vscode.Uri, reopen: Reopen, column?: vscode.ViewColumn): TrainingPanel {
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, `Train ${modelName(uri.path)}`,
      { viewColumn: column ?? vscode.ViewColumn.Beside, preserveFocus: false },
      { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [vscode.Uri.joinPath(ctx.extensionUri, 'dist')] });
    return new TrainingPanel(ctx, datasets, uri, panel, reopen);
  }

  /** Running, paused or starting: "Train model" re-attaches instead of restarting. */
  get isLive(): boolean {
    return this.status === 'running' || this.status === 'paused' || this.status === 'loading';
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  /** Analyses the model as it is now and loads its data set, then (re)initialises the webview. */
  async load(document: vscode.TextDocument): Promise<void> {
    this.prepared = await prepare(this.ctx, this.datasets, document);
    this.lastModelChange = null;
    this.panel.title = `Train ${this.prepared.payload.name}`;
    this.sendInit();
  }

  /** The file changed after the panel loaded it: tell the page what differs now. */
  private modelEdited(analysis: Analysis): void {
    if (!this.prepared || !this.webviewReady) return;
    const message = modelChange(this.prepared.payload, analysis, this.lastModelChange);
    if (!message) return;
    this.lastModelChange = message;
    this.post(message);
  }

  /** "Write to train line": an edit of the model's document, which the person sees and saves. */
  private async writeTrainSettings(values: ParamsOf<typeof writeTrainSettings>): Promise<ResultOf<typeof writeTrainSettings>> {
    const document = await vscode.workspace.openTextDocument(this.uri);
    if (document.languageId === SIMPLENN_LANGUAGE_ID) {
      throw new PanelError(`${modelName(this.uri.path)} is a simpleNN .config, which has no train line: ` +
        'run "ConvLab: Convert simpleNN model to .cnn" and set the values on its train line');
    }
    const edit = new vscode.WorkspaceEdit();
    for (const e of trainSettingEdits(document.getText(), values)) edit.replace(this.uri, toRange(e.range), e.newText);
    const written = await vscode.workspace.applyEdit(edit);
    if (written) this.ctx.log.info(`wrote the panel's settings into ${modelName(this.uri.path)}'s train line`);
    return { written };
  }

  /** Queues a message for after the model reached the webview. */
  postAfterInit(message: HostNotification): void {
    this.afterInit.push(message);
    this.sendInit(false);
  }

  private sendInit(force = true): void {
    if (!this.webviewReady || !this.prepared) return;
    if (force || this.afterInit.length > 0) {
      if (force) {
        const { payload, dataset } = this.prepared;
        this.post({
          type: 'init', model: payload,
          dataset: {
            name: dataset.name, description: describeDataset(dataset), shape: [...dataset.shape], classes: dataset.classes,
            classNames: [...(dataset.classNames ?? [])], train: dataset.train, test: dataset.test,
          },
          checkpointPath: latestCheckpointPath(this.uri.fsPath),
        });
      }
      for (const m of this.afterInit.splice(0)) this.post(m);
    }
  }

  private post(message: HostMessage): void {
    void this.panel.webview.postMessage(message).then(undefined, (e: unknown) =>
      this.ctx.log.error(`posting ${message.type} to the training panel failed:`, errorMessage(e)));
  }

  private receive(data: unknown): void {
    const parsed = tryParse(parseWebviewMessage, data);
    if (!parsed.ok) {
      this.ctx.log.warn(`training panel: ignored a malformed message: ${parsed.error}`);
      return;
    }
    const m = parsed.message;
    if (m.type === 'request') {
      void this.responder.receive(m);
      return;
    }
    this.handle(m).catch((e: unknown) => {
      const message = errorMessage(e);
      this.ctx.log.error(`training panel (${m.type}):`, message);
      this.post({ type: 'notice', level: 'error', message });
    });
  }

  private async handle(m: WebviewNotification): Promise<void> {
    switch (m.type) {
      case 'ready':
        this.webviewReady = true;
        this.sendInit();
        return;
      case 'log': {
        const text = `[panel ${modelName(this.uri.path)}] ${m.message}`;
        if (m.level === 'error') this.ctx.log.error(text);
        else if (m.level === 'warn') this.ctx.log.warn(text);
        else if (m.level === 'trace') this.ctx.log.trace(text);
        else this.ctx.log.info(text);
        return;
      }
      case 'status':
        if (m.status !== this.status) this.ctx.log.info(`[panel ${modelName(this.uri.path)}] ${m.status} (${m.backend ?? 'no backend'}, step ${m.globalStep})`);
        this.status = m.status;
        if (!this.isLive) this.runState = null;
        return;
      case 'runState':
        if (this.isLive) this.runState = m.state;
        return;
      case 'gradientCheckDone': {
        const text = gradCheckMessage(this.name, m.result);
        this.ctx.log.info(text);
        for (const t of m.result.tensors) {
          this.ctx.log.info(`  ${t.passed ? 'ok  ' : 'FAIL'} ${t.name} [${t.shape.join('×')}] max rel. error ${t.maxRelativeError.toExponential(2)} ` +
            `(checked ${t.checked}/${t.total}, skipped ${t.skipped})`);
        }
        if (m.result.passed) void vscode.window.showInformationMessage(`ConvLab: ${text}`);
        else void vscode.window.showWarningMessage(`ConvLab: ${text}`, 'Show log').then((a) => { if (a) this.ctx.log.show(true); });
        return;
      }
      case 'exportModel':
        // The page may name only the model's own checkpoints (security.md); another path is dropped.
        await vscode.commands.executeCommand('convlab.exportModel',
          { model: this.uri, checkpoint: m.checkpoint !== null && isModelCheckpoint(this.uri.fsPath, m.checkpoint) ? m.checkpoint : null });
        return;
      case 'saveKernelChoices': {
        const refused = await storeKernelChoices(this.ctx.extension.globalState, m.record);
        if (refused) this.ctx.log.warn(`[panel ${modelName(this.uri.path)}] ${refused}`);
        return;
      }
      case 'error':
        this.ctx.log.error(`[panel ${modelName(this.uri.path)}] ${m.message}`);
        // The panel shows it; a notification only when the panel is out of sight.
        if (!this.panel.visible) void vscode.window.showErrorMessage(`ConvLab (${this.name}): ${m.message}`);
        return;
    }
  }

  private get name(): string {
    return this.prepared?.payload.name ?? modelName(this.uri.path);
  }

  /** Save checkpoint: a numbered one beside the model (and the latest copy); Save as…: where the person picks. */
  private async saveCheckpoint(p: ParamsOf<typeof saveCheckpoint>): Promise<ResultOf<typeof saveCheckpoint>> {
    if (!p.choose) return { path: await this.saveToSeries(p.state) };
    const picked = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(latestCheckpointPath(this.uri.fsPath)), title: 'Save checkpoint', saveLabel: 'Save checkpoint',
      filters: { 'Safetensors checkpoints': ['safetensors'] },
    });
    if (!picked) return { path: null };
    await writeCheckpointFile(picked.fsPath, this.checkpointOf(p.state));
    this.logSaved(picked.fsPath, p.state);
    return { path: picked.fsPath };
  }

  /** Writes the state as the model's next numbered checkpoint, so no earlier one is overwritten; returns its path. */
  private async saveToSeries(state: TrainingStatePayload): Promise<string> {
    const saved = await saveNumberedCheckpoint(this.uri.fsPath, this.checkpointOf(state));
    this.logSaved(saved.path, state);
    for (const removed of saved.removed) this.ctx.log.info(`removed the older checkpoint ${removed}`);
    return saved.path;
  }

  private checkpointOf(state: TrainingStatePayload) {
    if (!this.prepared) throw new PanelError('the model is not loaded');
    const { payload } = this.prepared;
    return checkpointFromState(state, payload.text, payload.spec);
  }

  private logSaved(path: string, state: TrainingStatePayload): void {
    this.ctx.log.info(`wrote checkpoint ${path} (epoch ${state.epoch}, step ${state.step}, ${state.tensors.length} tensors)`);
  }

  /** "Resume from checkpoint": `path`, or the one the person picks, read and checked; null when they cancel. */
  private async loadCheckpoint(path?: string): Promise<ResultOf<typeof loadCheckpoint>> {
    // The page may name only this model's own checkpoints (the resume the host offered); any other
    // file is chosen on the host side, in the pick or the dialog.
    if (path !== undefined && !isModelCheckpoint(this.uri.fsPath, path)) {
      throw new PanelError(`the panel asked to read ${path}, which is not one of ${modelName(this.uri.path)}'s checkpoints; use "Resume from checkpoint" to choose a file`);
    }
    const chosen = path ?? await this.pickCheckpoint();
    if (!chosen) return null;
    const c = await readCheckpointFile(chosen);
    const modelDiffers = this.prepared !== null && c.metadata.modelText.trim() !== this.prepared.payload.text.trim();
    return { path: chosen, modelDiffers, ...trainerStatePayload(stateOfCheckpoint(c)) };
  }

  /** The model's numbered checkpoints, newest first, or "Browse…" for any other file. */
  private async pickCheckpoint(): Promise<string | undefined> {
    const list = await listCheckpoints(this.uri.fsPath);
    for (const line of unreadableLines(list)) this.ctx.log.warn(line);
    const items = checkpointItems(list);
    const picked = items.length > 1
      ? await vscode.window.showQuickPick<CheckpointItem & vscode.QuickPickItem>(items, {
        title: 'Resume from checkpoint', placeHolder: 'newest first', matchOnDescription: true, matchOnDetail: true,
      })
      : items[0];
    if (!picked) return undefined;
    if (picked.path !== null) return picked.path;
    const browsed = await vscode.window.showOpenDialog({
      defaultUri: vscode.Uri.file(latestCheckpointPath(this.uri.fsPath)), canSelectMany: false, title: 'Resume from checkpoint', openLabel: 'Resume',
      filters: { 'Safetensors checkpoints': ['safetensors'] },
    });
    return browsed?.[0]?.fsPath;
  }

  /** A run ended: saves its final state as the default checkpoint, then shows the summary (without waiting for it). */
  private async finished(p: ParamsOf<typeof runFinished>): Promise<ResultOf<typeof runFinished>> {
    let saved: string | null = null;
    this.runState = null;
    if (p.state) {
      try {
        saved = await this.saveToSeries(p.state);
      } catch (e) {
        this.ctx.log.error('saving the final checkpoint failed:', errorMessage(e));
        void vscode.window.showErrorMessage(`ConvLab: the final checkpoint could not be saved: ${errorMessage(e)}`);
      }
    }
    this.showSummary(runSummaryMessage(this.name, p.summary, saved), saved).catch((e: unknown) =>
      this.ctx.log.error('training panel (summary):', errorMessage(e)));
    return { checkpoint: saved };
  }

  private async showSummary(text: string, saved: string | null): Promise<void> {
    this.ctx.log.info(text);
    const actions = saved ? ['Open checkpoint', 'Show panel'] : ['Show panel'];
    const action = await vscode.window.showInformationMessage(`ConvLab: ${text}`, ...actions);
    if (action === 'Show panel') this.reveal();
    if (action === 'Open checkpoint' && saved) await revealFile(vscode.Uri.file(saved));
  }

  dispose(): void {
    if (this.isLive) {
      this.ctx.log.info(`[panel ${this.name}] closed while training; that run ended`);
      if (this.runState) void this.saveClosedRun(this.runState);
    }
    this.runState = null;
    this.status = 'idle';
    this.disposed.fire();
    this.disposed.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
    this.panel.dispose();
  }

  /** The panel closed mid-run: its latest state becomes a numbered checkpoint, offered back with "Resume". */
  private async saveClosedRun(state: TrainingStatePayload): Promise<void> {
    let saved: string;
    try {
      saved = await this.saveToSeries(state);
    } catch (e) {
      this.ctx.log.error('saving the run of a closed panel failed:', errorMessage(e));
      void vscode.window.showErrorMessage(`ConvLab: ${this.name} was closed while training, and its state could not be saved: ${errorMessage(e)}`);
      return;
    }
    const text = closedMidRunMessage(this.name, state, saved);
    this.ctx.log.info(text);
    if (await vscode.window.showInformationMessage(`ConvLab: ${text}`, 'Resume') === 'Resume') await this.reopen(this.uri, saved);
  }
}

/** Shows a file in the Explorer when it is in the workspace, else in the system's file manager. */
async function revealFile(uri: vscode.Uri): Promise<void> {
  if (vscode.workspace.getWorkspaceFolder(uri)) await vscode.commands.executeCommand('revealInExplorer', uri);
  else await vscode.commands.executeCommand('revealFileInOS', uri);
}

/** Analyses `document`; refuses a model with errors (listing them); loads its data set. */
const TRAIN_ANYWAY = 'Train anyway';


export async function prepare(ctx: Ctx, datasets: DatasetCache, document: vscode.TextDocument): Promise<PreparedModel> {
  const name = modelName(document.uri.path);
  const analysis: Analysis | undefined = ctx.analysis(document);
  if (!analysis) throw new PanelError(`${name} could not be analysed (see the ConvLab log)`);
  const errors = modelErrorsMessage(name, analysis.diagnostics);
  if (errors) throw new PanelError(errors, true);
  // Workspace trust: reading data the workspace names is asked for first (the built-in MNIST is not).
  const question = vscode.workspace.isTrusted ? null : untrustedDataQuestion(name, analysis.spec.train.data);
  if (question && await vscode.window.showWarningMessage(question, { modal: true }, TRAIN_ANYWAY) !== TRAIN_ANYWAY) {
    throw new PanelError(`${name} was not trained: the workspace is not trusted and its data was not read`);
  }
  const defaults = defaultTrainingNotice(name, analysis.spec);
  if (defaults) void vscode.window.showInformationMessage(`ConvLab: ${defaults}`);
  const dataset = await datasets.load(analysis.spec.train.data);
  const payload: ModelPayload = {
    name,
    path: document.uri.scheme === 'file' ? document.uri.fsPath : document.uri.toString(),
    uri: document.uri.toString(),
    text: document.getText(),
    spec: analysis.spec,
    layers: analysis.layers.map((l) => ({
      index: l.index, kind: l.layer.kind, params: l.params,
      text: document.getText(toRange(l.layer.range)).replace(/\s+/g, ' ').trim(),
      output: l.output ? [...l.output] : null,
    })),
    totalParams: analysis.totalParams,
  };
  return { payload, dataset };
}

