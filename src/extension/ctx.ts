// The one context object of the extension (in the spirit of rust-analyzer's `Ctx`): settings, the log,
// the per-document analysis cache and the debounced re-analysis that every feature listens to.
// Features are `register*(ctx)` functions; they read `ctx.analysis(doc)` and react to `ctx.onDidAnalyze`.
import { homedir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { errorDetails, errorMessage } from '../engine';
import { analyze, analyzeConfig, type Analysis } from '../lang';
import { CONFIG_SECTION, readConfig, type Config } from './config';

export const LANGUAGE_ID = 'cnn';
/** simpleNN `.config` models (src/lang/simplenn), given this language when their text reads like one. */
export const SIMPLENN_LANGUAGE_ID = 'simplenn-config';
/** Features that work on the `.cnn` syntax itself (completion, outline, data-path fixes). */
export const CNN_SELECTOR: vscode.DocumentSelector = { language: LANGUAGE_ID };
/** Features that need only an Analysis (diagnostics, hints, hovers, fixes): both model languages. */
export const MODEL_SELECTOR: vscode.DocumentSelector = [{ language: LANGUAGE_ID }, { language: SIMPLENN_LANGUAGE_ID }];

export type { Analysis };

export interface AnalysisEvent {
  readonly document: vscode.TextDocument;
  /** Analysis of `document.version`; undefined if the analyzer failed (the error is in the log). */
  readonly analysis: Analysis | undefined;
}

interface CacheEntry { readonly version: number; readonly analysis: Analysis | undefined }

const SHOW_PROBLEMS = 'Show Problems';

export class Ctx implements vscode.Disposable {
  readonly log: vscode.LogOutputChannel;
  private cfg: Config;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly analyzed = new vscode.EventEmitter<AnalysisEvent>();
  private readonly configChanged = new vscode.EventEmitter<Config>();
  private readonly disposables: vscode.Disposable[] = [];

  /** Fired after a document was (re-)analyzed: on open, after edits (debounced) and on settings changes. */
  readonly onDidAnalyze = this.analyzed.event;
  /** Fired after the `convlab.*` settings changed (and every open model was re-analyzed). */
  readonly onDidChangeConfig = this.configChanged.event;

  constructor(readonly extension: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel('ConvLab', { log: true });
    this.cfg = this.readConfig();
    this.disposables.push(
      this.log, this.analyzed, this.configChanged,
      vscode.workspace.onDidOpenTextDocument((doc) => this.schedule(doc, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0) this.schedule(e.document, this.cfg.debounceMs);
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => this.forget(doc.uri)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(CONFIG_SECTION)) return;
        this.cfg = this.readConfig();
        this.log.info('settings changed', this.cfg);
        this.cache.clear();
        this.configChanged.fire(this.cfg);
        this.reanalyzeAll();
      }),
    );
    extension.subscriptions.push(this);
  }

  get config(): Config {
    return this.cfg;
  }

  get extensionUri(): vscode.Uri {
    return this.extension.extensionUri;
  }

  /** Disposed when the extension deactivates. */
  pushCleanup(d: vscode.Disposable): void {
    this.disposables.push(d);
  }

  /** Registers `convlab.<name>`; a throwing command is reported, not left to crash the host. */
  registerCommand(name: string, run: (...args: unknown[]) => unknown): void {
    const id = `convlab.${name}`;
    this.pushCleanup(vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await run(...args);
      } catch (e) {
        this.log.error(`command ${id} failed:`, errorDetails(e));
        // An error about the model's own problems offers the Problems view next to it.
        const problems = (e as { showProblems?: unknown } | null)?.showProblems === true;
        void vscode.window.showErrorMessage(`ConvLab: ${errorMessage(e)}`, ...(problems ? [SHOW_PROBLEMS] : [])).then((choice) => {
          if (choice === SHOW_PROBLEMS) void vscode.commands.executeCommand('workbench.actions.view.problems');
        });
        return undefined;
      }
    }));
  }

  isModel(doc: vscode.TextDocument): boolean {
    return doc.languageId === LANGUAGE_ID || doc.languageId === SIMPLENN_LANGUAGE_ID;
  }

  /** The model of the training panel that is the active tab, if one is (the panel feature provides it). */
  activePanelModel: () => vscode.Uri | undefined = () => undefined;

  get activeModelEditor(): vscode.TextEditor | undefined {
    const editor = vscode.window.activeTextEditor;
    return editor && this.isModel(editor.document) ? editor : undefined;
  }

  /**
   * The analysis of the document as it is now (cached per version; computed synchronously on a miss, so
   * providers called right after an edit never see a stale model). Undefined if the analyzer failed.
   */
  analysis(doc: vscode.TextDocument): Analysis | undefined {
    const key = doc.uri.toString();
    const hit = this.cache.get(key);
    if (hit && hit.version === doc.version) return hit.analysis;
    const options = {
      baseDir: doc.uri.scheme === 'file' ? path.dirname(doc.uri.fsPath) : undefined,
      homeDir: homedir(),
      memoryBudgetBytes: this.cfg.memoryBudgetBytes,
    };
    const t0 = performance.now();
    const analysis = this.guard(`analyzing ${doc.uri.fsPath}`,
      () => (doc.languageId === SIMPLENN_LANGUAGE_ID ? analyzeConfig : analyze)(doc.getText(), options));
    this.log.trace(`analyzed ${path.basename(doc.uri.path)} v${doc.version} in ${(performance.now() - t0).toFixed(1)} ms`);
    this.cache.set(key, { version: doc.version, analysis });
    return analysis;
  }

  /** Runs `fn`; on an exception logs it and returns `fallback` (providers must never throw). */
  guard<T>(what: string, fn: () => T): T | undefined;
  guard<T>(what: string, fn: () => T, fallback: T): T;
  guard<T>(what: string, fn: () => T, fallback?: T): T | undefined {
    try {
      return fn();
    } catch (e) {
      this.log.error(`${what} failed:`, errorDetails(e));
      return fallback;
    }
  }

  /** Analyzes every open model now and fires `onDidAnalyze` for each (used at activation). */
  reanalyzeAll(): void {
    for (const doc of vscode.workspace.textDocuments) this.schedule(doc, 0);
  }

  /** (Re-)analyzes `doc` after `delayMs` of quiet; a newer edit restarts the wait. */
  private schedule(doc: vscode.TextDocument, delayMs: number): void {
    if (!this.isModel(doc)) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      if (doc.isClosed) return;
      // Analysis is synchronous and keyed by version, so what we publish is always `doc.version`.
      const version = doc.version;
      const analysis = this.analysis(doc);
      if (doc.version !== version) return;
      this.guard('publishing analysis', () => this.analyzed.fire({ document: doc, analysis }));
    }, delayMs));
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.cache.delete(key);
  }

  private readConfig(): Config {
    return readConfig(vscode.workspace.getConfiguration(CONFIG_SECTION));
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.cache.clear();
    while (this.disposables.length) this.guard('disposing', () => this.disposables.pop()?.dispose());
  }
}
