// Document symbols: the outline of the model (breadcrumbs, Outline view, Go to Symbol).
import * as vscode from 'vscode';
import { CNN_SELECTOR, type Ctx } from '../ctx';
import { outline, type SymbolData } from '../outline';
import { toRange } from '../vs';

const KIND: Record<SymbolData['kind'], vscode.SymbolKind> = {
  input: vscode.SymbolKind.Variable,
  layer: vscode.SymbolKind.Function,
  loss: vscode.SymbolKind.Operator,
  train: vscode.SymbolKind.Module,
  setting: vscode.SymbolKind.Property,
  unknown: vscode.SymbolKind.Null,
};

function toSymbol(s: SymbolData): vscode.DocumentSymbol {
  const sym = new vscode.DocumentSymbol(s.name, s.detail, KIND[s.kind], toRange(s.range), toRange(s.selectionRange));
  sym.children = s.children.map(toSymbol);
  return sym;
}

export function registerSymbols(ctx: Ctx): void {
  ctx.pushCleanup(vscode.languages.registerDocumentSymbolProvider(CNN_SELECTOR, {
    provideDocumentSymbols(document) {
      return ctx.guard('document symbols', () => {
        const analysis = ctx.analysis(document);
        return analysis ? outline(analysis).map(toSymbol) : [];
      }, []);
    },
  }, { label: 'ConvLab' }));
}
