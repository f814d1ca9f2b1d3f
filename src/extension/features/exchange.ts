// The way out to other engines and back: "Export model…" writes a PyTorch folder (model.py, train.py
// for torchrun) or an ONNX file, with the weights of a checkpoint chosen from the model's own;
// "Import ONNX model…" turns an ONNX CNN into a .cnn file and a checkpoint beside it. The files are
// written by src/export/files.ts, as `convlab export` and `convlab import` write them.
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { listCheckpoints } from '../../engine/node';
import { ExportError, exportOnnxFile, exportPytorchFolder, importOnnxFile, type ExportRequest } from '../../export/files';
import type { Ctx } from '../ctx';
import { checkpointItems, unreadableLines } from '../panel/checkpoint-items';
import { isModelCheckpoint } from '../panel/summaries';

type Format = 'pytorch' | 'onnx';

const FORMATS: readonly (vscode.QuickPickItem & { readonly format: Format })[] = [
  { format: 'pytorch', label: 'PyTorch', description: 'a folder: model.py, train.py (python or torchrun), README.md, the weights' },
  { format: 'onnx', label: 'ONNX', description: 'one .onnx file: the network in evaluation mode, opset 13' },
];

/** What the panel's "Export…" button passes: its model and the run's last checkpoint. */
export interface ExportArgs {
  readonly model: vscode.Uri;
  readonly checkpoint?: string | null;
}

export function registerExchange(ctx: Ctx): void {
  ctx.registerCommand('exportModel', (arg?: unknown) => exportModel(ctx, arg));
  ctx.registerCommand('importOnnx', (arg?: unknown) => importModel(ctx, arg));
}

