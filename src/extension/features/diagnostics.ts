// Shape-checker diagnostics in the Problems panel and as squiggles, refreshed on every analysis.
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { toDiagnostic } from '../vs';

export function registerDiagnostics(ctx: Ctx): void {
  const collection = vscode.languages.createDiagnosticCollection('convlab');
  ctx.pushCleanup(collection);
  ctx.pushCleanup(ctx.onDidAnalyze(({ document, analysis }) => {
    collection.set(document.uri, analysis ? analysis.diagnostics.map((d) => toDiagnostic(d, document.uri)) : []);
  }));
  ctx.pushCleanup(vscode.workspace.onDidCloseTextDocument((doc) => collection.delete(doc.uri)));
}
