// The Node side of data loading (CLI and extension host; never the webview): finds the files a
// DataSpec names, reads and gunzips them, and hands the bytes to the pure parsers in this folder.

import { existsSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { open, readFile, readdir, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { basename, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createGunzip, gunzip } from 'node:zlib';
import type { DataSpec } from '../../lang/spec';
import {
  CIFAR10_CLASSES, CIFAR10_IMAGE_BYTES, CIFAR10_RECORD_BYTES, CIFAR10_SHAPE,
  cifar10RecordCount, copyCifar10Records, parseCifar10ClassNames,
} from './cifar10';
import type { Dataset, Split } from './dataset';
import { datasetName } from './describe';
import { DataError } from './errors';
import { idxDataset, idxSplit } from './idx';
import { LibsvmReader, libsvmDataset, type LibsvmSparse } from './libsvm';
import { seededSplit } from './split';

export interface LoadOptions {
  /** Folder holding the built-in MNIST files; default: the nearest `dist/data` above this bundle. */
  readonly builtinDir?: string;
  /** Seed of the built-in MNIST split and of LIBSVM hold-outs; default DEFAULT_SPLIT_SEED. */
  readonly splitSeed?: number;
}

/** Fixed, so the built-in MNIST test set and LIBSVM hold-outs are the same examples on every run. */
export const DEFAULT_SPLIT_SEED = 20_100;

/** Written by scripts/make-mnist.mjs (part of `npm run build`). */
export const BUILTIN_MNIST_IMAGES = 'mnist-images-idx3-ubyte.gz';
export const BUILTIN_MNIST_LABELS = 'mnist-labels-idx1-ubyte.gz';
/** The built-in digits (10,000) are split into this many training examples; the rest (2,000) are the test set. */
export const BUILTIN_MNIST_TRAIN = 8000;

/** Loads the data set a spec names. Paths in the spec must already be absolute (resolved by the language). */
export async function loadDataset(spec: DataSpec, options: LoadOptions = {}): Promise<Dataset> {
  const seed = options.splitSeed ?? DEFAULT_SPLIT_SEED;
  switch (spec.kind) {
    case 'mnist': return loadBuiltinMnist(options.builtinDir ?? findBuiltinDir(), seed);
    case 'idx': return loadIdxFolder(spec.dir);
    case 'cifar10': return loadCifar10Folder(spec.dir);
    case 'libsvm': return loadLibsvmFiles(spec.train, spec.test, seed);
    default: {
      const unknown: never = spec;
      throw new DataError('data', `unknown data kind ${JSON.stringify((unknown as { kind?: unknown }).kind)}`);
    }
  }
}

// ── built-in MNIST ──────────────────────────────────────────────────────────────────────────────

/**
 * The folder with the built-in MNIST files: the nearest `<ancestor>/dist/data` of this bundle's folder.
 * That finds it from dist/cli.js, dist/extension.js and test bundles under out/test/….
 */
export function findBuiltinDir(from: string = __dirname): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, 'dist', 'data');
    if (existsSync(join(candidate, BUILTIN_MNIST_IMAGES))) return candidate;
    if (dirname(dir) === dir) break;
  }
  throw new DataError('mnist (built-in)', `no ${join('dist', 'data', BUILTIN_MNIST_IMAGES)} in ${resolve(from)} ` +
    'or any folder above it; run `npm run build` to create the built-in data set');
}

async function loadBuiltinMnist(dir: string, seed: number): Promise<Dataset> {
  const images = join(dir, BUILTIN_MNIST_IMAGES), labels = join(dir, BUILTIN_MNIST_LABELS);
  for (const file of [images, labels]) {
    if (!existsSync(file)) {
      throw new DataError('mnist (built-in)', `${file} is missing; run \`npm run build\` to create the built-in data set`);
    }
  }
  const all = idxSplit(await readNamedBytes(images), await readNamedBytes(labels));
  const size = all.shape[0] * all.shape[1] * all.shape[2];
  if (all.split.count <= BUILTIN_MNIST_TRAIN) {
    throw new DataError(images, `has ${all.split.count} images, expected more than ${BUILTIN_MNIST_TRAIN}; ` +
      'run `npm run build` to recreate it');
  }
  // The files are ordered by class; the seeded shuffle gives a class-balanced split in random order.
  const [train, test] = seededSplit(all.split, size, BUILTIN_MNIST_TRAIN, seed);
  return { name: datasetName('mnist', 'built-in', train.count, test.count), shape: all.shape, classes: 10, train, test };
}

