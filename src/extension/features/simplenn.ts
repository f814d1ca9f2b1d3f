// simpleNN `.config` models in the editor: a `.config` whose text reads like simpleNN's gets the
// simpleNN language (so diagnostics, hints, hovers, fixes and Train model apply), and "Convert to
// .cnn" writes the equivalent ConvLab model beside it. XML `.config` files are left as they are.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { configToCnn, looksLikeSimpleNNConfig } from '../../lang';
import { SIMPLENN_LANGUAGE_ID, type Ctx } from '../ctx';

/** Languages a `.config` may arrive in before we look at it (VS Code's XML extension claims `.config`). */
const ADOPTABLE = new Set(['xml', 'plaintext', 'properties', 'ini']);

export function registerSimpleNN(ctx: Ctx): void {
  const adopt = (doc: vscode.TextDocument) => {
    if (!doc.uri.path.endsWith('.config') || doc.languageId === SIMPLENN_LANGUAGE_ID || !ADOPTABLE.has(doc.languageId)) return;
    if (!ctx.guard('reading a .config', () => looksLikeSimpleNNConfig(doc.getText()), false)) return;
    ctx.log.info(`${path.basename(doc.uri.path)} reads like a simpleNN model: opening it as one`);
    void vscode.languages.setTextDocumentLanguage(doc, SIMPLENN_LANGUAGE_ID);
  };
  ctx.pushCleanup(vscode.workspace.onDidOpenTextDocument(adopt));
  for (const doc of vscode.workspace.textDocuments) adopt(doc);

  ctx.registerCommand('convertConfig', async (arg?: unknown) => {
    const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
    if (!uri || !uri.path.endsWith('.config')) throw new Error('open a simpleNN .config model to convert it');
    const doc = await vscode.workspace.openTextDocument(uri);
    const name = path.basename(uri.path);
    const target = uri.with({ path: uri.path.replace(/\.config$/, '.cnn') });
    const cnn = configToCnn(doc.getText(), { source: name });
    if (await exists(target)) {
      const overwrite = 'Replace';
      const choice = await vscode.window.showWarningMessage(`${path.basename(target.path)} already exists. Replace it with the conversion of ${name}?`,
        { modal: true }, overwrite);
      if (choice !== overwrite) return;
    }
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(cnn));
    ctx.log.info(`converted ${name} to ${path.basename(target.path)}`);
    await vscode.window.showTextDocument(target, { viewColumn: vscode.ViewColumn.Beside });
  });
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