async function exportModel(ctx: Ctx, arg: unknown): Promise<void> {
  const given = arg instanceof vscode.Uri ? { model: arg } : isExportArgs(arg) ? arg : null;
  const uri = given?.model ?? ctx.activeModelEditor?.document.uri ?? ctx.activePanelModel();
  if (!uri) throw new Error('open a model (.cnn or simpleNN .config) to export it');
  const document = await vscode.workspace.openTextDocument(uri);
  const analysis = ctx.analysis(document);
  if (!analysis) throw new Error(`${path.basename(uri.path)} could not be analysed (see "ConvLab: Show log")`);
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    throw Object.assign(new Error(`${path.basename(uri.path)} has ${errors.length} error${errors.length === 1 ? '' : 's'}; fix them before exporting`),
      { showProblems: true });
  }

  const format = await vscode.window.showQuickPick(FORMATS, { title: `Export ${path.basename(uri.path)}`, placeHolder: 'to which engine?' });
  if (!format) return;
  const weights = await pickWeights(ctx, uri.fsPath, given?.checkpoint ?? null, format.format);
  if (weights === undefined) return;
  const stem = path.basename(uri.fsPath, path.extname(uri.fsPath));
  const request: ExportRequest = { analysis, text: document.getText(), modelPath: uri.fsPath, ...(weights ? { weightsPath: weights } : {}) };

  let target: string | undefined;
  if (format.format === 'onnx') {
    const chosen = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(path.join(path.dirname(uri.fsPath), `${stem}.onnx`)), filters: { ONNX: ['onnx'] }, title: 'Export to ONNX', saveLabel: 'Export',
    });
    target = chosen?.fsPath;
  } else {
    const chosen = await vscode.window.showOpenDialog({
      defaultUri: vscode.Uri.file(path.dirname(uri.fsPath)), canSelectFiles: false, canSelectFolders: true, canSelectMany: false,
      title: `Export to PyTorch: the folder ${stem}-pytorch goes into the folder you choose`, openLabel: 'Export here',
    });
    target = chosen?.[0] && path.join(chosen[0].fsPath, `${stem}-pytorch`);
    if (target && existsSync(target) && readdirSync(target).length > 0) {
      const replace = 'Replace files';
      const answer = await vscode.window.showWarningMessage(`${target} is not empty. Export into it, replacing the files the export writes?`,
        { modal: true }, replace);
      if (answer !== replace) return;
    }
  }
  if (!target) return;
  const destination = target;

  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Exporting ${stem} to ${format.label}…` },
    async () => {
      try {
        return format.format === 'onnx' ? await exportOnnxFile(request, destination) : await exportPytorchFolder(request, destination);
      } catch (e) {
        if (e instanceof ExportError) throw new Error(e.message);
        throw e;
      }
    });
  ctx.log.info(`exported ${uri.fsPath} to ${result.target}: ${result.written.join(', ')}`);
  const open = format.format === 'onnx' ? 'Reveal in Explorer' : 'Open README';
  const answer = await vscode.window.showInformationMessage(
    `ConvLab: exported ${stem} to ${path.basename(result.target)} (${result.written.join(', ')}; ` +
    `${result.withWeights ? `weights of ${path.basename(weights!)}` : format.format === 'onnx' ? 'initial weights' : 'no weights'}).`, open);
  if (answer === 'Open README') await vscode.window.showTextDocument(vscode.Uri.file(path.join(result.target, 'README.md')));
  else if (answer) await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(result.target));
}

/** The checkpoint whose weights go with the export: null for none, undefined when the person cancelled. */
async function pickWeights(ctx: Ctx, modelPath: string, suggested: string | null, format: Format): Promise<string | null | undefined> {
  const list = await listCheckpoints(modelPath);
  for (const line of unreadableLines(list)) ctx.log.warn(line);
  const saved = checkpointItems(list).filter((i) => i.path !== null);
  const none = { label: 'No weights', description: format === 'onnx' ? "the model's initial weights (its seed)" : 'model.py initialises them itself', path: null };
  // The panel's run first: what a person who just trained means by "export".
  const first = suggested && isModelCheckpoint(modelPath, suggested) ? saved.findIndex((i) => i.path === suggested) : -1;
  const ordered = first > 0 ? [saved[first]!, ...saved.filter((_, i) => i !== first)] : saved;
  if (ordered.length === 0) return null;
  const picked = await vscode.window.showQuickPick([...ordered, none], {
    title: 'Export with the weights of', placeHolder: 'a checkpoint of this model, newest first', matchOnDescription: true, matchOnDetail: true,
  });
  return picked === undefined ? undefined : picked.path;
}

async function importModel(ctx: Ctx, arg: unknown): Promise<void> {
  const source = arg instanceof vscode.Uri ? arg : (await vscode.window.showOpenDialog({
    canSelectMany: false, filters: { ONNX: ['onnx'] }, title: 'Import an ONNX model', openLabel: 'Import',
  }))?.[0];
  if (!source) return;
  const modelPath = path.join(path.dirname(source.fsPath), `${path.basename(source.fsPath, path.extname(source.fsPath))}.cnn`);
  let replace = false;
  if (existsSync(modelPath)) {
    const answer = await vscode.window.showWarningMessage(`${path.basename(modelPath)} already exists. Replace it and its checkpoint with the import?`,
      { modal: true }, 'Replace');
    if (answer !== 'Replace') return;
    replace = true;
  }
  let result;
  try {
    result = await importOnnxFile(source.fsPath, modelPath, { replace, shownSource: path.basename(source.fsPath) });
  } catch (e) {
    if (e instanceof ExportError) throw new Error(e.message);
    throw e;
  }
  ctx.log.info(`imported ${source.fsPath}: ${result.layers} layers to ${result.modelPath}, weights to ${result.checkpointPath}`);
  await vscode.window.showTextDocument(vscode.Uri.file(result.modelPath));
  void vscode.window.showInformationMessage(`ConvLab: imported ${path.basename(source.fsPath)} as ${path.basename(result.modelPath)} (${result.layers} layers) ` +
    `with its weights in ${path.basename(result.checkpointPath)}: "Train model", then "Resume from checkpoint", trains on from them.`);
}

function isExportArgs(arg: unknown): arg is ExportArgs {
  return typeof arg === 'object' && arg !== null && (arg as ExportArgs).model instanceof vscode.Uri;
}
