import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../../../src/engine/data/errors';
import { loadDataset } from '../../../src/engine/data/node-files';
import { DATA_WORKER_BUNDLE, findDataWorker } from '../../../src/engine/data/worker-loader';
import { loadDatasetInWorker } from '../../../src/engine/node';
import { errorOf, idxBytes, tempFolder } from './fixtures';

// Runs the real bundle, dist/data-worker.js, as built by scripts/build.mjs.
describe('data: loading on a worker thread', () => {
  const tmp = tempFolder('worker');

  it('uses the built bundle', () => {
    const script = findDataWorker(__dirname);
    assert.ok(script.endsWith(join('dist', DATA_WORKER_BUNDLE)) && existsSync(script), script);
  });

  it('gives the same data set as loadDataset, arrays owning their transferred buffers', async () => {
    const expected = await loadDataset({ kind: 'mnist' });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const d = await loadDatasetInWorker({ kind: 'mnist' });
    clearInterval(timer);
    assert.deepEqual(d, expected);
    assert.ok(d.train.images instanceof Uint8Array && d.test.labels instanceof Uint8Array);
    for (const a of [d.train.images, d.train.labels, d.test.images, d.test.labels]) {
      assert.equal(a.byteOffset, 0);
      assert.equal(a.buffer.byteLength, a.byteLength);
    }
    assert.ok(ticks > 0, 'the event loop did not run while the worker loaded');
  });

  it('passes the options and rebuilds DataErrors with their source and message', async () => {
    const dir = join(tmp.path, 'set');
    mkdirSync(dir);
    for (const stem of ['train', 't10k']) {
      writeFileSync(join(dir, `${stem}-images-idx3-ubyte`), idxBytes([4, 2, 2]));
      writeFileSync(join(dir, `${stem}-labels-idx1-ubyte`), idxBytes([4], Uint8Array.of(0, 1, 2, 1)));
    }
    const d = await loadDatasetInWorker({ kind: 'idx', dir });
    assert.deepEqual(d, await loadDataset({ kind: 'idx', dir }));
    const inline = await errorOf(() => loadDataset({ kind: 'idx', dir }, { maxDataBytes: 40 }));
    const error = await loadDatasetInWorker({ kind: 'idx', dir }, { maxDataBytes: 40 }).catch((e: unknown) => e);
    assert.ok(error instanceof DataError);
    assert.equal(error.message, inline);
    assert.equal(error.source, join(dir, 'train-labels-idx1-ubyte'));
  });

  it('says when the worker bundle is missing', async () => {
    assert.match(await errorOf(() => findDataWorker('/')), /no data-worker\.js in \/ or any folder above it; run `npm run build`/);
    await assert.rejects(loadDatasetInWorker({ kind: 'mnist' }, { workerScript: join(tmp.path, 'none.js') }), /Cannot find module/);
    await assert.rejects(loadDatasetInWorker({ kind: 'mnist' }, { workerScript: tmp.path }), /EISDIR|directory|Cannot find module/);
  });
});
