// Status-bar summary of the active model: total parameters and output shape, or the error count.
// Clicking it opens the Problems panel.
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { statusData } from '../present';

export function registerStatusBar(ctx: Ctx): void {
  const item = vscode.window.createStatusBarItem('convlab.model', vscode.StatusBarAlignment.Left, 10);
  item.name = 'ConvLab model';
  item.command = 'workbench.actions.view.problems';
  ctx.pushCleanup(item);

  const update = () => ctx.guard('status bar', () => {
    const editor = ctx.activeModelEditor;
    const analysis = editor && ctx.analysis(editor.document);
    if (!analysis) {
      item.hide();
      return;
    }
    const s = statusData(analysis);
    item.text = s.text;
    item.tooltip = s.tooltip;
    item.show();
  });

  ctx.pushCleanup(vscode.window.onDidChangeActiveTextEditor(update));
  ctx.pushCleanup(ctx.onDidAnalyze(({ document }) => {
    if (document === vscode.window.activeTextEditor?.document) update();
  }));
  update();
}
