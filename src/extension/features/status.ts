// Status-bar summary of the active model: total parameters and output shape, or the error and warning
// counts. Clicking it shows this file's problems, or, when there are none, the outline (the model summary).
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { statusData, type StatusData } from '../present';
import { fromSeverity } from '../vs';
import { DATA_PATHS_SOURCE } from './dataPaths';

const CLICK: Record<StatusData['click'], vscode.Command> = {
  // Focusing the Problems view reveals the active file's entries (`problems.autoReveal`).
  problems: { command: 'workbench.action.problems.focus', title: 'Show problems' },
  outline: { command: 'outline.focus', title: 'Show the model outline' },
};

export function registerStatusBar(ctx: Ctx): void {
  const item = vscode.window.createStatusBarItem('convlab.model', vscode.StatusBarAlignment.Left, 10);
  item.name = 'ConvLab model';
  ctx.pushCleanup(item);

  const update = () => ctx.guard('status bar', () => {
    const editor = ctx.activeModelEditor;
    const analysis = editor && ctx.analysis(editor.document);
    if (!analysis) {
      item.hide();
      return;
    }
    // The data-path warnings are published apart from the analysis; the count covers both.
    const dataProblems = vscode.languages.getDiagnostics(editor.document.uri)
      .filter((d) => d.source === DATA_PATHS_SOURCE).map((d) => ({ severity: fromSeverity(d.severity) }));
    const s = statusData({ ...analysis, diagnostics: [...analysis.diagnostics, ...dataProblems] });
    item.text = s.text;
    item.tooltip = s.tooltip;
    // Without it the accessible name is the raw text, codicon names ('symbol-array') included.
    item.accessibilityInformation = { label: s.ariaLabel };
    item.command = CLICK[s.click];
    item.show();
  });

  ctx.pushCleanup(vscode.window.onDidChangeActiveTextEditor(update));
  ctx.pushCleanup(vscode.languages.onDidChangeDiagnostics((e) => {
    const active = vscode.window.activeTextEditor?.document.uri.toString();
    if (e.uris.some((u) => u.toString() === active)) update();
  }));
  ctx.pushCleanup(ctx.onDidAnalyze(({ document }) => {
    if (document === vscode.window.activeTextEditor?.document) update();
  }));
  update();
}
