// Checkpoints in the safetensors format (https://huggingface.co/docs/safetensors), so Python's
// `safetensors` (and anything else that reads it) can open a ConvLab checkpoint as it is:
//
//   u64 little-endian N | N bytes of UTF-8 JSON header, space-padded | raw little-endian tensor data
//
// header = { "<tensor name>": { "dtype": "F32", "shape": [...], "data_offsets": [begin, end] }, ...,
//            "__metadata__": { string: string } }, offsets relative to the start of the data.
// Names and metadata keys are documented in docs/checkpoints.md; the tensor names themselves come
// from tensor-names.ts, which the layers and optimizer use. Pure: runs in Node and the webview.

import type { DataSpec, OptimizerKind } from '../lang/spec';
import type { BackendName } from './backend';
import { decodeMetrics, decodeResumePoint, encodeMetrics, encodeResumePoint, type CheckpointMetrics, type ResumePoint } from './checkpoint-resume';

export type { CheckpointMetrics, ResumePoint } from './checkpoint-resume';

export const CHECKPOINT_FORMAT = 'convlab-checkpoint/1';

export interface CheckpointTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export interface OptimizerSettings {
  readonly kind: OptimizerKind;
  readonly lr: number;
  readonly momentum: number;
  readonly decay: number;
  readonly weightDecay: number;
  /** Adam's moment decay rates and ε, when the optimizer uses them. */
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
}

export interface CheckpointMetadata {
  /** The `.cnn` text the weights belong to; `layers.<i>` indexes its spec.layers. */
  readonly modelText: string;
  readonly seed: number;
  /** Epochs completed. */
  readonly epoch: number;
  /** Optimizer steps taken (Adam's t, the decay schedule's t). */
  readonly step: number;
  readonly optimizer: OptimizerSettings;
  readonly backend: BackendName;
  /** ISO 8601 time the checkpoint was made. */
  readonly created: string;
  readonly data: DataSpec;
  /** What an exact mid-epoch continuation needs; absent in older checkpoints. */
  readonly resume?: ResumePoint;
  /** The run's latest figures, for checkpoint lists. */
  readonly metrics?: CheckpointMetrics;
}

export interface Checkpoint {
  /** Weights (`layers.0.weight`) and optimizer state (`optim.layers.0.weight.momentum`), in file order. */
  readonly tensors: ReadonlyMap<string, CheckpointTensor>;
  readonly metadata: CheckpointMetadata;
}

/** A checkpoint that cannot be written or read. The message names the source and the problem. */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
  readonly source: string;
  constructor(source: string, problem: string, options?: { cause?: unknown }) {
    super(`${source}: ${problem}`, options);
    this.source = source;
  }
}

// ── encoding ────────────────────────────────────────────────────────────────────────────────────

const METADATA_KEY = '__metadata__';
/** Python's safetensors refuses headers above 100 MB; so do we, before allocating anything. */
export const MAX_HEADER_BYTES = 100_000_000;
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

interface TensorEntry { dtype: string; shape: number[]; data_offsets: [number, number] }

