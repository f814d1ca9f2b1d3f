// Builders for small data files, and a temp folder per test file, shared by the data tests.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** An IDX file of unsigned bytes with the given dimensions; `data` defaults to a recognisable ramp. */
export function idxBytes(dims: number[], data?: Uint8Array): Uint8Array {
  const size = dims.reduce((p, d) => p * d, 1);
  const out = new Uint8Array(4 + 4 * dims.length + size);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x00000800 | dims.length);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data ?? Uint8Array.from({ length: size }, (_, i) => (i * 7 + 3) & 0xff), 4 + 4 * dims.length);
  return out;
}

/** A CIFAR-10 batch: one label byte then 3,072 pixel bytes per record. */
export function cifarBytes(labels: number[], pixel: (record: number, i: number) => number): Uint8Array {
  const out = new Uint8Array(labels.length * 3073);
  labels.forEach((label, r) => {
    out[r * 3073] = label;
    for (let i = 0; i < 3072; i++) out[r * 3073 + 1 + i] = pixel(r, i) & 0xff;
  });
  return out;
}

/** A fresh temp folder, removed after the enclosing `describe`. */
export function tempFolder(prefix: string): { readonly path: string } {
  const holder = { path: '' };
  before(() => { holder.path = mkdtempSync(join(tmpdir(), `convlab-${prefix}-`)); });
  after(() => rmSync(holder.path, { recursive: true, force: true }));
  return holder;
}

/** Runs `fn` and returns the message of the error it throws (failing if it does not). */
export async function errorOf(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error, but none was thrown');
}
