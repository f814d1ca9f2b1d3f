import * as assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DataBudget, DEFAULT_MAX_DATA_BYTES } from '../../../src/engine/data/budget';
import { loadDataset } from '../../../src/engine/data/node-files';
import { cifarBytes, errorOf, idxBytes, tempFolder } from './fixtures';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** An IDX header alone, claiming `dims`, followed by `data`. */
function idxHeaderThen(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x00000800 | dims.length);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

/** Writes a valid four-file IDX set of `n` 2×2 images per split; returns the folder. */
function writeIdxSet(dir: string, n = 3): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'train-images-idx3-ubyte'), idxBytes([n, 2, 2]));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idxBytes([n], new Uint8Array(n)));
  writeFileSync(join(dir, 't10k-images-idx3-ubyte'), idxBytes([n, 2, 2]));
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), idxBytes([n], new Uint8Array(n)));
  return dir;
}

describe('data: the data budget', () => {
  it('reserves bytes until the limit and then names the source, the need and the option', () => {
    const budget = new DataBudget(1000);
    budget.reserve(600, 'a', 'the file');
    assert.equal(budget.left, 400);
    assert.throws(() => budget.reserve(500, 'b.idx', 'the file'),
      { message: 'b.idx: the file needs 500 bytes (500 B), more than the 400 B left of the data budget of 1000 B ' +
        '(600 B already taken by this data set); raise the maxDataBytes option if the data set really is this large' });
    assert.equal(new DataBudget().limit, DEFAULT_MAX_DATA_BYTES);
    assert.equal(DEFAULT_MAX_DATA_BYTES, 2 ** 31);
  });
});

describe('data: bounded reading', () => {
  const tmp = tempFolder('bounded');

  it('refuses a 1 KB gzipped IDX file whose header claims 10^9 images, before allocating them', async () => {
    const dir = writeIdxSet(join(tmp.path, 'huge-header'));
    const file = join(dir, 'train-images-idx3-ubyte.gz');
    rmSync(join(dir, 'train-images-idx3-ubyte'));
    writeFileSync(file, gzipSync(idxHeaderThen([1e9, 28, 28], new Uint8Array(1000))));
    const before = process.memoryUsage().arrayBuffers;
    assert.match(await errorOf(() => loadDataset({ kind: 'idx', dir })),
      new RegExp(`^${escape(file)}: the data its IDX header describes needs 784,000,000,016 bytes \\(730 GiB\\), ` +
        'more than the 2 GiB left of the data budget of 2 GiB'));
    assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 1024 ** 2);
  });

  it('names the file when a plain IDX file is far shorter than its header says', async () => {
    const dir = writeIdxSet(join(tmp.path, 'short'));
    const file = join(dir, 'train-images-idx3-ubyte');
    writeFileSync(file, idxHeaderThen([1e9, 28, 28], new Uint8Array(1008)));
    assert.equal(await errorOf(() => loadDataset({ kind: 'idx', dir })),
      `${file}: truncated: the header describes 1,000,000,000×28×28 bytes of data, so the file should be ` +
      '784,000,000,016 bytes, got 1,024');
  });

  it('stops inflating a gzip bomb at the size its IDX header describes', async function () {
    this.timeout(20_000);
    const dir = writeIdxSet(join(tmp.path, 'bomb'));
    const file = join(dir, 'train-labels-idx1-ubyte.gz');
    // Gzip members concatenate: a real header and labels, then 32 members of 16 MiB of zeros each
    // (512 MiB inflated from about 500 KB).
    const zeros = gzipSync(new Uint8Array(16 * 1024 ** 2), { level: 9 });
    const members = [gzipSync(idxBytes([3], new Uint8Array(3))), ...Array.from({ length: 32 }, () => zeros)];
    writeFileSync(file, Buffer.concat(members));
    rmSync(join(dir, 'train-labels-idx1-ubyte'));
    const started = Date.now();
    assert.equal(await errorOf(() => loadDataset({ kind: 'idx', dir })),
      `${file}: inflates to more than the 11 bytes its IDX header describes (3 bytes of data after the 8-byte header); ` +
      'stopped reading there: the file is corrupt or a gzip bomb');
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms: the bomb was inflated`);
  });

  it('reports a gzipped IDX file that inflates to less than its header says', async () => {
    const dir = writeIdxSet(join(tmp.path, 'gz-short'));
    rmSync(join(dir, 't10k-images-idx3-ubyte'));
    const file = join(dir, 't10k-images-idx3-ubyte.gz');
    writeFileSync(file, gzipSync(idxBytes([3, 2, 2]).subarray(0, 20)));
    assert.equal(await errorOf(() => loadDataset({ kind: 'idx', dir })),
      `${file}: truncated: the header describes 3×2×2 bytes of data, so the file should be 28 bytes, got 20`);
  });

  it('applies maxDataBytes to the whole data set: IDX, CIFAR-10 and LIBSVM', async () => {
    const idx = writeIdxSet(join(tmp.path, 'budget-idx'), 10);
    assert.ok(await loadDataset({ kind: 'idx', dir: idx }, { maxDataBytes: 200 }));
    assert.match(await errorOf(() => loadDataset({ kind: 'idx', dir: idx }, { maxDataBytes: 100 })),
      new RegExp(`^${escape(join(idx, 't10k-images-idx3-ubyte'))}: the file needs 56 bytes .* data budget of 100 B ` +
        '\\(74 B already taken by this data set\\)'));

    const cifar = join(tmp.path, 'budget-cifar');
    mkdirSync(cifar);
    for (const f of ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5', 'test_batch']) {
      writeFileSync(join(cifar, `${f}.bin`), cifarBytes([1, 2], () => 0));
    }
    assert.match(await errorOf(() => loadDataset({ kind: 'cifar10', dir: cifar }, { maxDataBytes: 4 * 6146 })),
      new RegExp(`^${escape(join(cifar, 'data_batch_5.bin'))}: the batch needs 6,146 bytes`));

    const svm = join(tmp.path, 'a.txt');
    writeFileSync(svm, '1 1:1 1000:2\n2 5:1\n');
    assert.match(await errorOf(() => loadDataset({ kind: 'libsvm', train: svm }, { maxDataBytes: 4000 })),
      new RegExp(`^${escape(svm)}: holding its examples densely needs 8,002 bytes`));
    const big = join(tmp.path, 'big.txt');
    writeFileSync(big, '1 1:1\n'.repeat(1000));
    assert.match(await errorOf(() => loadDataset({ kind: 'libsvm', train: big }, { maxDataBytes: 5000 })),
      new RegExp(`^${escape(big)}: the text read so far needs 6,000 bytes`));
  });
});
