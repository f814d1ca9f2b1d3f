// A model's checkpoints beside its file (Node only): each save is kept under its step number,
// `<model>.step-000377.ckpt.safetensors`, and `<model>.ckpt.safetensors` is an atomically written
// copy of the latest (a copy, not a link, so it works on every OS and filesystem). The newest
// DEFAULT_KEEP numbered ones are kept; listing reads only their headers.

import { readdir, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { CheckpointError, type Checkpoint, type CheckpointMetadata } from './checkpoint';
import { readCheckpointMetadata, writeCheckpointFile } from './checkpoint-file';

/** Numbered checkpoints kept per model unless asked otherwise. */
export const DEFAULT_KEEP = 5;

const SUFFIX = '.ckpt.safetensors';
const STEP_DIGITS = 6;

function modelStem(modelPath: string): string {
  return basename(modelPath, extname(modelPath));
}

/** `<folder>/<model>.ckpt.safetensors`: the latest checkpoint, where "Resume" looks first. */
export function latestCheckpointPath(modelPath: string): string {
  return join(dirname(modelPath), `${modelStem(modelPath)}${SUFFIX}`);
}

/** `<folder>/<model>.step-000377.ckpt.safetensors`. */
export function numberedCheckpointPath(modelPath: string, step: number): string {
  return join(dirname(modelPath), `${modelStem(modelPath)}.step-${String(step).padStart(STEP_DIGITS, '0')}${SUFFIX}`);
}

/** The step in a numbered checkpoint's file name of this model, or null for any other file. */
function stepOfName(modelPath: string, name: string): number | null {
  const prefix = `${modelStem(modelPath)}.step-`;
  if (!name.startsWith(prefix) || !name.endsWith(SUFFIX)) return null;
  const digits = name.slice(prefix.length, -SUFFIX.length);
  return /^\d+$/.test(digits) ? Number(digits) : null;
}

export interface SavedCheckpoint {
  /** The numbered file written. */
  readonly path: string;
  /** The latest copy, rewritten. */
  readonly latest: string;
  /** Older numbered files removed to keep `keep`. */
  readonly removed: readonly string[];
}

/**
 * Writes the checkpoint under its step number, then the latest copy, then removes the oldest
 * numbered ones beyond `keep` (≥ 1). Each write is atomic, so a crash leaves earlier files whole.
 */
export async function saveCheckpoint(modelPath: string, c: Checkpoint, keep = DEFAULT_KEEP): Promise<SavedCheckpoint> {
  if (!Number.isInteger(keep) || keep < 1) throw new CheckpointError(modelPath, `the number of checkpoints to keep must be a positive integer, got ${keep}`);
  const path = numberedCheckpointPath(modelPath, c.metadata.step), latest = latestCheckpointPath(modelPath);
  await writeCheckpointFile(path, c);
  await writeCheckpointFile(latest, c);
  const numbered = await numberedFiles(modelPath);
  const removed = numbered.slice(keep).map((f) => f.path).filter((p) => p !== path);
  for (const p of removed) await unlink(p).catch(() => undefined);
  return { path, latest, removed };
}

export interface CheckpointListing {
  readonly path: string;
  readonly step: number;
  readonly metadata: CheckpointMetadata;
}

export interface CheckpointList {
  /** Newest (highest step) first. */
  readonly checkpoints: readonly CheckpointListing[];
  /** Numbered files whose header cannot be read, with why. */
  readonly unreadable: readonly { readonly path: string; readonly problem: string }[];
}

/** The model's numbered checkpoints, newest first, with the epoch, step and figures of their metadata. */
export async function listCheckpoints(modelPath: string): Promise<CheckpointList> {
  const checkpoints: CheckpointListing[] = [], unreadable: { path: string; problem: string }[] = [];
  for (const f of await numberedFiles(modelPath)) {
    try {
      checkpoints.push({ ...f, metadata: await readCheckpointMetadata(f.path) });
    } catch (e) {
      unreadable.push({ path: f.path, problem: (e as Error).message });
    }
  }
  return { checkpoints, unreadable };
}

async function numberedFiles(modelPath: string): Promise<{ path: string; step: number }[]> {
  const dir = dirname(modelPath);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new CheckpointError(dir, `cannot list checkpoints (${(e as Error).message})`, { cause: e });
  }
  return names.flatMap((name) => {
    const step = stepOfName(modelPath, name);
    return step === null ? [] : [{ path: join(dir, name), step }];
  }).sort((a, b) => b.step - a.step);
}
