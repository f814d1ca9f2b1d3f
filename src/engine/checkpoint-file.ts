// Checkpoint files on disk (Node only). Writes are atomic: the bytes go to a temp file beside the
// target, are fsynced, and only then renamed over it, so a crash, a full disk or a kill at any
// moment leaves either the old checkpoint or the new one — never a half-written file.

import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  CheckpointError, decodeCheckpoint, decodeCheckpointMetadata, encodeCheckpoint, headerEnd, type Checkpoint, type CheckpointMetadata,
} from './checkpoint';

/** The file operations a write goes through; tests replace some to simulate failures. */
export interface CheckpointFileOps {
  write(handle: FileHandle, bytes: Uint8Array): Promise<void>;
  sync(handle: FileHandle): Promise<void>;
  rename(from: string, to: string): Promise<void>;
}

const realOps: CheckpointFileOps = {
  async write(handle, bytes) { await handle.writeFile(bytes); },
  async sync(handle) { await handle.sync(); },
  rename,
};

/** Atomically replaces (or creates) the checkpoint at `path`. */
export async function writeCheckpointFile(path: string, c: Checkpoint, ops: Partial<CheckpointFileOps> = {}): Promise<void> {
  const io = { ...realOps, ...ops };
  const bytes = encodeCheckpoint(c);  // before touching the disk: a bad checkpoint writes nothing
  const temp = `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  let handle: FileHandle | undefined;
  try {
    handle = await open(temp, 'wx', 0o644);
    await io.write(handle, bytes);
    await io.sync(handle);
    await handle.close();
    handle = undefined;
    await io.rename(temp, path);
  } catch (e) {
    await handle?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw new CheckpointError(path, `could not be written (${(e as Error).message}); any previous checkpoint there is unchanged`,
      { cause: e });
  }
  await syncFolder(dirname(path));
}

/** Makes the rename itself durable. Best effort: some platforms cannot open a folder for syncing. */
async function syncFolder(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Not fatal: the checkpoint is complete; only its survival across a power cut is less certain.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** Reads and validates a checkpoint file. */
export async function readCheckpointFile(path: string): Promise<Checkpoint> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw readError(path, e);
  }
  return decodeCheckpoint(bytes, path);
}

/** Reads only a checkpoint's metadata (its header), for listing checkpoints without loading their tensors. */
export async function readCheckpointMetadata(path: string): Promise<CheckpointMetadata> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    const first = new Uint8Array(8);
    const { bytesRead } = await handle.read(first, 0, 8, 0);
    const prefix = new Uint8Array(headerEnd(first.subarray(0, bytesRead), path));
    const { bytesRead: got } = await handle.read(prefix, 0, prefix.length, 0);
    return decodeCheckpointMetadata(prefix.subarray(0, got), path);
  } catch (e) {
    throw e instanceof CheckpointError ? e : readError(path, e);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

function readError(path: string, e: unknown): CheckpointError {
  const code = (e as NodeJS.ErrnoException).code;
  const problem = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a folder, expected a file'
    : `cannot be read (${(e as Error).message})`;
  return new CheckpointError(path, problem, { cause: e });
}