// ── IDX folder ──────────────────────────────────────────────────────────────────────────────────

/** Accepted spellings of one standard file: `train-images-idx3-ubyte`, `train-images.idx3-ubyte`, each optionally `.gz`. */
function idxFileNames(stem: string, kind: 'idx3' | 'idx1'): string[] {
  const plain = [`${stem}-${kind}-ubyte`, `${stem}.${kind}-ubyte`];
  return [...plain, ...plain.map((p) => p + '.gz')];
}

async function loadIdxFolder(dir: string): Promise<Dataset> {
  const entries = await listFolder(dir);
  const file = async (stem: string, kind: 'idx3' | 'idx1', what: string) =>
    readNamedBytes(join(dir, pickFile(dir, entries, idxFileNames(stem, kind), what)));
  return idxDataset({
    trainImages: await file('train-images', 'idx3', 'training images'),
    trainLabels: await file('train-labels', 'idx1', 'training labels'),
    testImages: await file('t10k-images', 'idx3', 'test images'),
    testLabels: await file('t10k-labels', 'idx1', 'test labels'),
  }, basename(dir));
}

// ── CIFAR-10 folder ─────────────────────────────────────────────────────────────────────────────

const CIFAR10_TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
const CIFAR10_TEST_FILE = 'test_batch.bin';
const CIFAR10_META_FILE = 'batches.meta.txt';
const CIFAR10_SUBFOLDER = 'cifar-10-batches-bin';
/** Records read per chunk: about 3 MB, so a 180 MB data set never exists twice in memory. */
const CIFAR10_CHUNK_RECORDS = 1024;

async function loadCifar10Folder(dir: string): Promise<Dataset> {
  let entries = await listFolder(dir);
  // Accept both the extracted archive's folder and the folder that contains it.
  if (!entries.includes(CIFAR10_TRAIN_FILES[0]) && entries.includes(CIFAR10_SUBFOLDER)) {
    dir = join(dir, CIFAR10_SUBFOLDER);
    entries = await listFolder(dir);
  }
  const trainFiles = CIFAR10_TRAIN_FILES.map((f, i) => join(dir, pickFile(dir, entries, [f], `training batch ${i + 1}`)));
  const testFile = join(dir, pickFile(dir, entries, [CIFAR10_TEST_FILE], 'test batch'));
  const train = await readCifar10Batches(trainFiles);
  const test = await readCifar10Batches([testFile]);
  const metaPath = join(dir, CIFAR10_META_FILE);
  const classNames = entries.includes(CIFAR10_META_FILE)
    ? parseCifar10ClassNames(await readFile(metaPath, 'utf8'), metaPath) : undefined;
  return {
    name: datasetName(basename(dir), 'cifar10', train.count, test.count),
    shape: [...CIFAR10_SHAPE], classes: CIFAR10_CLASSES, ...(classNames ? { classNames } : {}), train, test,
  };
}

/** Reads batch files one after another, in chunks, straight into one preallocated split. */
async function readCifar10Batches(paths: string[]): Promise<Split> {
  const counts: number[] = [];
  for (const path of paths) counts.push(cifar10RecordCount((await statFile(path)).size, path));
  const total = counts.reduce((a, b) => a + b, 0);
  const images = new Uint8Array(total * CIFAR10_IMAGE_BYTES);
  const labels = new Uint8Array(total);
  const chunk = new Uint8Array(CIFAR10_CHUNK_RECORDS * CIFAR10_RECORD_BYTES);
  let at = 0;
  for (let f = 0; f < paths.length; f++) {
    const handle = await open(paths[f], 'r').catch((e: unknown) => { throw fileError(paths[f], e); });
    try {
      for (let first = 0; first < counts[f]; first += CIFAR10_CHUNK_RECORDS) {
        const records = Math.min(CIFAR10_CHUNK_RECORDS, counts[f] - first);
        const bytes = records * CIFAR10_RECORD_BYTES;
        const { bytesRead } = await handle.read(chunk, 0, bytes, first * CIFAR10_RECORD_BYTES);
        if (bytesRead !== bytes) throw new DataError(paths[f], 'changed size while being read');
        copyCifar10Records(chunk.subarray(0, bytes), paths[f], first, images, labels, at);
        at += records;
      }
    } finally {
      await handle.close();
    }
  }
  return { count: total, images, labels };
}

