#!/usr/bin/env node
// `npm run vscode [-- folder] [--port N] [--fresh]`: packages the extension, installs it into the cached
// code-server (scripts/e2e-setup.sh installs it on first use, ≈2 min), opens the folder (default:
// examples/) and prints the URL. Ctrl+C stops the server. The profile (settings, open editors) persists in
// <cache>/dev-profile; --fresh starts from an empty one.
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureInstalled, folderUrl, packageExtension, startCodeServer } from './e2e/code-server.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const out = { folder: join(root, 'examples'), port: undefined, fresh: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--port') out.port = Number(argv[++i]);
    else if (a.startsWith('--port=')) out.port = Number(a.slice('--port='.length));
    else if (a === '--fresh') out.fresh = true;
    else if (a === '-h' || a === '--help') {
      console.log('usage: npm run vscode -- [folder] [--port N] [--fresh]');
      process.exit(0);
    } else out.folder = resolve(a);
  }
  if (out.port !== undefined && !(Number.isInteger(out.port) && out.port > 0 && out.port < 65536)) {
    console.error('convlab: --port needs a port number');
    process.exit(2);
  }
  return out;
}

const args = parseArgs(process.argv.slice(2));
const paths = ensureInstalled(root);
const vsix = packageExtension(root);
const runDir = join(paths.cache, 'dev-profile');
if (args.fresh) rmSync(runDir, { recursive: true, force: true });

const server = await startCodeServer({
  root, paths, runDir, vsix, workspace: args.folder, port: args.port,
  preserveSettings: true,
  log: (m) => console.log(m),
});
console.log(`\n  ConvLab in VS Code: ${folderUrl(server.url, args.folder)}\n  (log: ${server.logFile}; Ctrl+C stops it)\n`);

let stopping = false;
const stop = async (code) => {
  if (stopping) return;
  stopping = true;
  await server.stop();
  process.exit(code);
};
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
process.on('SIGHUP', () => void stop(0));
server.exited.then((how) => {
  if (stopping) return;
  console.error(`convlab: code-server stopped (${how}); see ${server.logFile}`);
  void stop(1);
});
