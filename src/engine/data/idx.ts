// IDX, the MNIST file format (http://yann.lecun.com/exdb/mnist/): a 4-byte magic number
// 0x00 0x00 TYPE RANK, RANK big-endian u32 dimensions, then the elements in row-major order.
// Pure: runs in Node and in the webview. Gzip is the caller's business (the Node layer gunzips).

import type { Dataset, Split } from './dataset';
import { datasetName } from './describe';
import { formatCount } from '../../lang/format';
import { DataError } from './errors';

/** One IDX file: its dimensions and its bytes (a view into the input, not a copy). */
export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

const UNSIGNED_BYTE = 0x08;
const ELEMENT_TYPES: Readonly<Record<number, string>> = {
  0x08: 'unsigned byte', 0x09: 'signed byte', 0x0b: '16-bit integer',
  0x0c: '32-bit integer', 0x0d: '32-bit float', 0x0e: '64-bit float',
};

const hex = (v: number, digits: number): string => '0x' + v.toString(16).padStart(digits, '0');
const dimsText = (dims: readonly number[]): string => dims.map(formatCount).join('×');

function readU32BE(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

/** What an IDX header says: the dimensions, the header's length and the length of the whole file. */
export interface IdxHeader {
  readonly dims: readonly number[];
  readonly headerBytes: number;
  /** Header plus data. A product of up to four u32 can exceed 2^53; it is then far above any real length, which is all it is compared with. */
  readonly fileBytes: number;
}

/** Longest IDX header ConvLab reads (rank 4): enough leading bytes for parseIdxHeader. */
export const IDX_MAX_HEADER_BYTES = 4 + 4 * 4;

/**
 * Parses the header at the start of `bytes` (only its first IDX_MAX_HEADER_BYTES are needed), so a
 * reader can check the sizes it claims before reading or allocating the rest.
 */
export function parseIdxHeader(bytes: Uint8Array, name: string): IdxHeader {
  if (bytes.length < 4) {
    throw new DataError(name, `truncated: expected at least 4 bytes (the IDX magic number), got ${bytes.length}`);
  }
  const magic = readU32BE(bytes, 0);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    throw new DataError(name, `is gzip-compressed (magic ${hex(magic, 8)}); decompress it before parsing as IDX`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DataError(name, `not an IDX file: magic number is ${hex(magic, 8)}, expected 0x000008NN ` +
      '(two zero bytes, type 0x08 = unsigned byte, NN = rank)');
  }
  const type = bytes[2], rank = bytes[3];
  if (type !== UNSIGNED_BYTE) {
    const typeName = ELEMENT_TYPES[type] ?? 'not an IDX type';
    throw new DataError(name, `IDX element type ${hex(type, 2)} (${typeName}) in magic number ${hex(magic, 8)} ` +
      'is not supported: ConvLab reads unsigned bytes (type 0x08)');
  }
  if (rank < 1 || rank > 4) {
    throw new DataError(name, `IDX rank ${rank} (magic number ${hex(magic, 8)}) is not supported: ` +
      'expected 1 (labels), 3 (N×H×W images) or 4 (N×C×H×W images)');
  }
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new DataError(name, `truncated header: a rank-${rank} IDX header is ${headerBytes} bytes, got ${bytes.length}`);
  }
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(readU32BE(bytes, 4 + 4 * i));
  return { dims, headerBytes, fileBytes: headerBytes + dims.reduce((p, d) => p * d, 1) };
}

/** The error for a file of `actual` bytes shorter than its header says. */
export function idxTruncated(header: IdxHeader, actual: number, name: string): DataError {
  return new DataError(name, `truncated: the header describes ${dimsText(header.dims)} bytes of data, so the file should be ` +
    `${formatCount(header.fileBytes)} bytes, got ${formatCount(actual)}`);
}

