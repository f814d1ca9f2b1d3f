// Reading data files in Node without trusting them: sizes are checked against headers and the data
// budget before anything is allocated, and gzip is inflated as a stream that stops at a cap derived
// from the header, so a wrong header or a gzip bomb is an error naming the file, not an
// out-of-memory process.

import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { formatCount } from '../../lang/format';
import type { DataBudget } from './budget';
import { DataError } from './errors';
import { IDX_MAX_HEADER_BYTES, idxTruncated, parseIdxHeader, type IdxHeader } from './idx';

/** The bytes of an IDX file, gunzipped when they start with the gzip magic number (whatever the name says). */
export async function readIdxFile(path: string, budget: DataBudget): Promise<Uint8Array> {
  const size = (await statFile(path)).size;
  if (await isGzipped(path)) return inflateIdx(path, budget);
  const header = parseIdxHeader(await readHead(path, IDX_MAX_HEADER_BYTES), path);
  if (size < header.fileBytes) throw idxTruncated(header, size, path);
  budget.reserve(size, path, 'the file');
  try {
    return await readFile(path);
  } catch (e) {
    throw fileError(path, e);
  }
}

/** Inflates a gzipped IDX file, reserving what its header describes and refusing a single byte more. */
async function inflateIdx(path: string, budget: DataBudget): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let header: IdxHeader | undefined;
  const claim = (head: Uint8Array) => {
    header = parseIdxHeader(head, path);
    budget.reserve(header.fileBytes, path, 'the data its IDX header describes');
  };
  await streamFile(path, true, (chunk) => {
    chunks.push(chunk);
    total += chunk.length;
    if (!header && total >= IDX_MAX_HEADER_BYTES) claim(concat(chunks, total));
    if (header && total > header.fileBytes) {
      throw new DataError(path, `inflates to more than the ${formatCount(header.fileBytes)} bytes its IDX header ` +
        `describes (${header.dims.map(formatCount).join('×')} bytes of data after the ${header.headerBytes}-byte header); ` +
        'stopped reading there: the file is corrupt or a gzip bomb');
    }
  });
  const bytes = concat(chunks, total);
  if (!header) claim(bytes);
  if (total < header!.fileBytes) throw idxTruncated(header!, total, path);
  return bytes;
}

/** Streams a text file (gunzipping it when it starts with the gzip magic number), at most the budget's bytes of it. */
export async function streamText(path: string, budget: DataBudget, onText: (text: string) => void): Promise<void> {
  await statFile(path);
  const decoder = new TextDecoder('utf-8');
  let total = 0;
  // Not reserved: the text is consumed as it comes; what the parser keeps is reserved by the caller.
  await streamFile(path, await isGzipped(path), (chunk) => {
    total += chunk.length;
    if (total > budget.left) throw budget.overrun(total, path, 'the text read so far');
    onText(decoder.decode(chunk, { stream: true }));
  });
  onText(decoder.decode());
}

/** Calls `onChunk` with each chunk of a file, inflated when `gzipped`; an exception from it stops the read. */
async function streamFile(path: string, gzipped: boolean, onChunk: (chunk: Uint8Array) => void): Promise<void> {
  const file = createReadStream(path);
  const input: Readable = gzipped ? file.pipe(createGunzip()) : file;
  file.on('error', (e) => input.destroy(e));
  try {
    for await (const chunk of input) onChunk(chunk as Uint8Array);
  } catch (e) {
    if (e instanceof DataError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('Z_')) {
      throw new DataError(path, `is not valid gzip data (${(e as Error).message})`);
    }
    throw fileError(path, e);
  } finally {
    input.destroy();
    file.destroy();
  }
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** Up to `length` bytes from the start of a file. */
async function readHead(path: string, length: number): Promise<Uint8Array> {
  const handle = await open(path, 'r').catch((e: unknown) => { throw fileError(path, e); });
  try {
    const head = new Uint8Array(length);
    const { bytesRead } = await handle.read(head, 0, length, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

export async function isGzipped(path: string): Promise<boolean> {
  const head = await readHead(path, 2);
  return head.length === 2 && head[0] === 0x1f && head[1] === 0x8b;
}

export async function statFile(path: string) {
  const s = await stat(path).catch((e: unknown) => { throw fileError(path, e); });
  if (!s.isFile()) throw new DataError(path, 'is not a file');
  return s;
}

export function fileError(path: string, e: unknown): DataError {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT': return new DataError(path, 'file not found');
    case 'EISDIR': return new DataError(path, 'is a folder, expected a file');
    case 'EACCES': case 'EPERM': return new DataError(path, 'permission denied');
    default: return new DataError(path, `cannot be read (${err.message})`);
  }
}
