import * as assert from 'node:assert/strict';
import { mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DataError } from '../../../src/engine/data/errors';
import { idxDataset, parseIdx } from '../../../src/engine/data/idx';
import { loadDataset } from '../../../src/engine/data/node-files';
import { errorOf, idxBytes, tempFolder } from './fixtures';

describe('data: IDX parser', () => {
  it('reads rank 1, 3 and 4 files, dimensions big-endian, data as a view after the header', () => {
    const labels = parseIdx(idxBytes([5], Uint8Array.of(0, 1, 2, 3, 4)), 'l');
    assert.deepEqual(labels.dims, [5]);
    assert.deepEqual([...labels.data], [0, 1, 2, 3, 4]);
    const images = parseIdx(idxBytes([2, 300, 3]), 'i');
    assert.deepEqual(images.dims, [2, 300, 3]);
    assert.equal(images.data.length, 1800);
    assert.equal(images.data[1], (7 + 3) & 0xff);
    assert.deepEqual(parseIdx(idxBytes([2, 3, 5, 7]), 'c').dims, [2, 3, 5, 7]);
  });

  it('rejects a wrong magic number, saying what it found and what it expected', () => {
    const bytes = idxBytes([3]);
    bytes[0] = 0x12;
    assert.throws(() => parseIdx(bytes, 'labels.bin'), (e: unknown) => e instanceof DataError &&
      /^labels\.bin: not an IDX file: magic number is 0x12000801, expected 0x000008NN/.test(e.message));
  });

  it('rejects element types other than unsigned byte, naming the type', () => {
    const bytes = idxBytes([3]);
    bytes[2] = 0x0d;
    assert.throws(() => parseIdx(bytes, 'f.idx'), /f\.idx: IDX element type 0x0d \(32-bit float\).*not supported/);
  });

  it('tells a gzip file apart from a bad IDX file', () => {
    assert.throws(() => parseIdx(gzipSync(idxBytes([3])), 'x.gz'), /x\.gz: is gzip-compressed/);
  });

  it('rejects truncated files with the expected and actual sizes', () => {
    const bytes = idxBytes([10, 4, 4]);
    assert.throws(() => parseIdx(bytes.subarray(0, 100), 'img'),
      { message: 'img: truncated: the header describes 10×4×4 bytes of data, so the file should be 176 bytes, got 100' });
    assert.throws(() => parseIdx(bytes.subarray(0, 10), 'img'), /img: truncated header: a rank-3 IDX header is 16 bytes, got 10/);
    assert.throws(() => parseIdx(bytes.subarray(0, 2), 'img'), /img: truncated: expected at least 4 bytes/);
    const longer = new Uint8Array(bytes.length + 3);
    longer.set(bytes);
    assert.throws(() => parseIdx(longer, 'img'), /img: 3 unexpected bytes after the 10×4×4 data/);
  });

  it('rejects unsupported ranks', () => {
    assert.throws(() => parseIdx(idxBytes([1, 1, 1, 1, 1]), 'r5'), /r5: IDX rank 5 .* is not supported/);
  });
});

describe('data: IDX data sets', () => {
  const named = (name: string, bytes: Uint8Array) => ({ name, bytes });

  it('checks that label and image counts match, naming both files', () => {
    assert.throws(() => idxDataset({
      trainImages: named('ti', idxBytes([3, 2, 2])), trainLabels: named('tl', idxBytes([2])),
      testImages: named('si', idxBytes([1, 2, 2])), testLabels: named('sl', idxBytes([1])),
    }, 'x'), /tl: has 2 labels but ti has 3 images/);
  });

  it('checks that training and test images have the same size', () => {
    assert.throws(() => idxDataset({
      trainImages: named('ti', idxBytes([1, 2, 2])), trainLabels: named('tl', idxBytes([1])),
      testImages: named('si', idxBytes([1, 3, 2])), testLabels: named('sl', idxBytes([1])),
    }, 'x'), /si: has 1×3×2 images but ti has 1×2×2/);
  });

  it('rejects image files with the wrong rank and empty files', () => {
    const files = (trainImages: Uint8Array) => ({
      trainImages: named('ti', trainImages), trainLabels: named('tl', idxBytes([0])),
      testImages: named('si', idxBytes([1, 2, 2])), testLabels: named('sl', idxBytes([1])),
    });
    assert.throws(() => idxDataset(files(idxBytes([0, 2])), 'x'), /ti: has rank 2 \(0×2\); image files need rank 3/);
    assert.throws(() => idxDataset(files(idxBytes([0, 2, 2])), 'x'), /ti: contains no images/);
  });
});

