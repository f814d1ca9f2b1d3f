// Hovers: a layer's shapes and costs, a keyword's or parameter's documentation.
import * as vscode from 'vscode';
import { MODEL_SELECTOR, SIMPLENN_LANGUAGE_ID, type Ctx } from '../ctx';
import { entryHoverAt, hoverAt } from '../hovers';
import { fromPosition, toRange } from '../vs';

export function registerHover(ctx: Ctx): void {
  ctx.pushCleanup(vscode.languages.registerHoverProvider(MODEL_SELECTOR, {
    provideHover(document, position) {
      return ctx.guard('hover', () => {
        const analysis = ctx.analysis(document);
        const at = fromPosition(position);
        const hover = analysis && (document.languageId === SIMPLENN_LANGUAGE_ID ? entryHoverAt(analysis.layers, at) : hoverAt(analysis, at));
        if (!hover) return undefined;
        const md = new vscode.MarkdownString(hover.markdown);
        md.supportThemeIcons = true;
        return new vscode.Hover(md, toRange(hover.range));
      });
    },
  }));
}
