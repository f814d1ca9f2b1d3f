// Numbered checkpoints beside a model: no save overwrites an earlier one, the latest copy follows
// the newest save, retention is bounded, and listing reads only headers, newest first.

import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeCheckpoint, type Checkpoint } from '../../../src/engine/checkpoint';
import {
  DEFAULT_KEEP, latestCheckpointPath, listCheckpoints, numberedCheckpointPath, saveCheckpoint,
} from '../../../src/engine/checkpoint-series';
import { sampleCheckpoint } from './fixtures';

function atStep(step: number, epoch = 1): Checkpoint {
  const c = sampleCheckpoint(epoch);
  return { ...c, metadata: { ...c.metadata, step, metrics: { loss: 1 / step, testAccuracy: 0.5 } } };
}

describe('checkpoint series', () => {
  let dir = '', model = '';
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'convlab-series-')); model = join(dir, 'lenet.cnn'); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names checkpoints by model and step', () => {
    assert.equal(numberedCheckpointPath('/a/lenet.cnn', 377), join('/a', 'lenet.step-000377.ckpt.safetensors'));
    assert.equal(numberedCheckpointPath('/a/lenet.cnn', 12345678), join('/a', 'lenet.step-12345678.ckpt.safetensors'));
    assert.equal(latestCheckpointPath('/a/lenet.cnn'), join('/a', 'lenet.ckpt.safetensors'));
    assert.equal(DEFAULT_KEEP, 5);
  });

  it('keeps a long run\'s checkpoint when a later one-step run saves, and the latest copy follows the newest save', async () => {
    await saveCheckpoint(model, atStep(377, 3));
    const saved = await saveCheckpoint(model, atStep(1));
    assert.equal(saved.path, numberedCheckpointPath(model, 1));
    assert.deepEqual(readFileSync(numberedCheckpointPath(model, 377)), Buffer.from(encodeCheckpoint(atStep(377, 3))));
    assert.deepEqual(readFileSync(saved.latest), Buffer.from(encodeCheckpoint(atStep(1))));
  });

  it('keeps only the newest `keep` numbered checkpoints, and lists them newest first from their headers', async () => {
    for (const step of [5, 1, 7, 3, 6]) await saveCheckpoint(model, atStep(step), 3);
    writeFileSync(join(dir, 'other.step-000009.ckpt.safetensors'), 'another model');
    writeFileSync(join(dir, 'lenet.step-abc.ckpt.safetensors'), 'not a step');
    writeFileSync(join(dir, 'lenet.step-000002.ckpt.safetensors'), 'corrupt file');
    const names = readdirSync(dir).filter((n) => n.startsWith('lenet.step-0')).sort();
    assert.deepEqual(names, ['lenet.step-000002.ckpt.safetensors', 'lenet.step-000005.ckpt.safetensors',
      'lenet.step-000006.ckpt.safetensors', 'lenet.step-000007.ckpt.safetensors']);
    const { checkpoints, unreadable } = await listCheckpoints(model);
    assert.deepEqual(checkpoints.map((c) => [c.step, c.metadata.step, c.metadata.epoch, c.metadata.metrics?.loss]),
      [[7, 7, 1, 1 / 7], [6, 6, 1, 1 / 6], [5, 5, 1, 1 / 5]]);
    assert.deepEqual(unreadable.map((u) => u.path), [join(dir, 'lenet.step-000002.ckpt.safetensors')]);
    assert.match(unreadable[0].problem, /header length \d+ is out of bounds/);
    await assert.rejects(saveCheckpoint(model, atStep(8), 0), /keep must be a positive integer, got 0/);
  });

  it('lists nothing for a model without checkpoints or a missing folder', async () => {
    assert.deepEqual(await listCheckpoints(model), { checkpoints: [], unreadable: [] });
    assert.deepEqual(await listCheckpoints(join(dir, 'missing', 'x.cnn')), { checkpoints: [], unreadable: [] });
  });
});
