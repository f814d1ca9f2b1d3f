// Entry point of the training panel's webview (bundled to dist/webview.js, loaded with the page's
// CSP nonce). Registers the VS Code Elements used by the panel, starts the App and connects it to
// the extension host.

import { errorMessage } from '../engine';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import './styles.css';
import { App } from './app';
import type { VsCodeApi } from './host-link';

declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const root = document.getElementById('app');
const workerUrl = root?.dataset.workerUrl;
try {
  if (!root || !workerUrl) throw new Error('the panel page is missing its #app element or worker URL');
  const app = new App(vscode, workerUrl);
  window.addEventListener('message', (e: MessageEvent<unknown>) => app.receive(e.data));
  vscode.postMessage({ type: 'ready' });
} catch (e) {
  const message = errorMessage(e);
  vscode.postMessage({ type: 'error', message: `the training panel failed to start: ${message}` });
  if (root) root.textContent = `The training panel failed to start: ${message}`;
}
