// A writer killed mid-write (SIGKILL: no cleanup runs) leaves the previous checkpoint whole and
// readable. The test runs itself as the child: with CONVLAB_KILLED_WRITER set, this file writes a
// big checkpoint in slow chunks through writeCheckpointFile and is killed partway.

import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeCheckpoint, type Checkpoint } from '../../../src/engine/checkpoint';
import { readCheckpointFile, writeCheckpointFile } from '../../../src/engine/checkpoint-file';
import { sampleCheckpoint } from './fixtures';

const CHILD_TARGET = process.env.CONVLAB_KILLED_WRITER;
const BIG_VALUES = 16 * 1024 * 1024;  // 64 MB of tensor data
const CHUNK = 1 << 20;

function bigCheckpoint(): Checkpoint {
  const c = sampleCheckpoint(9);
  const tensors = new Map(c.tensors).set('layers.7.weight', { shape: [BIG_VALUES], data: new Float32Array(BIG_VALUES).fill(0.25) });
  return { ...c, tensors };
}

/** Writes 1 MB at a time with a pause between, saying when the first megabyte is on disk. */
async function slowWrite(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length; at += CHUNK) {
    await handle.write(bytes, at, Math.min(CHUNK, bytes.length - at));
    if (at === 0) process.stdout.write('writing\n');
    await new Promise((r) => setTimeout(r, 20));
  }
}

if (CHILD_TARGET) {
  void writeCheckpointFile(CHILD_TARGET, bigCheckpoint(), { write: slowWrite });
} else {
  describe('checkpoint files: a killed writer', function () {
    this.timeout(60_000);
    let dir = '';
    beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'convlab-kill-')); });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('SIGKILLed mid-write of a 64 MB checkpoint leaves the previous one intact and readable', async () => {
      const path = join(dir, 'model.ckpt.safetensors');
      await writeCheckpointFile(path, sampleCheckpoint(1));
      const before = readFileSync(path);

      const child = spawn(process.execPath, [__filename], { env: { ...process.env, CONVLAB_KILLED_WRITER: path }, stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('writing')) resolve(); });
        child.on('exit', () => reject(new Error('the writer exited before it started writing')));
      });
      const temp = readdirSync(dir).find((n) => n.includes('.tmp-'));
      assert.ok(temp, 'the write goes to a temp file beside the target');
      child.kill('SIGKILL');
      assert.equal(await exited, 'SIGKILL');

      const partial = statSync(join(dir, temp)).size;
      assert.ok(partial > 0 && partial < encodeCheckpoint(bigCheckpoint()).length, `killed mid-write (${partial} bytes on disk)`);
      assert.deepEqual(readFileSync(path), before, 'the previous checkpoint is byte for byte the same');
      assert.equal((await readCheckpointFile(path)).metadata.epoch, 1);
      // The temp file stays (nothing runs after SIGKILL); it never has the checkpoint's name.
      assert.deepEqual(readdirSync(dir).filter((n) => !n.includes('.tmp-')), ['model.ckpt.safetensors']);
    });
  });
}