// ── LIBSVM files ────────────────────────────────────────────────────────────────────────────────

async function loadLibsvmFiles(trainPath: string, testPath: string | undefined, seed: number): Promise<Dataset> {
  const train = await readLibsvmFile(trainPath);
  const test = testPath === undefined ? undefined : await readLibsvmFile(testPath);
  return libsvmDataset(train, test, basename(trainPath), seed);
}

/** Streams a LIBSVM file (gunzipping it when it starts with the gzip magic number) through the parser. */
export async function readLibsvmFile(path: string): Promise<LibsvmSparse> {
  await statFile(path);
  const input = await isGzipped(path)
    ? pipeline(createReadStream(path), createGunzip(), () => { /* errors surface in the loop below */ })
    : createReadStream(path);
  const reader = new LibsvmReader(path);
  const decoder = new TextDecoder('utf-8');
  try {
    for await (const chunk of input as Readable) reader.push(decoder.decode(chunk as Uint8Array, { stream: true }));
  } catch (e) {
    if (e instanceof DataError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('Z_')) {
      throw new DataError(path, `is not valid gzip data (${(e as Error).message})`);
    }
    throw fileError(path, e);
  } finally {
    input.destroy();
  }
  reader.push(decoder.decode());
  return reader.finish();
}

async function isGzipped(path: string): Promise<boolean> {
  const handle = await open(path, 'r').catch((e: unknown) => { throw fileError(path, e); });
  try {
    const head = new Uint8Array(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

// ── files and folders ───────────────────────────────────────────────────────────────────────────

/** The bytes of a file, gunzipped when they start with the gzip magic number (whatever the name says). */
export async function readMaybeGzipped(path: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw fileError(path, e);
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = await promisify(gunzip)(bytes);
    } catch (e) {
      throw new DataError(path, `is not valid gzip data (${(e as Error).message})`);
    }
  }
  return bytes;
}

async function readNamedBytes(path: string): Promise<{ name: string; bytes: Uint8Array }> {
  return { name: path, bytes: await readMaybeGzipped(path) };
}

async function statFile(path: string) {
  const s = await stat(path).catch((e: unknown) => { throw fileError(path, e); });
  if (!s.isFile()) throw new DataError(path, 'is not a file');
  return s;
}

/** Names in a folder, sorted; a clear error when it does not exist or is not a folder. */
export async function listFolder(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataError(dir, 'folder not found');
    if (code === 'ENOTDIR') throw new DataError(dir, 'is a file, expected a folder');
    throw fileError(dir, e);
  }
}

/** The first of `candidates` present in `entries`, or an error that lists what the folder does hold. */
function pickFile(dir: string, entries: readonly string[], candidates: readonly string[], what: string): string {
  const found = candidates.find((c) => entries.includes(c));
  if (found !== undefined) return found;
  const shown = entries.slice(0, 20).join(', ') + (entries.length > 20 ? `, … (${entries.length - 20} more)` : '');
  throw new DataError(dir, `no ${what} file: expected ${candidates.join(' or ')} in this folder, ` +
    (entries.length === 0 ? 'but the folder is empty' : `which contains: ${shown}`));
}

function fileError(path: string, e: unknown): DataError {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT': return new DataError(path, 'file not found');
    case 'EISDIR': return new DataError(path, 'is a folder, expected a file');
    case 'EACCES': case 'EPERM': return new DataError(path, 'permission denied');
    default: return new DataError(path, `cannot be read (${err.message})`);
  }
}
