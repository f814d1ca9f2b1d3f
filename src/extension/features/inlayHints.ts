// Each layer's output shape (and, per settings, parameters and FLOPs) at the end of its line.
// Shapes that are only provisional, or unknown right now but known before the last edit, stay visible
// marked `≈` instead of `→` (see `hintLabel`), so hints do not vanish and come back while a line is typed.
import * as vscode from 'vscode';
import { hoverMarkdown, type LayerInfo } from '../../lang';
import { MODEL_SELECTOR, SIMPLENN_LANGUAGE_ID, type Analysis, type Ctx } from '../ctx';
import { lastKnownShapes, snapshotOf, type ShapeSnapshot } from '../lastShapes';
import { layerHints } from '../present';
import { toPosition, toRange } from '../vs';

export function registerInlayHints(ctx: Ctx): void {
  const changed = new vscode.EventEmitter<void>();
  ctx.pushCleanup(changed);
  /** Per document: the last analysis in which every layer had a shape. */
  const lastGood = new Map<string, ShapeSnapshot>();
  const textIn = (document: vscode.TextDocument) => (info: LayerInfo) => document.getText(toRange(info.layer.range));
  const remember = (document: vscode.TextDocument, analysis: Analysis | undefined) => {
    const snapshot = analysis && snapshotOf(analysis.layers, textIn(document));
    if (snapshot) lastGood.set(document.uri.toString(), snapshot);
  };

  // VS Code asks again on its own after edits; this refresh covers re-analysis it cannot see
  // (settings changes) and makes the hints follow the debounced analysis.
  ctx.pushCleanup(ctx.onDidAnalyze(({ document, analysis }) => {
    remember(document, analysis);
    changed.fire();
  }));
  ctx.pushCleanup(ctx.onDidChangeConfig(() => changed.fire()));
  ctx.pushCleanup(vscode.workspace.onDidCloseTextDocument((doc) => lastGood.delete(doc.uri.toString())));

  const provider: vscode.InlayHintsProvider = {
    onDidChangeInlayHints: changed.event,
    provideInlayHints(document, range) {
      const { enabled, showParams, showFlops } = ctx.config.inlayHints;
      if (!enabled) return [];
      return ctx.guard('inlay hints', () => {
        const analysis = ctx.analysis(document);
        if (!analysis) return [];
        remember(document, analysis);
        const lastKnown = lastKnownShapes(lastGood.get(document.uri.toString()), analysis.layers, textIn(document));
        const lineLength = (line: number) => document.lineAt(line).text.length;
        // A .config names several layers on one line (one vector entry each): each hint follows its entry.
        const placement = document.languageId === SIMPLENN_LANGUAGE_ID ? 'entry' : 'line-end';
        const hints = layerHints(analysis.layers, { showParams, showFlops, placement }, lineLength, range.start.line, range.end.line, lastKnown);
        return hints.map((h) => {
          const hint = new vscode.InlayHint(toPosition(h.position), h.label, vscode.InlayHintKind.Type);
          hint.paddingLeft = true;
          hint.tooltip = new vscode.MarkdownString([h.note, hoverMarkdown(h.shown)].filter(Boolean).join('\n\n'));
          return hint;
        });
      }, []);
    },
  };
  ctx.pushCleanup(vscode.languages.registerInlayHintsProvider(MODEL_SELECTOR, provider));
}
