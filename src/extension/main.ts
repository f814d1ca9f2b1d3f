// Extension entry point. `activate` builds the one context object and registers each feature on it.
// Features are independent `register*(ctx)` functions; the training panel plugs in the same way
// (`registerPanel(ctx)` from './panel', which owns `convlab.trainModel` and `convlab.gradientCheck`).
import * as vscode from 'vscode';
import { Ctx } from './ctx';
import { registerCodeActions } from './features/codeActions';
import { registerCompletion } from './features/completion';
import { registerDataPaths } from './features/dataPaths';
import { registerDiagnostics } from './features/diagnostics';
import { registerHover } from './features/hover';
import { registerInlayHints } from './features/inlayHints';
import { registerStatusBar } from './features/status';
import { registerSymbols } from './features/symbols';
import { registerExchange } from './features/exchange';
import { registerSimpleNN } from './features/simplenn';
import { registerPanel } from './panel';

/** Everything the extension contributes, in registration order. */
const FEATURES: readonly [name: string, register: (ctx: Ctx) => void][] = [
  ['diagnostics', registerDiagnostics],
  ['data paths', registerDataPaths],
  ['inlay hints', registerInlayHints],
  ['hover', registerHover],
  ['quick fixes', registerCodeActions],
  ['completion', registerCompletion],
  ['document symbols', registerSymbols],
  ['status bar', registerStatusBar],
  ['simpleNN models', registerSimpleNN],
  ['export and import', registerExchange],
  ['training panel', registerPanel],
];

/** Returns the context as the extension's API (other extensions and tests can reach it). */
export function activate(context: vscode.ExtensionContext): Ctx {
  const c = new Ctx(context);
  c.registerCommand('showLog', () => c.log.show(true));
  // One failing feature must not take the others down.
  for (const [name, register] of FEATURES) c.guard(`registering ${name}`, () => register(c));
  c.log.info(`activated (${context.extension.packageJSON.version as string})`);
  // Models already open when the extension activates (e.g. restored editors) are analyzed now.
  c.reanalyzeAll();
  return c;
}

export function deactivate(): void {
  // Everything is disposed through `context.subscriptions` (the Ctx owns every registration).
}