describe('data: IDX folders', () => {
  const tmp = tempFolder('idx');
  const labelsOf = (n: number, classes: number) => Uint8Array.from({ length: n }, (_, i) => (i * 5) % classes);

  function writeSet(dir: string, opts: { gz?: boolean; dot?: boolean; dims: number[]; nTrain: number; nTest: number }) {
    mkdirSync(dir, { recursive: true });
    const name = (stem: string, kind: string) => join(dir, `${stem}${opts.dot ? '.' : '-'}${kind}-ubyte${opts.gz ? '.gz' : ''}`);
    const put = (path: string, bytes: Uint8Array) => writeFileSync(path, opts.gz ? gzipSync(bytes) : bytes);
    const trainImages = idxBytes([opts.nTrain, ...opts.dims]);
    put(name('train-images', 'idx3'), trainImages);
    put(name('train-labels', 'idx1'), idxBytes([opts.nTrain], labelsOf(opts.nTrain, 7)));
    put(name('t10k-images', 'idx3'), idxBytes([opts.nTest, ...opts.dims]));
    put(name('t10k-labels', 'idx1'), idxBytes([opts.nTest], labelsOf(opts.nTest, 3)));
    return trainImages;
  }

  it('round-trips plain files with one channel and an odd size', async () => {
    const dir = join(tmp.path, 'plain');
    const written = writeSet(dir, { dims: [5, 3], nTrain: 13, nTest: 4 });
    const d = await loadDataset({ kind: 'idx', dir });
    assert.equal(d.name, 'plain (idx: 13 train / 4 test)');
    assert.deepEqual(d.shape, [1, 5, 3]);
    assert.equal(d.classes, 7);
    assert.equal(d.train.count, 13);
    assert.equal(d.test.count, 4);
    assert.deepEqual(d.train.images, written.subarray(16));
    assert.deepEqual(d.train.labels, labelsOf(13, 7));
    assert.deepEqual(d.test.labels, labelsOf(4, 3));
  });

  it('round-trips gzipped rank-4 files with three channels and the dot spelling', async () => {
    const dir = join(tmp.path, 'gz');
    const written = writeSet(dir, { gz: true, dot: true, dims: [3, 7, 9], nTrain: 6, nTest: 2 });
    const d = await loadDataset({ kind: 'idx', dir });
    assert.deepEqual(d.shape, [3, 7, 9]);
    assert.equal(d.train.images.length, 6 * 3 * 7 * 9);
    assert.deepEqual(d.train.images, written.subarray(20));
    // Each array owns its buffer, so it can be transferred to a webview alone.
    assert.equal(d.train.images.byteOffset, 0);
    assert.equal(d.train.images.buffer.byteLength, d.train.images.byteLength);
  });

  it('names the missing file and lists what the folder holds', async () => {
    const dir = join(tmp.path, 'partial');
    writeSet(dir, { dims: [2, 2], nTrain: 2, nTest: 1 });
    unlinkSync(join(dir, 't10k-labels-idx1-ubyte'));
    const message = await errorOf(() => loadDataset({ kind: 'idx', dir }));
    assert.match(message, new RegExp(`^${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: no test labels file: expected ` +
      't10k-labels-idx1-ubyte or t10k-labels\\.idx1-ubyte or .* which contains: t10k-images-idx3-ubyte, ' +
      'train-images-idx3-ubyte, train-labels-idx1-ubyte$'));
  });

  it('says when the folder does not exist', async () => {
    const dir = join(tmp.path, 'nowhere');
    assert.equal(await errorOf(() => loadDataset({ kind: 'idx', dir })), `${dir}: folder not found`);
  });

  it('names the file in parse errors, and reports broken gzip data', async () => {
    const dir = join(tmp.path, 'broken');
    writeSet(dir, { gz: true, dims: [2, 2], nTrain: 2, nTest: 1 });
    const bad = join(dir, 'train-labels-idx1-ubyte.gz');
    writeFileSync(bad, gzipSync(idxBytes([2])).subarray(0, 15));
    assert.match(await errorOf(() => loadDataset({ kind: 'idx', dir })), new RegExp(`^${bad}: is not valid gzip data`));
    writeFileSync(bad, gzipSync(idxBytes([2, 1, 1])));
    assert.match(await errorOf(() => loadDataset({ kind: 'idx', dir })),
      new RegExp(`^${bad}: has rank 3 \\(2×1×1\\); label files need rank 1`));
  });
});
