// The training panel's page: a shell that loads dist/webview.js under a strict Content Security
// Policy. Scripts run only with this page's nonce; styles, fonts and the CPU worker's source come only
// from the extension's dist folder (the webview's localResourceRoots); the worker itself starts from a
// blob: URL (a worker from the resource URL would be cross-origin). Pure, so it is unit-tested.
import { randomBytes } from 'node:crypto';

export interface PanelResources {
  /** `webview.cspSource`. */
  readonly cspSource: string;
  readonly scriptUri: string;
  readonly styleUri: string;
  readonly workerUri: string;
  readonly nonce: string;
  readonly title: string;
}

/** 128 random bits, base64: a fresh one for every page load. */
export function makeNonce(): string {
  return randomBytes(16).toString('base64');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    // 'wasm-unsafe-eval' lets the CPU engine compile its WebAssembly kernels; it allows no eval() of JS.
    `script-src 'nonce-${nonce}' 'wasm-unsafe-eval'`,
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data: blob:`,
    // fetch() of dist/cpu-worker.js, which then runs from a blob: URL.
    `connect-src ${cspSource}`,
    'worker-src blob:',
  ].join('; ');
}

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function panelHtml(r: PanelResources): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(contentSecurityPolicy(r.cspSource, r.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttr(r.styleUri)}">
<title>${escapeAttr(r.title)}</title>
</head>
<body>
<div id="app" data-worker-url="${escapeAttr(r.workerUri)}">Loading…</div>
<script nonce="${escapeAttr(r.nonce)}" src="${escapeAttr(r.scriptUri)}"></script>
</body>
</html>`;
}
