// Quick fixes for every diagnostic that carries `fixes` (the language computes the text edits).
import * as vscode from 'vscode';
import { MODEL_SELECTOR, type Ctx } from '../ctx';
import { quickFixesAt } from '../present';
import { fromRange, sameDiagnostic, toWorkspaceEdit } from '../vs';

export function registerCodeActions(ctx: Ctx): void {
  const provider: vscode.CodeActionProvider = {
    provideCodeActions(document, range, context) {
      if (context.only && !vscode.CodeActionKind.QuickFix.intersects(context.only)) return [];
      return ctx.guard('code actions', () => {
        const analysis = ctx.analysis(document);
        if (!analysis) return [];
        return quickFixesAt(analysis.diagnostics, fromRange(range)).map(({ fix, diagnostic, isPreferred }) => {
          const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
          action.edit = toWorkspaceEdit(fix, document.uri);
          action.isPreferred = isPreferred;
          action.diagnostics = context.diagnostics.filter((d) => sameDiagnostic(d, diagnostic));
          return action;
        });
      }, []);
    },
  };
  ctx.pushCleanup(vscode.languages.registerCodeActionsProvider(MODEL_SELECTOR, provider, {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
  }));
}