function elementCount(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/** Serialises a checkpoint; the same checkpoint always gives the same bytes. */
export function encodeCheckpoint(c: Checkpoint): Uint8Array {
  const header: Record<string, TensorEntry | Record<string, string>> = { [METADATA_KEY]: encodeMetadata(c.metadata) };
  let offset = 0;
  for (const [name, t] of c.tensors) {
    if (name.length === 0 || name === METADATA_KEY) throw new CheckpointError('checkpoint', `invalid tensor name ${JSON.stringify(name)}`);
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new CheckpointError('checkpoint', `tensor ${name} has an invalid shape [${t.shape.join(', ')}]`);
    }
    if (elementCount(t.shape) !== t.data.length) {
      throw new CheckpointError('checkpoint', `tensor ${name} has shape [${t.shape.join(', ')}] ` +
        `(${elementCount(t.shape)} values) but ${t.data.length} values`);
    }
    header[name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  // Pad with spaces so the data starts 8-byte aligned, as the safetensors writers do.
  const headerBytes = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerBytes + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerBytes, true);
  view.setUint32(4, Math.floor(headerBytes / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerBytes);
  let at = 8 + headerBytes;
  for (const t of c.tensors.values()) {
    writeF32LE(view, at, t.data);
    at += t.data.byteLength;
  }
  return out;
}

function writeF32LE(view: DataView, at: number, data: Float32Array): void {
  if (LITTLE_ENDIAN_HOST) {
    new Uint8Array(view.buffer, at, data.byteLength).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  } else {
    for (let i = 0; i < data.length; i++) view.setFloat32(at + 4 * i, data[i], true);
  }
}

function encodeMetadata(m: CheckpointMetadata): Record<string, string> {
  const ints = { seed: m.seed, epoch: m.epoch, step: m.step };
  for (const [key, value] of Object.entries(ints)) {
    if (!Number.isSafeInteger(value) || (key !== 'seed' && value < 0)) {
      throw new CheckpointError('checkpoint', `metadata ${key} must be ${key === 'seed' ? 'an integer' : 'a whole number ≥ 0'}, got ${value}`);
    }
  }
  for (const [key, value] of Object.entries(m.optimizer)) {
    if (key !== 'kind' && !Number.isFinite(value)) {
      throw new CheckpointError('checkpoint', `optimizer setting ${key} must be a finite number, got ${value}`);
    }
  }
  return {
    format: CHECKPOINT_FORMAT,
    model: m.modelText,
    seed: String(m.seed),
    epoch: String(m.epoch),
    step: String(m.step),
    optimizer: JSON.stringify(m.optimizer),
    backend: m.backend,
    created: m.created,
    data: JSON.stringify(m.data),
    ...(m.resume ? { resume: encodeResumePoint(m.resume, (p) => { throw new CheckpointError('checkpoint', p); }) } : {}),
    ...(m.metrics ? { metrics: encodeMetrics(m.metrics) } : {}),
  };
}

// ── decoding ────────────────────────────────────────────────────────────────────────────────────

/** Parses and validates a checkpoint; every problem is a CheckpointError naming `sourceName`. */
export function decodeCheckpoint(bytes: Uint8Array, sourceName: string): Checkpoint {
  const fail = (problem: string): never => { throw new CheckpointError(sourceName, problem); };
  const { header, headerBytes } = decodeHeader(bytes, fail);
  const metadata = decodeMetadata(header[METADATA_KEY], fail);
  const dataBytes = bytes.length - 8 - headerBytes;
  const entries = Object.entries(header).filter(([name]) => name !== METADATA_KEY)
    .map(([name, entry]) => ({ name, ...checkEntry(name, entry, dataBytes, fail) }));
  // The data must be covered exactly: no gaps, no overlaps, nothing after the last tensor.
  const byOffset = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const e of byOffset) {
    if (e.begin < expected) fail(`tensor ${e.name} (bytes ${e.begin}–${e.end}) overlaps the tensor before it, which ends at ${expected}`);
    if (e.begin > expected) fail(`${e.begin - expected} unused bytes before tensor ${e.name} (at ${expected}–${e.begin}); tensors must be contiguous`);
    expected = e.end;
  }
  if (expected !== dataBytes) fail(`${dataBytes - expected} bytes after the last tensor (data is ${dataBytes} bytes, tensors cover ${expected})`);

  const dataStart = bytes.byteOffset + 8 + headerBytes;
  const tensors = new Map<string, CheckpointTensor>();
  for (const e of entries) tensors.set(e.name, { shape: e.shape, data: readF32LE(bytes.buffer, dataStart + e.begin, e.end - e.begin) });
  return { tensors, metadata };
}

/** The metadata alone, from the file's first bytes (at least the header); the tensor data is not checked. */
export function decodeCheckpointMetadata(prefix: Uint8Array, sourceName: string): CheckpointMetadata {
  const fail = (problem: string): never => { throw new CheckpointError(sourceName, problem); };
  return decodeMetadata(decodeHeader(prefix, fail).header[METADATA_KEY], fail);
}

/** Bytes a header of this file needs, from its first 8 bytes: 8 + the header length. */
export function headerEnd(first8: Uint8Array, sourceName: string): number {
  return 8 + headerLength(first8, (problem) => { throw new CheckpointError(sourceName, problem); });
}

function headerLength(bytes: Uint8Array, fail: (p: string) => never): number {
  if (bytes.length < 8) fail(`truncated: expected at least 8 bytes (the header length), got ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerBytes = view.getUint32(4, true) * 2 ** 32 + view.getUint32(0, true);
  if (headerBytes < 2 || headerBytes > MAX_HEADER_BYTES) {
    fail(`header length ${headerBytes} is out of bounds (2 to ${MAX_HEADER_BYTES} bytes); not a safetensors file?`);
  }
  return headerBytes;
}

function decodeHeader(bytes: Uint8Array, fail: (p: string) => never): { header: Record<string, unknown>; headerBytes: number } {
  const headerBytes = headerLength(bytes, fail);
  if (8 + headerBytes > bytes.length) {
    fail(`truncated: the header length says ${headerBytes} bytes, but only ${bytes.length - 8} follow`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerBytes));
  } catch {
    return fail('the header is not valid UTF-8');
  }
  if (!text.startsWith('{')) fail(`the header does not start with "{": not a safetensors file?`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    return fail(`the header is not valid JSON (${(e as Error).message})`);
  }
  if (!isPlainObject(header)) return fail('the header is not a JSON object');
  return { header, headerBytes };
}

function checkEntry(name: string, entry: unknown, dataBytes: number, fail: (p: string) => never) {
  if (!isPlainObject(entry)) return fail(`tensor ${name}: entry is not an object`);
  const { dtype, shape, data_offsets: offsets } = entry;
  if (dtype !== 'F32') fail(`tensor ${name} has dtype ${JSON.stringify(dtype)}; ConvLab checkpoints hold F32 only`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    return fail(`tensor ${name} has an invalid shape ${JSON.stringify(shape)} (expected an array of whole numbers)`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    return fail(`tensor ${name} has invalid data_offsets ${JSON.stringify(offsets)} (expected [begin, end])`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin || end > dataBytes) fail(`tensor ${name} has data_offsets [${begin}, ${end}] outside the ${dataBytes} data bytes`);
  const need = elementCount(shape) * 4;
  if (end - begin !== need) {
    fail(`tensor ${name} has shape [${shape.join(', ')}], which needs ${need} bytes, but data_offsets [${begin}, ${end}] span ${end - begin}`);
  }
  return { shape: shape as number[], begin, end };
}

function readF32LE(buffer: ArrayBufferLike, at: number, byteLength: number): Float32Array {
  const out = new Float32Array(byteLength / 4);
  if (LITTLE_ENDIAN_HOST) {
    new Uint8Array(out.buffer).set(new Uint8Array(buffer, at, byteLength));
  } else {
    const view = new DataView(buffer, at, byteLength);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
  }
  return out;
}

const OPTIMIZERS: readonly OptimizerKind[] = ['sgd', 'adam', 'newton'];
const BACKENDS: readonly BackendName[] = ['cpu', 'webgpu'];

function decodeMetadata(raw: unknown, fail: (p: string) => never): CheckpointMetadata {
  if (raw === undefined) return fail(`not a ConvLab checkpoint: the header has no __metadata__ (expected format "${CHECKPOINT_FORMAT}")`);
  if (!isPlainObject(raw)) return fail('__metadata__ is not a JSON object');
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'string') fail(`__metadata__.${key} is not a string (safetensors metadata maps strings to strings)`);
  }
  const m = raw as Record<string, string>;
  if (m.format !== CHECKPOINT_FORMAT) {
    fail(m.format === undefined
      ? `not a ConvLab checkpoint: __metadata__ has no format (expected "${CHECKPOINT_FORMAT}")`
      : `unsupported format "${m.format}": this version of ConvLab reads "${CHECKPOINT_FORMAT}"`);
  }
  const field = (key: string): string => m[key] ?? fail(`__metadata__ has no ${key}`);
  const whole = (key: string, allowNegative = false): number => {
    const text = field(key);
    const value = Number(text);
    if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(value) || (!allowNegative && value < 0)) {
      fail(`__metadata__.${key} is ${JSON.stringify(text)}, expected a whole number`);
    }
    return value;
  };
  const json = (key: string): unknown => {
    try {
      return JSON.parse(field(key));
    } catch {
      return fail(`__metadata__.${key} is not valid JSON`);
    }
  };
  const backend = field('backend');
  if (!BACKENDS.includes(backend as BackendName)) fail(`__metadata__.backend is "${backend}", expected one of ${BACKENDS.join(', ')}`);
  const created = field('created');
  if (Number.isNaN(Date.parse(created))) fail(`__metadata__.created is "${created}", expected an ISO 8601 time`);
  const resume = decodeResumePoint(m.resume, fail), metrics = decodeMetrics(m.metrics, fail);
  return {
    modelText: field('model'),
    seed: whole('seed', true),
    epoch: whole('epoch'),
    step: whole('step'),
    optimizer: checkOptimizer(json('optimizer'), fail),
    backend: backend as BackendName,
    created,
    data: checkDataSpec(json('data'), fail),
    ...(resume ? { resume } : {}),
    ...(metrics ? { metrics } : {}),
  };
}

function checkOptimizer(o: unknown, fail: (p: string) => never): OptimizerSettings {
  if (!isPlainObject(o)) return fail('__metadata__.optimizer is not a JSON object');
  if (!OPTIMIZERS.includes(o.kind as OptimizerKind)) {
    fail(`__metadata__.optimizer.kind is ${JSON.stringify(o.kind)}, expected one of ${OPTIMIZERS.join(', ')}`);
  }
  const settings: Record<string, unknown> = { kind: o.kind };
  const required = ['lr', 'momentum', 'decay', 'weightDecay'], optional = ['beta1', 'beta2', 'epsilon'];
  for (const key of [...required, ...optional]) {
    if (o[key] === undefined && optional.includes(key)) continue;
    if (typeof o[key] !== 'number' || !Number.isFinite(o[key])) {
      fail(`__metadata__.optimizer.${key} is ${JSON.stringify(o[key])}, expected a finite number`);
    }
    settings[key] = o[key];
  }
  return settings as unknown as OptimizerSettings;
}

function checkDataSpec(d: unknown, fail: (p: string) => never): DataSpec {
  const ok = isPlainObject(d) && (
    d.kind === 'mnist' ||
    ((d.kind === 'idx' || d.kind === 'cifar10') && typeof d.dir === 'string') ||
    ((d.kind === 'libsvm' || d.kind === 'mat') && typeof d.train === 'string' && (d.test === undefined || typeof d.test === 'string') &&
      (d.kind === 'libsvm' || d.shape === undefined || isExampleShape(d.shape))));
  if (!ok) return fail(`__metadata__.data is ${JSON.stringify(d)}, not a data spec (mnist, idx, cifar10, libsvm or mat)`);
  switch (d.kind) {
    case 'idx': case 'cifar10': return { kind: d.kind, dir: d.dir as string };
    case 'libsvm': return d.test === undefined ? { kind: 'libsvm', train: d.train as string }
      : { kind: 'libsvm', train: d.train as string, test: d.test as string };
    case 'mat': return {
      kind: 'mat', train: d.train as string, ...(d.test === undefined ? {} : { test: d.test as string }),
      ...(d.shape === undefined ? {} : { shape: d.shape as [number, number, number] }),
    };
    default: return { kind: 'mnist' };
  }
}

function isExampleShape(v: unknown): boolean {
  return Array.isArray(v) && v.length === 3 && v.every((x) => Number.isInteger(x) && x > 0);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
