import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Dataset } from '../../../src/engine/data/dataset';
import { describeDataset } from '../../../src/engine/data/describe';
import { BUILTIN_MNIST_TRAIN, findBuiltinDir, loadDataset } from '../../../src/engine/data/node-files';
import { errorOf } from './fixtures';

// Needs `node scripts/build.mjs` to have written dist/data.
describe('data: built-in MNIST', () => {
  let d: Dataset;
  let loadMs = 0;
  before(async () => {
    const t0 = performance.now();
    d = await loadDataset({ kind: 'mnist' });
    loadMs = performance.now() - t0;
  });

  it('has 10,000 digits of 1×28×28 in 10 classes, split 8,000 / 2,000', () => {
    assert.equal(d.name, 'mnist (built-in: 8,000 train / 2,000 test)');
    assert.deepEqual(d.shape, [1, 28, 28]);
    assert.equal(d.classes, 10);
    assert.equal(d.train.count, BUILTIN_MNIST_TRAIN);
    assert.equal(d.test.count, 2000);
    assert.equal(d.train.images.length, 8000 * 784);
    assert.equal(d.test.labels.length, 2000);
    assert.equal(describeDataset(d), 'mnist (built-in: 8,000 train / 2,000 test) · 1×28×28 · 10 classes');
    assert.ok(loadMs < 5000, `loading took ${loadMs.toFixed(0)} ms`);
  });

  it('splits deterministically by seed, and differently for another seed', async () => {
    const again = await loadDataset({ kind: 'mnist' });
    assert.deepEqual(again.test.labels, d.test.labels);
    assert.deepEqual(again.train.images, d.train.images);
    const other = await loadDataset({ kind: 'mnist' }, { splitSeed: 7 });
    assert.notDeepEqual(other.test.labels, d.test.labels);
  });

  it('is shuffled and roughly class-balanced in both splits', () => {
    const histogram = (labels: Uint8Array) => {
      const h = new Array<number>(10).fill(0);
      for (const label of labels) h[label]++;
      return h.map((n) => n / labels.length);
    };
    const whole = histogram(Uint8Array.from([...d.train.labels, ...d.test.labels]));
    for (const split of [d.train, d.test]) {
      const share = histogram(split.labels);
      // Each class holds 7–14 % (MNIST is nearly balanced) and about its share of the whole set.
      for (let k = 0; k < 10; k++) {
        assert.ok(share[k] > 0.07 && share[k] < 0.14, `class ${k}: ${share[k]}`);
        assert.ok(Math.abs(share[k] - whole[k]) < 0.025, `class ${k}: ${share[k]} vs ${whole[k]} overall`);
      }
      // Not sorted by class: in the first 100 examples at least 8 classes appear.
      assert.ok(new Set(split.labels.subarray(0, 100)).size >= 8);
    }
  });

  it('has sane pixels: mostly black background, white strokes, centred ink', () => {
    assert.ok(d.train.images instanceof Uint8Array);
    const px = d.train.images;
    let zeros = 0, bright = 0, centre = 0, border = 0;
    for (let i = 0; i < px.length; i++) {
      if (px[i] === 0) zeros++;
      if (px[i] > 200) bright++;
      const r = Math.floor((i % 784) / 28), c = i % 28;
      if (r >= 8 && r < 20 && c >= 8 && c < 20) centre += px[i];
      if (r < 2 || r >= 26 || c < 2 || c >= 26) border += px[i];
    }
    assert.ok(zeros / px.length > 0.7 && zeros / px.length < 0.9, `zero fraction ${zeros / px.length}`);
    assert.ok(bright / px.length > 0.05, `bright fraction ${bright / px.length}`);
    assert.ok(centre > 20 * border, `centre ink ${centre}, border ink ${border}`);
    // Every example has some ink.
    for (let n = 0; n < d.train.count; n += 97) assert.ok(px.subarray(n * 784, (n + 1) * 784).some((v) => v > 128));
  });

  it('finds dist/data from any folder below the repository, and explains a missing build', async () => {
    const found = findBuiltinDir(__dirname);
    assert.ok(found.endsWith(join('dist', 'data')), found);
    const repo = join(found, '..', '..');
    assert.equal(findBuiltinDir(join(repo, 'src', 'engine', 'data')), found);
    assert.equal(findBuiltinDir(join(repo, 'dist')), found);
    assert.match(await errorOf(() => findBuiltinDir('/')), /run `npm run build`/);
    assert.match(await errorOf(() => loadDataset({ kind: 'mnist' }, { builtinDir: '/nonexistent' })),
      /^mnist \(built-in\): \/nonexistent\/mnist-images-idx3-ubyte\.gz is missing; run `npm run build`/);
  });
});
