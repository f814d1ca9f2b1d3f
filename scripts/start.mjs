// `npm start`: builds if anything is missing or stale, then trains examples/lenet5.cnn on the
// built-in MNIST with `convlab train` (WebGPU on a real adapter, else the CPU) and prints the
// per-epoch figures and the final test accuracy.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'dist', 'cli.js');
const outputs = [cli, join(root, 'dist', 'data', 'mnist-images-idx3-ubyte.gz'), join(root, 'dist', 'data', 'mnist-labels-idx1-ubyte.gz')];

/** Newest modification time of any file under `dir`. */
function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

const stale = outputs.some((p) => !existsSync(p))
  || Math.max(newest(join(root, 'src')), newest(join(root, 'scripts'))) > statSync(cli).mtimeMs;
if (stale) {
  console.error('building…');
  const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: root });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const extra = process.argv.slice(2);
const run = spawnSync(process.execPath, [cli, 'train', join(root, 'examples', 'lenet5.cnn'), ...extra], { stdio: 'inherit', cwd: root });
process.exit(run.status ?? 1);
