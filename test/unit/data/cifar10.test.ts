import * as assert from 'node:assert/strict';
import { mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCifar10Batch, parseCifar10ClassNames } from '../../../src/engine/data/cifar10';
import { loadDataset } from '../../../src/engine/data/node-files';
import { cifarBytes, errorOf, tempFolder } from './fixtures';

const CLASS_NAMES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

describe('data: CIFAR-10 batches', () => {
  it('splits records into CHW pixels and labels', () => {
    const b = parseCifar10Batch(cifarBytes([3, 9], (r, i) => r * 100 + i), 'b.bin');
    assert.equal(b.count, 2);
    assert.deepEqual([...b.labels], [3, 9]);
    assert.equal(b.images.length, 2 * 3072);
    assert.equal(b.images[0], 0);
    assert.equal(b.images[3071], 3071 & 0xff);
    assert.equal(b.images[3072], 100);
  });

  it('rejects truncated batches with the sizes involved', () => {
    const bytes = cifarBytes([1, 2], () => 0).subarray(0, 3073 + 100);
    assert.throws(() => parseCifar10Batch(bytes, 'b.bin'), {
      message: 'b.bin: truncated or not a CIFAR-10 batch: expected a multiple of 3,073 bytes (1 label byte + ' +
        '3,072 pixel bytes per image), got 3,173 (1 whole records and 100 bytes more; the next whole record needs 6,146 bytes in all)',
    });
    assert.throws(() => parseCifar10Batch(new Uint8Array(0), 'e.bin'), /e\.bin: is empty/);
  });

  it('rejects labels out of range, naming the record', () => {
    assert.throws(() => parseCifar10Batch(cifarBytes([1, 2, 10], () => 0), 'b.bin'),
      { message: 'b.bin: record 2 (byte offset 6,146) has label 10, out of range: CIFAR-10 labels are 0..9' });
  });

  it('reads ten class names and rejects any other number', () => {
    assert.deepEqual(parseCifar10ClassNames(CLASS_NAMES.join('\r\n') + '\n\n', 'm'), CLASS_NAMES);
    assert.throws(() => parseCifar10ClassNames('a\nb\n', 'meta.txt'), /meta\.txt: lists 2 class names, expected 10/);
  });
});

describe('data: CIFAR-10 folders', () => {
  const tmp = tempFolder('cifar');
  /** Pixel value that identifies (file, record, pixel). */
  const pixel = (file: number) => (r: number, i: number) => file * 50 + r * 7 + (i % 13);

  function writeFolder(dir: string, opts: { meta?: boolean; recordsPerFile?: number } = {}) {
    mkdirSync(dir, { recursive: true });
    const n = opts.recordsPerFile ?? 3;
    for (let f = 1; f <= 5; f++) {
      writeFileSync(join(dir, `data_batch_${f}.bin`), cifarBytes(Array.from({ length: n }, (_, r) => (f + r) % 10), pixel(f)));
    }
    writeFileSync(join(dir, 'test_batch.bin'), cifarBytes([0, 9], pixel(0)));
    if (opts.meta) writeFileSync(join(dir, 'batches.meta.txt'), CLASS_NAMES.join('\n') + '\n');
  }

  it('reads five training batches and the test batch in order, with class names', async () => {
    const dir = join(tmp.path, 'flat');
    writeFolder(dir, { meta: true });
    const d = await loadDataset({ kind: 'cifar10', dir });
    assert.equal(d.name, 'flat (cifar10: 15 train / 2 test)');
    assert.deepEqual(d.shape, [3, 32, 32]);
    assert.equal(d.classes, 10);
    assert.deepEqual(d.classNames, CLASS_NAMES);
    assert.equal(d.train.count, 15);
    assert.deepEqual([...d.train.labels], [1, 2, 3, 2, 3, 4, 3, 4, 5, 4, 5, 6, 5, 6, 7]);
    assert.deepEqual([...d.test.labels], [0, 9]);
    // Example 4 is file 2, record 1.
    const ex = d.train.images.subarray(4 * 3072, 5 * 3072);
    assert.deepEqual([...ex.subarray(0, 14)], Array.from({ length: 14 }, (_, i) => (100 + 7 + (i % 13)) & 0xff));
  });

  it('reads batches larger than one read chunk', async () => {
    const dir = join(tmp.path, 'large');
    writeFolder(dir, { recordsPerFile: 1100 });
    const d = await loadDataset({ kind: 'cifar10', dir });
    assert.equal(d.train.count, 5500);
    assert.equal(d.classNames, undefined);
    assert.equal(d.train.labels[1099 + 1100 * 4], (5 + 1099) % 10);
    assert.equal(d.train.images[(1100 * 4 + 1099) * 3072 + 5], (5 * 50 + 1099 * 7 + 5) & 0xff);
  });

  it('accepts the folder that contains cifar-10-batches-bin', async () => {
    const parent = join(tmp.path, 'download');
    writeFolder(join(parent, 'cifar-10-batches-bin'));
    const d = await loadDataset({ kind: 'cifar10', dir: parent });
    assert.equal(d.name, 'cifar-10-batches-bin (cifar10: 15 train / 2 test)');
  });

  it('names a missing batch and a truncated one', async () => {
    const dir = join(tmp.path, 'broken');
    writeFolder(dir);
    writeFileSync(join(dir, 'data_batch_3.bin'), cifarBytes([1], () => 0).subarray(0, 3000));
    assert.match(await errorOf(() => loadDataset({ kind: 'cifar10', dir })),
      new RegExp(`^${join(dir, 'data_batch_3.bin')}: truncated or not a CIFAR-10 batch: .* got 3,000 `));
    unlinkSync(join(dir, 'test_batch.bin'));
    assert.equal(await errorOf(() => loadDataset({ kind: 'cifar10', dir })),
      `${dir}: no test batch file: expected test_batch.bin in this folder, which contains: ` +
      'data_batch_1.bin, data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, data_batch_5.bin');
  });
});
