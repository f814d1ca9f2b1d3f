// Warns when a model's data folder or file does not exist, so a missing download shows while editing
// rather than when training fails. Existence is checked asynchronously with `workspace.fs.stat`, cached,
// and re-checked when files are created or deleted. Own diagnostics (source `convlab-data`), own fixes.
import * as vscode from 'vscode';
import { errorDetails } from '../../engine';
import type { Diagnostic } from '../../lang';
import { CNN_SELECTOR, type Analysis, type Ctx } from '../ctx';
import { DATA_PATH_MISSING, dataPaths, missingDataDiagnostic } from '../dataPaths';
import { quickFixesAt } from '../present';
import { fromRange, toDiagnostic, toWorkspaceEdit } from '../vs';

/** Diagnostic source of these checks (the status bar counts them too). */
export const DATA_PATHS_SOURCE = 'convlab-data';

export function registerDataPaths(ctx: Ctx): void {
  const collection = vscode.languages.createDiagnosticCollection(DATA_PATHS_SOURCE);
  ctx.pushCleanup(collection);
  const docsLink = vscode.Uri.joinPath(ctx.extensionUri, 'docs', 'data.md');
  const exists = new Map<string, Promise<boolean>>();
  /** Per document: what was last published, for the quick fixes. */
  const published = new Map<string, Diagnostic[]>();
  /** Per document: a counter so a slow check never overwrites the result of a newer one. */
  const generation = new Map<string, number>();

  const stat = (path: string): Promise<boolean> => {
    let hit = exists.get(path);
    if (!hit) {
      hit = Promise.resolve(vscode.workspace.fs.stat(vscode.Uri.file(path))).then(() => true, () => false);
      exists.set(path, hit);
    }
    return hit;
  };

  const check = async (document: vscode.TextDocument, analysis: Analysis | undefined) => {
    const key = document.uri.toString();
    const gen = (generation.get(key) ?? 0) + 1;
    generation.set(key, gen);
    const paths = analysis ? dataPaths(analysis) : [];
    const found = await Promise.all(paths.map((p) => stat(p.path)));
    if (generation.get(key) !== gen || document.isClosed) return;
    const problems = paths.filter((_, i) => !found[i]).map((p) => missingDataDiagnostic(p, analysis?.spec.input ?? null));
    published.set(key, problems);
    collection.set(document.uri, problems.map((d) => {
      const out = toDiagnostic(d, document.uri);
      out.source = DATA_PATHS_SOURCE;
      out.code = { value: DATA_PATH_MISSING, target: docsLink };
      return out;
    }));
  };
  const guarded = (document: vscode.TextDocument, analysis: Analysis | undefined) =>
    void check(document, analysis).catch((e: unknown) => ctx.log.error('checking data paths failed:', errorDetails(e)));

  ctx.pushCleanup(ctx.onDidAnalyze(({ document, analysis }) => guarded(document, analysis)));
  // A download unpacked (or a folder deleted) anywhere in the workspace: forget every answer and ask again.
  const watcher = vscode.workspace.createFileSystemWatcher('**', false, true, false);
  const recheck = () => {
    exists.clear();
    for (const doc of vscode.workspace.textDocuments) if (ctx.isModel(doc)) guarded(doc, ctx.analysis(doc));
  };
  ctx.pushCleanup(watcher);
  ctx.pushCleanup(watcher.onDidCreate(recheck));
  ctx.pushCleanup(watcher.onDidDelete(recheck));
  ctx.pushCleanup(vscode.workspace.onDidCloseTextDocument((doc) => {
    const key = doc.uri.toString();
    collection.delete(doc.uri);
    published.delete(key);
    generation.delete(key);
  }));

  ctx.pushCleanup(vscode.languages.registerCodeActionsProvider(CNN_SELECTOR, {
    provideCodeActions(document, range, context) {
      if (context.only && !vscode.CodeActionKind.QuickFix.intersects(context.only)) return [];
      return ctx.guard('data path fixes', () => {
        const problems = published.get(document.uri.toString()) ?? [];
        return quickFixesAt(problems, fromRange(range)).map(({ fix, diagnostic, isPreferred }) => {
          const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
          action.edit = toWorkspaceEdit(fix, document.uri);
          action.isPreferred = isPreferred;
          action.diagnostics = context.diagnostics.filter((d) => d.source === DATA_PATHS_SOURCE && d.message === diagnostic.message);
          return action;
        });
      }, []);
    },
  }, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }));
}
