// Conversions between the language's plain data (src/lang/spec.ts) and VS Code objects. Nothing else.
import * as vscode from 'vscode';
import type { Diagnostic, Fix, Position, Range, Severity } from '../lang';

export const DIAGNOSTIC_SOURCE = 'convlab';

export function toPosition(p: Position): vscode.Position {
  return new vscode.Position(p.line, p.character);
}

export function toRange(r: Range): vscode.Range {
  return new vscode.Range(toPosition(r.start), toPosition(r.end));
}

export function fromPosition(p: vscode.Position): Position {
  return { line: p.line, character: p.character };
}

export function fromRange(r: vscode.Range): Range {
  return { start: fromPosition(r.start), end: fromPosition(r.end) };
}

export function toSeverity(s: Severity): vscode.DiagnosticSeverity {
  switch (s) {
    case 'error': return vscode.DiagnosticSeverity.Error;
    case 'warning': return vscode.DiagnosticSeverity.Warning;
    case 'info': return vscode.DiagnosticSeverity.Information;
  }
}

export function fromSeverity(s: vscode.DiagnosticSeverity): Severity {
  switch (s) {
    case vscode.DiagnosticSeverity.Error: return 'error';
    case vscode.DiagnosticSeverity.Warning: return 'warning';
    default: return 'info';
  }
}

export function toDiagnostic(d: Diagnostic, uri: vscode.Uri): vscode.Diagnostic {
  const out = new vscode.Diagnostic(toRange(d.range), d.message, toSeverity(d.severity));
  out.source = DIAGNOSTIC_SOURCE;
  out.code = d.code;
  if (d.related?.length) {
    out.relatedInformation = d.related.map(
      (r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(uri, toRange(r.range)), r.message),
    );
  }
  return out;
}

export function toWorkspaceEdit(fix: Fix, uri: vscode.Uri): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  for (const e of fix.edits) edit.replace(uri, toRange(e.range), e.newText);
  return edit;
}

/** Finds the VS Code diagnostic we published for a language diagnostic (same range, code and message). */
export function sameDiagnostic(a: vscode.Diagnostic, b: Diagnostic): boolean {
  return a.source === DIAGNOSTIC_SOURCE && a.code === b.code && a.message === b.message && a.range.isEqual(toRange(b.range));
}
