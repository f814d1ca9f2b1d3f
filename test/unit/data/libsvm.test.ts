import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describeDataset } from '../../../src/engine/data/describe';
import { DataError } from '../../../src/engine/data/errors';
import { LibsvmReader, libsvmShape, parseLibsvm } from '../../../src/engine/data/libsvm';
import { loadDataset } from '../../../src/engine/data/node-files';
import { errorOf, tempFolder } from './fixtures';

describe('data: LIBSVM parser', () => {
  it('reads sparse lines into dense float32 rows, with comments, blank lines, CRLF and tabs', () => {
    const t = parseLibsvm('1 1:0.5 3:-2\r\n\n# a comment line\n0\t2:1e-3   # trailing comment\n1 3:7', 'a.txt');
    assert.equal(t.split.count, 3);
    assert.equal(t.featureCount, 3);
    assert.deepEqual(t.shape, [1, 1, 3]);
    assert.ok(t.split.images instanceof Float32Array);
    assert.deepEqual([...t.split.images], [0.5, 0, -2, 0, Math.fround(1e-3), 0, 0, 0, 7]);
    assert.deepEqual([...t.split.labels], [1, 0, 1]);
    assert.deepEqual(t.classLabels, [0, 1]);
  });

  it('maps 1..K, arbitrary and signed labels to 0..K−1 in sorted order', () => {
    assert.deepEqual([...parseLibsvm('1 1:1\n2 1:1\n3 1:1\n2 1:1', 'x').split.labels], [0, 1, 2, 1]);
    const signed = parseLibsvm('+1 1:1\n-1 1:1\n+1 2:1', 'x');
    assert.deepEqual(signed.classLabels, [-1, 1]);
    assert.deepEqual([...signed.split.labels], [1, 0, 1]);
    const sparse = parseLibsvm('10 1:1\n7 1:1\n1000 1:1\n7.0 1:1', 'x');
    assert.deepEqual(sparse.classLabels, [7, 10, 1000]);
    assert.deepEqual([...sparse.split.labels], [1, 0, 2, 0]);
  });

  it('gives square shapes to image-like feature counts only', () => {
    assert.deepEqual(libsvmShape(784), [1, 28, 28]);
    assert.deepEqual(libsvmShape(64), [1, 8, 8]);
    assert.deepEqual(libsvmShape(49), [1, 1, 49]);
    assert.deepEqual(libsvmShape(4), [1, 1, 4]);
    assert.deepEqual(libsvmShape(785), [1, 1, 785]);
    assert.deepEqual(parseLibsvm('0 784:1', 'x').shape, [1, 28, 28]);
  });

  it('uses a given feature count and rejects indices beyond it', () => {
    assert.equal(parseLibsvm('0 2:1', 'x', 5).split.images.length, 5);
    assert.throws(() => parseLibsvm('0 2:1\n1 6:1', 'f.svm', 5),
      { message: 'f.svm: line 2, column 3: feature index 6 exceeds the 5 features expected' });
  });

  it('accepts lines split anywhere across chunks', () => {
    const text = '3 1:0.25 2:0.5\n5 2:1.5 10:2\n3 4:4\n';
    const whole = parseLibsvm(text, 'x');
    for (const size of [1, 2, 5, 7]) {
      const reader = new LibsvmReader('x');
      for (let i = 0; i < text.length; i += size) reader.push(text.slice(i, i + size));
      const sparse = reader.finish();
      assert.equal(sparse.count, 3);
      assert.deepEqual([...sparse.labels], [3, 5, 3]);
      assert.deepEqual([...sparse.indices], [0, 1, 1, 9, 3]);
      assert.equal(sparse.maxFeature, whole.featureCount);
    }
  });

  const bad: [string, string][] = [
    ['0 1:1\nabc 1:1', 'line 2, column 1: expected a class label (an integer) at the start of the line, got "abc"'],
    ['0.5 1:1', 'line 1, column 1: label 0.5 is not an integer; ConvLab trains classifiers, so labels must be class numbers'],
    ['1 1:1  oops', 'line 1, column 8: expected index:value, got "oops"'],
    ['1 1.5:2', 'line 1, column 3: feature index "1.5" in "1.5:2" is not a positive integer'],
    ['1 -3:2', 'line 1, column 3: feature index "-3" in "-3:2" is not a positive integer'],
    ['1 0:2', 'line 1, column 3: feature index 0 in "0:2": LIBSVM indices start at 1'],
    ['1 4:1 2:1', 'line 1, column 7: feature index 2 comes after 4: LIBSVM indices must be in ascending order'],
    ['1 4:1 4:1', 'line 1, column 7: feature index 4 comes after 4: LIBSVM indices must be in ascending order'],
    ['1\n\n1 2:x', 'line 3, column 5: value "x" of feature 2 is not a number'],
    ['1 2:', 'line 1, column 5: value "" of feature 2 is not a number'],
    ['1 2:1e39', 'line 1, column 5: value 1e39 of feature 2 does not fit in a 32-bit float'],
    ['\n# nothing\n', 'contains no examples (every line is blank or a comment)'],
    ['1\n2', 'has no features: no line has an index:value pair'],
    ['\u0000\u0001binary' + 'x'.repeat(100), 'line 1, column 1: expected a class label (an integer) at the start of the line, ' +
      'got "\\u0000\\u0001binary' + 'x'.repeat(32) + '…"'],
  ];
  for (const [text, problem] of bad) {
    it(`rejects ${JSON.stringify(text)}: ${problem.replace(/^line \d+, column \d+: /, '')}`, () => {
      assert.throws(() => parseLibsvm(text, 'bad.svm'), (e: unknown) => {
        assert.ok(e instanceof DataError);
        assert.equal(e.message, `bad.svm: ${problem}`);
        return true;
      });
    });
  }

  it('refuses more than 256 classes', () => {
    const text = Array.from({ length: 257 }, (_, i) => `${i} 1:1`).join('\n');
    assert.throws(() => parseLibsvm(text, 'many'), /many: has 257 distinct labels; ConvLab supports at most 256 classes/);
  });
});

