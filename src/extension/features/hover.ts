// Hovers: a layer's shapes and costs, a keyword's or parameter's documentation.
import * as vscode from 'vscode';
import { CNN_SELECTOR, type Ctx } from '../ctx';
import { hoverAt } from '../hovers';
import { fromPosition, toRange } from '../vs';

export function registerHover(ctx: Ctx): void {
  ctx.pushCleanup(vscode.languages.registerHoverProvider(CNN_SELECTOR, {
    provideHover(document, position) {
      return ctx.guard('hover', () => {
        const analysis = ctx.analysis(document);
        const hover = analysis && hoverAt(analysis, fromPosition(position));
        if (!hover) return undefined;
        const md = new vscode.MarkdownString(hover.markdown);
        md.supportThemeIcons = true;
        return new vscode.Hover(md, toRange(hover.range));
      });
    },
  }));
}
