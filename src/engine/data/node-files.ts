// The Node side of data loading (CLI and extension host; never the webview): finds the files a
// DataSpec names, reads and gunzips them, and hands the bytes to the pure parsers in this folder.

import { existsSync } from 'node:fs';
import { open, readFile, readdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { DataSpec } from '../../lang/spec';
import { fileError, readIdxFile, statFile, streamText } from './bounded-read';
import { DataBudget } from './budget';
import {
  CIFAR10_CLASSES, CIFAR10_IMAGE_BYTES, CIFAR10_RECORD_BYTES, CIFAR10_SHAPE,
  cifar10RecordCount, copyCifar10Records, parseCifar10ClassNames,
} from './cifar10';
import type { Dataset, Split } from './dataset';
import { datasetName } from './describe';
import { DataError } from './errors';
import { idxDataset, idxSplit, type NamedBytes } from './idx';
import { LibsvmReader, libsvmDataset, type LibsvmSparse } from './libsvm';
import { loadMatFiles } from './mat/load-mat';
import { seededSplit } from './split';

export interface LoadOptions {
  /** Folder holding the built-in MNIST files; default: the nearest `dist/data` above this bundle. */
  readonly builtinDir?: string;
  /** Seed of the built-in MNIST split and of LIBSVM hold-outs; default DEFAULT_SPLIT_SEED. */
  readonly splitSeed?: number;
  /**
   * Most bytes the data set may make the loader hold (file contents, decompressed data, dense
   * arrays), checked before allocating; default DEFAULT_MAX_DATA_BYTES (2 GiB).
   */
  readonly maxDataBytes?: number;
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
  const budget = new DataBudget(options.maxDataBytes);
  switch (spec.kind) {
    case 'mnist': return loadBuiltinMnist(options.builtinDir ?? findBuiltinDir(), seed, budget);
    case 'idx': return loadIdxFolder(spec.dir, budget);
    case 'cifar10': return loadCifar10Folder(spec.dir, budget);
    case 'libsvm': return loadLibsvmFiles(spec.train, spec.test, seed, budget);
    case 'mat': return loadMatFiles(spec.train, spec.test, seed, budget, spec.shape);
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

async function loadBuiltinMnist(dir: string, seed: number, budget: DataBudget): Promise<Dataset> {
  const images = join(dir, BUILTIN_MNIST_IMAGES), labels = join(dir, BUILTIN_MNIST_LABELS);
  for (const file of [images, labels]) {
    if (!existsSync(file)) {
      throw new DataError('mnist (built-in)', `${file} is missing; run \`npm run build\` to create the built-in data set`);
    }
  }
  const all = idxSplit(await readNamedIdx(images, budget), await readNamedIdx(labels, budget));
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

async function loadIdxFolder(dir: string, budget: DataBudget): Promise<Dataset> {
  const entries = await listFolder(dir);
  const file = async (stem: string, kind: 'idx3' | 'idx1', what: string) =>
    readNamedIdx(join(dir, pickFile(dir, entries, idxFileNames(stem, kind), what)), budget);
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

async function loadCifar10Folder(dir: string, budget: DataBudget): Promise<Dataset> {
  let entries = await listFolder(dir);
  // Accept both the extracted archive's folder and the folder that contains it.
  if (!entries.includes(CIFAR10_TRAIN_FILES[0]) && entries.includes(CIFAR10_SUBFOLDER)) {
    dir = join(dir, CIFAR10_SUBFOLDER);
    entries = await listFolder(dir);
  }
  const trainFiles = CIFAR10_TRAIN_FILES.map((f, i) => join(dir, pickFile(dir, entries, [f], `training batch ${i + 1}`)));
  const testFile = join(dir, pickFile(dir, entries, [CIFAR10_TEST_FILE], 'test batch'));
  const train = await readCifar10Batches(trainFiles, budget);
  const test = await readCifar10Batches([testFile], budget);
  const metaPath = join(dir, CIFAR10_META_FILE);
  const classNames = entries.includes(CIFAR10_META_FILE) ? await readClassNames(metaPath, budget) : undefined;
  return {
    name: datasetName(basename(dir), 'cifar10', train.count, test.count),
    shape: [...CIFAR10_SHAPE], classes: CIFAR10_CLASSES, ...(classNames ? { classNames } : {}), train, test,
  };
}

async function readClassNames(path: string, budget: DataBudget): Promise<string[]> {
  budget.reserve((await statFile(path)).size, path, 'the class names');
  return parseCifar10ClassNames(await readFile(path, 'utf8'), path);
}

/** Reads batch files one after another, in chunks, straight into one preallocated split. */
async function readCifar10Batches(paths: string[], budget: DataBudget): Promise<Split> {
  const counts: number[] = [];
  for (const path of paths) {
    const size = (await statFile(path)).size;
    counts.push(cifar10RecordCount(size, path));
    budget.reserve(size, path, 'the batch');
  }
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
  return { count: total, images, labels, labelFiles: paths.map((name, f) => ({ name, count: counts[f] })) };
}

// ── LIBSVM files ────────────────────────────────────────────────────────────────────────────────

async function loadLibsvmFiles(trainPath: string, testPath: string | undefined, seed: number, budget: DataBudget): Promise<Dataset> {
  const train = await readLibsvmFile(trainPath, budget);
  const test = testPath === undefined ? undefined : await readLibsvmFile(testPath, budget);
  const parts = test ? [train, test] : [train];
  // The dense arrays libsvmDataset will allocate: float32 features and a label byte per example.
  const features = Math.max(...parts.map((p) => p.maxFeature));
  for (const part of parts) budget.reserve(part.count * (4 * features + 1), part.name, 'holding its examples densely');
  return libsvmDataset(train, test, basename(trainPath), seed);
}

/** Streams a LIBSVM file (gunzipping it when it starts with the gzip magic number) through the parser. */
async function readLibsvmFile(path: string, budget: DataBudget): Promise<LibsvmSparse> {
  const reader = new LibsvmReader(path);
  await streamText(path, budget, (text) => reader.push(text));
  return reader.finish();
}

// ── files and folders ───────────────────────────────────────────────────────────────────────────

async function readNamedIdx(path: string, budget: DataBudget): Promise<NamedBytes> {
  return { name: path, bytes: await readIdxFile(path, budget) };
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