describe('data: LIBSVM files', () => {
  const tmp = tempFolder('libsvm');
  const lines = (n: number, offset = 0) =>
    Array.from({ length: n }, (_, i) => `${((i + offset) % 3) * 2 + 1} ${1 + (i % 4)}:${i + offset} 5:0.5`).join('\n') + '\n';

  it('holds out 20 % of a lone training file by a fixed seed', async () => {
    const train = join(tmp.path, 'alone.txt');
    writeFileSync(train, lines(50));
    const d = await loadDataset({ kind: 'libsvm', train });
    assert.equal(d.name, 'alone.txt (libsvm: 40 train / 10 held-out test)');
    assert.deepEqual(d.shape, [1, 1, 5]);
    assert.equal(d.classes, 3);
    assert.deepEqual(d.classNames, ['1', '3', '5']);
    assert.equal(describeDataset(d), 'alone.txt (libsvm: 40 train / 10 held-out test) · 1×1×5 · 3 classes (1, 3, 5)');
    // Every example lands in exactly one split: feature values identify them.
    const ids = (images: Float32Array | Uint8Array, n: number) => Array.from({ length: n }, (_, i) => {
      let sum = 0;
      for (let j = 0; j < 4; j++) sum += images[i * 5 + j];
      return sum;
    });
    const all = [...ids(d.train.images, 40), ...ids(d.test.images, 10)].sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: 50 }, (_, i) => i));
    const again = await loadDataset({ kind: 'libsvm', train });
    assert.deepEqual(again.test.images, d.test.images);
    const reseeded = await loadDataset({ kind: 'libsvm', train }, { splitSeed: 99 });
    assert.notDeepEqual(reseeded.test.images, d.test.images);
  });

  it('reads a gzipped training file and a test file with one label mapping and feature count', async () => {
    const train = join(tmp.path, 'train.svm.gz'), test = join(tmp.path, 'test.svm');
    writeFileSync(train, gzipSync(lines(30)));
    writeFileSync(test, '5 7:1\n1 1:2\n');  // uses a feature the training file never does
    const d = await loadDataset({ kind: 'libsvm', train, test });
    assert.equal(d.name, 'train.svm.gz (libsvm: 30 train / 2 test)');
    assert.deepEqual(d.shape, [1, 1, 7]);
    assert.deepEqual(d.classNames, ['1', '3', '5']);
    assert.deepEqual([...d.test.labels], [2, 0]);
    assert.deepEqual([...d.test.images], [0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual([...d.train.images.subarray(7, 14)], [0, 1, 0, 0, 0.5, 0, 0]);
  });

  it('names the file and line of a bad token, and the file that is missing', async () => {
    const train = join(tmp.path, 'bad.txt');
    writeFileSync(train, lines(3) + '1 2:3 x\n');
    assert.equal(await errorOf(() => loadDataset({ kind: 'libsvm', train })),
      `${train}: line 4, column 7: expected index:value, got "x"`);
    const missing = join(tmp.path, 'missing.txt');
    assert.equal(await errorOf(() => loadDataset({ kind: 'libsvm', train: missing })), `${missing}: file not found`);
    assert.equal(await errorOf(() => loadDataset({ kind: 'libsvm', train: tmp.path })), `${tmp.path}: is not a file`);
  });

  it('reports broken gzip data and lone one-example files', async () => {
    const gz = join(tmp.path, 'cut.gz');
    writeFileSync(gz, gzipSync(lines(200)).subarray(0, 40));
    assert.match(await errorOf(() => loadDataset({ kind: 'libsvm', train: gz })), new RegExp(`^${gz}: is not valid gzip data`));
    const one = join(tmp.path, 'one.txt');
    writeFileSync(one, '1 1:1\n');
    assert.match(await errorOf(() => loadDataset({ kind: 'libsvm', train: one })), new RegExp(`^${one}: has only 1 example`));
  });
});