/** Parses an IDX file of unsigned bytes with rank 1 to 4, checking that its size matches its header exactly. */
export function parseIdx(bytes: Uint8Array, name: string): IdxArray {
  const header = parseIdxHeader(bytes, name);
  if (bytes.length < header.fileBytes) throw idxTruncated(header, bytes.length, name);
  if (bytes.length > header.fileBytes) {
    throw new DataError(name, `${formatCount(bytes.length - header.fileBytes)} unexpected bytes after the ${dimsText(header.dims)} data ` +
      `the header describes (expected ${formatCount(header.fileBytes)} bytes in all, got ${formatCount(bytes.length)})`);
  }
  return { dims: header.dims, data: bytes.subarray(header.headerBytes, header.fileBytes) };
}

/** Images from an IDX array: rank 3 (N×H×W, one channel) or rank 4 (N×C×H×W). */
export function idxImages(idx: IdxArray, name: string): { count: number; shape: [number, number, number]; data: Uint8Array } {
  const { dims } = idx;
  if (dims.length !== 3 && dims.length !== 4) {
    throw new DataError(name, `has rank ${dims.length} (${dimsText(dims)}); image files need rank 3 (N×H×W) or 4 (N×C×H×W)`);
  }
  const shape: [number, number, number] = dims.length === 3 ? [1, dims[1], dims[2]] : [dims[1], dims[2], dims[3]];
  if (shape.some((d) => d === 0)) throw new DataError(name, `images of size ${shape.join('×')} have no pixels`);
  return { count: dims[0], shape, data: idx.data };
}

/** Labels from an IDX array: rank 1. */
export function idxLabels(idx: IdxArray, name: string): Uint8Array {
  if (idx.dims.length !== 1) {
    throw new DataError(name, `has rank ${idx.dims.length} (${dimsText(idx.dims)}); label files need rank 1 (N)`);
  }
  return idx.data;
}

/** The bytes of one file and the name to use for it in messages. */
export interface NamedBytes { readonly name: string; readonly bytes: Uint8Array }

export interface IdxFiles {
  readonly trainImages: NamedBytes; readonly trainLabels: NamedBytes;
  readonly testImages: NamedBytes; readonly testLabels: NamedBytes;
}

/** Parses an image file and its label file into a split whose arrays own their buffers. */
export function idxSplit(images: NamedBytes, labels: NamedBytes): { split: Split; shape: [number, number, number] } {
  const img = idxImages(parseIdx(images.bytes, images.name), images.name);
  const lab = idxLabels(parseIdx(labels.bytes, labels.name), labels.name);
  if (img.count === 0) throw new DataError(images.name, 'contains no images (the header says N = 0)');
  if (lab.length !== img.count) {
    throw new DataError(labels.name, `has ${formatCount(lab.length)} labels but ${images.name} has ${formatCount(img.count)} images`);
  }
  // Copies (not Buffer#slice, which shares memory), so each array owns its buffer and can be
  // transferred to a webview on its own.
  const split: Split = {
    count: img.count, images: new Uint8Array(img.data), labels: new Uint8Array(lab),
    labelFiles: [{ name: labels.name, count: lab.length }],
  };
  return { split, shape: img.shape };
}

/**
 * A data set from the four MNIST-style files, named e.g. "fashion (idx: 60,000 train / 10,000 test)"
 * after `title`. Classes = largest label + 1.
 */
export function idxDataset(files: IdxFiles, title: string): Dataset {
  const train = idxSplit(files.trainImages, files.trainLabels);
  const test = idxSplit(files.testImages, files.testLabels);
  if (train.shape.some((d, i) => d !== test.shape[i])) {
    throw new DataError(files.testImages.name, `has ${test.shape.join('×')} images but ${files.trainImages.name} ` +
      `has ${train.shape.join('×')} (C×H×W); training and test images must have the same size`);
  }
  return {
    name: datasetName(title, 'idx', train.split.count, test.split.count), shape: train.shape, classes: maxLabel(train.split.labels, test.split.labels) + 1,
    train: train.split, test: test.split,
  };
}

function maxLabel(...labelArrays: Uint8Array[]): number {
  let max = 0;
  for (const labels of labelArrays) for (let i = 0; i < labels.length; i++) if (labels[i] > max) max = labels[i];
  return max;
}
