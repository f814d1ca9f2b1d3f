// Each layer's output shape (and, per settings, parameters and FLOPs) at the end of its line.
import * as vscode from 'vscode';
import { hoverMarkdown } from '../../lang';
import { CNN_SELECTOR, type Ctx } from '../ctx';
import { layerHints } from '../present';
import { toPosition } from '../vs';

export function registerInlayHints(ctx: Ctx): void {
  const changed = new vscode.EventEmitter<void>();
  ctx.pushCleanup(changed);
  // VS Code asks again on its own after edits; this refresh covers re-analysis it cannot see
  // (settings changes) and makes the hints follow the debounced analysis.
  ctx.pushCleanup(ctx.onDidAnalyze(() => changed.fire()));
  ctx.pushCleanup(ctx.onDidChangeConfig(() => changed.fire()));

  const provider: vscode.InlayHintsProvider = {
    onDidChangeInlayHints: changed.event,
    provideInlayHints(document, range) {
      const { enabled, showParams, showFlops } = ctx.config.inlayHints;
      if (!enabled) return [];
      return ctx.guard('inlay hints', () => {
        const analysis = ctx.analysis(document);
        if (!analysis) return [];
        const lineLength = (line: number) => document.lineAt(line).text.length;
        return layerHints(analysis.layers, { showParams, showFlops }, lineLength, range.start.line, range.end.line).map((h) => {
          const hint = new vscode.InlayHint(toPosition(h.position), h.label, vscode.InlayHintKind.Type);
          hint.paddingLeft = true;
          hint.paddingRight = h.paddingRight;
          const info = analysis.layers[h.layerIndex];
          if (info) hint.tooltip = new vscode.MarkdownString(hoverMarkdown(info));
          return hint;
        });
      }, []);
    },
  };
  ctx.pushCleanup(vscode.languages.registerInlayHintsProvider(CNN_SELECTOR, provider));
}
