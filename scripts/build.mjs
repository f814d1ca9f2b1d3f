// Builds every bundle with esbuild (one fast path for the extension, webview, worker, CLI and tests).
//   node scripts/build.mjs              extension + webview + worker + CLI + built-in data
//   node scripts/build.mjs --tests      also bundles test/**/*.test.ts into out/test
//   node scripts/build.mjs --tests=test/unit/lang   only the tests under that folder (or that file)
//   node scripts/build.mjs --production minified, no source maps (for the .vsix)
import * as esbuild from 'esbuild';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { makeBuiltinMnist } from './make-mnist.mjs';
import { watPlugin } from './wat-plugin.mjs';

const argv = process.argv.slice(2);
const args = new Set(argv);
const testsArg = argv.find((a) => a === '--tests' || a.startsWith('--tests='));
const testFilter = testsArg?.includes('=') ? testsArg.slice('--tests='.length) : '';
const production = args.has('--production');
const root = new URL('..', import.meta.url).pathname;

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  loader: { '.wgsl': 'text' },
  // The CPU engine's WebAssembly kernels (src/engine/cpu/wasm/*.wat), assembled and embedded as bytes.
  plugins: [watPlugin()],
  logLevel: 'warning',
  absWorkingDir: root,
};

/** Entry points; a missing source is skipped so a partial tree still builds. */
const targets = [
  { entryPoints: ['src/extension/main.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', external: ['vscode'] },
  { entryPoints: ['src/webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife' },
  { entryPoints: ['src/webview/cpu-worker.ts'], outfile: 'dist/cpu-worker.js', platform: 'browser', format: 'iife' },
  { entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', external: ['webgpu'] },
  { entryPoints: ['src/engine/data/load-worker.ts'], outfile: 'dist/data-worker.js', platform: 'node', format: 'cjs' },
].filter((t) => existsSync(join(root, t.entryPoints[0])));

function findTests(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? findTests(p) : name.endsWith('.test.ts') ? [p] : [];
  });
}

const builds = targets.map((t) => esbuild.build({ ...common, ...t, target: t.platform === 'node' ? 'node20' : 'es2022' }));
if (testsArg) {
  const entryPoints = findTests(join(root, 'test')).map((p) => relative(root, p)).filter((p) => p.startsWith(testFilter));
  if (entryPoints.length > 0) {
    builds.push(esbuild.build({
      ...common, entryPoints, outdir: 'out/test', outbase: 'test', platform: 'node', format: 'cjs', target: 'node20',
      external: ['webgpu', 'mocha', 'playwright-core', 'fast-check', 'vscode'],
    }));
  }
}
builds.push(makeBuiltinMnist(join(root, 'dist', 'data')));
await Promise.all(builds);
