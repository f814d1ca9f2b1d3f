import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointError, encodeCheckpoint } from '../../../src/engine/checkpoint';
import { readCheckpointFile, writeCheckpointFile } from '../../../src/engine/checkpoint-file';
import { sampleCheckpoint } from './fixtures';

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('checkpoint files', () => {
  let dir = '';
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'convlab-ckpt-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a file that reads back identically, and replaces an older one', async () => {
    const path = join(dir, 'model.safetensors');
    await writeCheckpointFile(path, sampleCheckpoint(1));
    await writeCheckpointFile(path, sampleCheckpoint(2));
    assert.deepEqual(readFileSync(path), Buffer.from(encodeCheckpoint(sampleCheckpoint(2))));
    const back = await readCheckpointFile(path);
    assert.equal(back.metadata.epoch, 2);
    assert.deepEqual(readdirSync(dir), ['model.safetensors']);
  });

  // A failure at each step of the write must leave the previous checkpoint as it was and no temp file.
  const failures = {
    'a write that fails halfway': {
      async write(handle: import('node:fs/promises').FileHandle, bytes: Uint8Array) {
        await handle.write(bytes, 0, bytes.length >> 1);
        throw new Error('ENOSPC: no space left on device');
      },
    },
    'a failing fsync': { async sync() { throw new Error('EIO: i/o error'); } },
    'a failing rename': { async rename() { throw new Error('EXDEV: cross-device link'); } },
  };
  for (const [what, ops] of Object.entries(failures)) {
    it(`keeps the previous checkpoint intact after ${what}`, async () => {
      const path = join(dir, 'model.safetensors');
      await writeCheckpointFile(path, sampleCheckpoint(1));
      const before = readFileSync(path);
      const e = await rejection(writeCheckpointFile(path, sampleCheckpoint(2), ops));
      assert.ok(e instanceof CheckpointError);
      assert.match(e.message, new RegExp(`^${path}: could not be written \\(\\w+: .*\\); any previous checkpoint there is unchanged$`));
      assert.deepEqual(readFileSync(path), before);
      assert.deepEqual(readdirSync(dir), ['model.safetensors']);
      assert.equal((await readCheckpointFile(path)).metadata.epoch, 1);
    });
  }

  it('creates nothing when the checkpoint itself is invalid', async () => {
    const c = sampleCheckpoint();
    const bad = { ...c, tensors: new Map([['w', { shape: [2], data: new Float32Array(3) }]]) };
    await rejection(writeCheckpointFile(join(dir, 'x.safetensors'), bad));
    assert.deepEqual(readdirSync(dir), []);
  });

  it('names the file when reading fails', async () => {
    const missing = join(dir, 'none.safetensors');
    assert.equal((await rejection(readCheckpointFile(missing))).message, `${missing}: file not found`);
    const junk = join(dir, 'junk.safetensors');
    writeFileSync(junk, 'hello, world');
    assert.match((await rejection(readCheckpointFile(junk))).message, new RegExp(`^${junk}: header length \\d+ is out of bounds`));
    assert.equal((await rejection(readCheckpointFile(dir))).message, `${dir}: is a folder, expected a file`);
  });
});
