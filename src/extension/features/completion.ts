// Completion of statement keywords, parameters and values, with snippets and docs from the catalog.
import * as vscode from 'vscode';
import { CNN_SELECTOR, type Ctx } from '../ctx';
import { completionsAt, type CompletionData } from '../completions';
import { fromPosition, toRange } from '../vs';

const KIND: Record<CompletionData['kind'], vscode.CompletionItemKind> = {
  keyword: vscode.CompletionItemKind.Keyword,
  property: vscode.CompletionItemKind.Property,
  value: vscode.CompletionItemKind.Value,
};

export function registerCompletion(ctx: Ctx): void {
  const provider: vscode.CompletionItemProvider = {
    provideCompletionItems(document, position) {
      return ctx.guard('completion', () => {
        const analysis = ctx.analysis(document);
        if (!analysis) return [];
        const items = completionsAt(analysis.syntax, document.lineAt(position.line).text, fromPosition(position));
        return items.map((c) => {
          const item = new vscode.CompletionItem(c.label, KIND[c.kind]);
          item.detail = c.detail || undefined;
          item.documentation = new vscode.MarkdownString(c.documentation);
          item.insertText = new vscode.SnippetString(c.snippet);
          item.range = toRange(c.range);
          item.sortText = c.sortText;
          return item;
        });
      }, []);
    },
  };
  // `=` opens the value list right after a key; space after a keyword lists its parameters.
  ctx.pushCleanup(vscode.languages.registerCompletionItemProvider(CNN_SELECTOR, provider, '=', ' '));
}
