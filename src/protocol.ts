// Every message between the extension host and the training panel's webview, defined once and
// imported by both sides. Each message is a discriminated union member (`type`); each side validates
// what it receives with `parseHostMessage` / `parseWebviewMessage` and drops (and logs) anything
// malformed instead of acting on it. Schemas (valibot) and TypeScript types come from the same
// definition, so they cannot drift apart.
//
// Big arrays (the data set, checkpoint tensors) travel as typed arrays: VS Code moves ArrayBuffers
// and typed-array views between the extension host and a webview without JSON-encoding them.
//
// Pure: no Node, no DOM, no vscode. Runs in the extension host, the webview and unit tests.

import * as v from 'valibot';
import type { ModelSpec } from './lang/spec';

// ── parsing and errors ─────────────────────────────────────────────────────────────────────────

/** A message that failed validation; `path` locates the bad value, e.g. `message.state.tensors[2].shape`. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(readonly path: string, problem: string) {
    super(`${path}: ${problem}`);
  }
}

/** Returns `value` typed by `schema`, or throws a ProtocolError for the first problem, its path rooted at `root`. */
export function parse<S extends v.GenericSchema>(schema: S, value: unknown, root = 'message'): v.InferOutput<S> {
  const result = v.safeParse(schema, value, { abortEarly: true });
  if (result.success) return result.output;
  throw protocolError(result.issues[0], root);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === 'string') return value.length > 40 ? 'a long string' : JSON.stringify(value);
  if (typeof value === 'number') return String(value);
  return typeof value === 'object' ? 'an object' : typeof value;
}

/** valibot's `expects` ("(Uint8Array | Float32Array)", "\"sgd\" | \"adam\"") in words. */
function expectation(expects: string | null): string {
  const options = (expects ?? 'unknown').replace(/^\((.*)\)$/, '$1').split(' | ');
  if (options.length > 1 && options.every((o) => /^["\d-]/.test(o))) return `one of ${options.join(', ')}`;
  const words = options.map((o) => (o === 'Object' ? 'an object' : o === 'Array' ? 'an array' : /^(null|NaN|never|unknown)$|^[^a-zA-Z]/.test(o) ? o : `a ${o}`));
  return words.join(' or ');
}

// Worded like the rest of ConvLab's messages rather than valibot's defaults ("Invalid type: Expected …").
function protocolError(issue: v.BaseIssue<unknown>, root: string): ProtocolError {
  let path = root;
  for (const item of issue.path ?? []) path += typeof item.key === 'number' ? `[${item.key}]` : `.${String(item.key)}`;
  // An absent field: valibot reports the key, not the field's schema, so there is no type to name.
  if (issue.path?.at(-1)?.origin === 'key') return new ProtocolError(path, 'missing');
  const got = describe(issue.input);
  const req = issue.requirement as number;
  switch (issue.type) {
    // A variant's issue has no path when the value is not an object: report it where `type` should be.
    case 'variant': return issue.path ? new ProtocolError(path, `expected ${expectation(issue.expected)}, got ${got}`)
      : new ProtocolError(`${path}.type`, `expected an object with a type, got ${got}`);
    case 'safe_integer': return new ProtocolError(path, `expected an integer, got ${got}`);
    case 'finite': return new ProtocolError(path, `expected a finite number, got ${got}`);
    case 'min_value': return new ProtocolError(path, `expected a number ≥ ${req}, got ${got}`);
    case 'max_value': return new ProtocolError(path, `expected a number ≤ ${req}, got ${got}`);
    case 'gt_value': return new ProtocolError(path, `expected a number > ${req}, got ${got}`);
    case 'length': return new ProtocolError(path, `expected an array of ${req}, got ${got}`);
    case 'max_length': return new ProtocolError(path, typeof issue.input === 'string' ? `string longer than ${req} characters`
      : Array.isArray(issue.input) ? `more than ${req} items` : `more than ${req} values`);
    case 'custom': return new ProtocolError(path, issue.message);
    default: return new ProtocolError(path, issue.kind === 'schema' ? `expected ${expectation(issue.expected)}, got ${got}` : issue.message);
  }
}

/** Parses without throwing: the message, or the reason it was rejected (for the log). */
export function tryParse<T>(parse: (value: unknown) => T, value: unknown): { ok: true; message: T } | { ok: false; error: string } {
  try {
    return { ok: true, message: parse(value) };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

// ── bounded building blocks (every string, array and number on the wire has limits) ────────────

export const str = (maxLength: number) => v.pipe(v.string(), v.maxLength(maxLength));
/** A safe integer in [min, max]; non-negative unless said otherwise. */
export const int = (min = 0, max = Number.MAX_SAFE_INTEGER) => v.pipe(v.number(), v.safeInteger(), v.minValue(min), v.maxValue(max));
/** A finite number in [min, max]. */
export const num = (min: number, max = Number.MAX_VALUE) => v.pipe(v.number(), v.finite(), v.minValue(min), v.maxValue(max));
/** Any number including NaN and ±Infinity (losses can diverge); valibot's number() alone rejects NaN. */
export const anyNumber = v.union([v.number(), v.nan()]);
export const learningRate = v.pipe(v.number(), v.finite(), v.gtValue(0), v.maxValue(1e6));
export const list = <S extends v.GenericSchema>(item: S, maxLength: number) => v.pipe(v.array(item), v.maxLength(maxLength));
/** Exactly items.length items; checking the length first reports a short array at the array, not at a missing item. */
export const tuple = <const T extends v.TupleItems>(items: T) => v.pipe(v.array(v.unknown()), v.length(items.length), v.strictTuple(items));
// Typed as views of any buffer (what the engine uses); v.instance(Float32Array) alone infers Float32Array<ArrayBuffer>.
const F32: new (length: number) => Float32Array = Float32Array;
const U8: new (length: number) => Uint8Array = Uint8Array;
export const float32Array = (maxLength = 1 << 28) => v.pipe(v.instance(F32), v.maxLength(maxLength));
/** An object checked by the receiver's own code (e.g. a ModelSpec, which the engine validates in depth). */
export const opaqueObject = <T>(what: string) => v.custom<T>(
  (x) => typeof x === 'object' && x !== null && !Array.isArray(x),
  (issue) => `expected ${what}, got ${describe(issue.input)}`,
);
/** A discriminated-union member: `{ type, ...fields }`. */
export const message = <const T extends string, const F extends v.ObjectEntries>(type: T, fields: F) =>
  v.object({ type: v.literal(type), ...fields });

// ── shared payloads ────────────────────────────────────────────────────────────────────────────

const size = int(1, 1 << 16);

/** One split of a data set: `count` examples of C·H·W values, and their labels. */
export const splitSchema = v.object({
  count: int(0, 1 << 26),
  images: v.union([v.instance(U8), v.instance(F32)]),
  labels: v.instance(U8),
});

/** The data set as the engine's `Dataset` (checked for consistent sizes, see parseHostMessage). */
export const datasetSchema = v.object({
  name: str(500),
  description: str(2000),
  shape: tuple([size, size, size]),
  classes: int(2, 1 << 16),
  classNames: list(str(200), 1 << 16),
  train: splitSchema,
  test: splitSchema,
});
export type DatasetPayload = v.InferOutput<typeof datasetSchema>;

/** A layer as the panel lists it: `conv 6 kernel=5` → 6×28×28. */
export const layerSummarySchema = v.object({
  index: int(),
  kind: str(40),
  /** The statement as written, e.g. "conv 6 kernel=5 pad=2". */
  text: str(500),
  output: v.nullable(list(int(), 4)),
  params: int(),
});
export type LayerSummary = v.InferOutput<typeof layerSummarySchema>;

export const modelSchema = v.object({
  /** File name without extension, e.g. "lenet5". */
  name: str(500),
  /** Full path (or URI for unsaved files), shown in the panel. */
  path: str(4000),
  /** The model document's URI (string form), kept in the panel's saved state for restoring it. */
  uri: str(8000),
  /** The `.cnn` text the spec was analysed from (stored in checkpoints). */
  text: str(1_000_000),
  spec: opaqueObject<ModelSpec>('a model spec'),
  layers: list(layerSummarySchema, 10_000),
  totalParams: int(),
});
export type ModelPayload = v.InferOutput<typeof modelSchema>;

/** One named tensor of a checkpoint or trainer state. */
export const tensorSchema = v.object({
  name: str(500),
  shape: list(int(0, 1 << 30), 8),
  data: float32Array(),
});
export type TensorPayload = v.InferOutput<typeof tensorSchema>;

/** Settings of a run (the model's `train` statement, with the panel's overrides). */
export const runSettingsSchema = v.object({
  epochs: int(1, 100_000),
  batch: int(1, 65_536),
  lr: learningRate,
  optimizer: v.picklist(['sgd', 'adam', 'newton']),
  momentum: num(0, 1),
  decay: num(0, 1e9),
  weightDecay: num(0, 1e9),
  seed: int(-(2 ** 31), 2 ** 32),
});
export type RunSettings = v.InferOutput<typeof runSettingsSchema>;

/** Everything needed to continue a run: the trainer's full state plus how it was made. */
export const trainingStateSchema = v.object({
  tensors: list(tensorSchema, 100_000),
  epoch: int(),
  step: int(),
  backend: v.picklist(['cpu', 'webgpu']),
  settings: runSettingsSchema,
});
export type TrainingStatePayload = v.InferOutput<typeof trainingStateSchema>;

export const runSummarySchema = v.object({
  reason: v.picklist(['completed', 'stopped']),
  epochs: int(),
  globalStep: int(),
  seconds: num(0),
  /** Last completed epoch's mean training loss and accuracy, test accuracy (null before any epoch). */
  loss: v.nullable(anyNumber),
  trainAccuracy: v.nullable(num(0, 1)),
  testAccuracy: v.nullable(num(0, 1)),
  backend: str(500),
});
export type RunSummary = v.InferOutput<typeof runSummarySchema>;

export const gradCheckRowSchema = v.object({
  name: str(500),
  shape: list(int(), 8),
  checked: int(),
  skipped: int(),
  total: int(),
  maxRelativeError: anyNumber,
  analytic: anyNumber,
  numeric: anyNumber,
  /** max|g − g_ref| / max|g_ref| against the f64 CPU's analytic gradients; null without a reference. */
  referenceError: v.nullable(anyNumber),
  passed: v.boolean(),
});
export const gradCheckSummarySchema = v.object({
  backend: str(500),
  precision: v.picklist(['f32', 'f64']),
  tolerance: num(0),
  epsilon: num(0),
  passed: v.boolean(),
  seconds: num(0),
  /** The reference backend the analytic gradients were compared with (f32 backends), else null. */
  reference: v.nullable(str(500)),
  tensors: list(gradCheckRowSchema, 100_000),
});
export type GradCheckSummary = v.InferOutput<typeof gradCheckSummarySchema>;

export const BACKEND_CHOICES = ['auto', 'webgpu', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
export const TRAINING_STATES = ['idle', 'loading', 'running', 'paused', 'done', 'failed'] as const;
export type TrainingStatus = (typeof TRAINING_STATES)[number];

// ── host → webview ─────────────────────────────────────────────────────────────────────────────

export const hostMessageSchema = v.variant('type', [
  /** The model and its data set; sent after `ready` and whenever the model is (re)loaded while idle. */
  message('init', {
    model: modelSchema,
    dataset: datasetSchema,
    /** Where "Save checkpoint" writes by default: `<model>.ckpt.safetensors` beside the model. */
    checkpointPath: str(4000),
  }),
  /** A checkpoint the person picked for "Resume from checkpoint". */
  message('checkpoint', {
    path: str(4000),
    epoch: int(),
    step: int(),
    tensors: list(tensorSchema, 100_000),
    /** Set when the checkpoint was saved from a different model text (the tensors may still fit). */
    modelDiffers: v.boolean(),
  }),
  /** Answer to `saveCheckpoint`. */
  message('checkpointSaved', { requestId: int(), path: str(4000) }),
  /** A host-side failure the panel should show (the host also logged it). */
  message('notice', { level: v.picklist(['info', 'warning', 'error']), message: str(10_000) }),
  /** "Check gradients" was run for this panel's model. */
  message('runGradientCheck', {}),
  /** Start training now (the "Train model" command on an idle panel). */
  message('start', {}),
]);
export type HostMessage = v.InferOutput<typeof hostMessageSchema>;

// ── webview → host ─────────────────────────────────────────────────────────────────────────────

export const webviewMessageSchema = v.variant('type', [
  /** The webview script is running and listening; the host answers with `init`. */
  message('ready', {}),
  message('log', { level: v.picklist(['trace', 'info', 'warn', 'error']), message: str(20_000) }),
  /** Training state changes, so the host knows whether a run is live (re-attach, summaries). */
  message('status', {
    status: v.picklist(TRAINING_STATES),
    backend: v.nullable(v.picklist(['cpu', 'webgpu'])),
    epoch: int(),
    globalStep: int(),
  }),
  /** Write the state as a checkpoint: to the default path, or (choose) where the person picks. */
  message('saveCheckpoint', { requestId: int(), choose: v.boolean(), state: trainingStateSchema }),
  /** "Resume from checkpoint": the host asks for a file and answers with `checkpoint`. */
  message('pickCheckpoint', {}),
  /** A run ended: the host saves `state` as the default checkpoint and shows the summary. */
  message('finished', { summary: runSummarySchema, state: v.nullable(trainingStateSchema) }),
  message('gradientCheckDone', { result: gradCheckSummarySchema }),
  /** Something failed in the webview that the person should hear about. */
  message('error', { message: str(10_000) }),
]);
export type WebviewMessage = v.InferOutput<typeof webviewMessageSchema>;

// ── parsing with the checks a schema cannot express ────────────────────────────────────────────

function checkSplit(split: v.InferOutput<typeof splitSchema>, size: number, classes: number, path: string): void {
  if (split.images.length !== split.count * size) {
    throw new ProtocolError(`${path}.images`, `has ${split.images.length} values, expected ${split.count} × ${size}`);
  }
  if (split.labels.length !== split.count) {
    throw new ProtocolError(`${path}.labels`, `has ${split.labels.length} labels, expected ${split.count}`);
  }
  for (let i = 0; i < split.labels.length; i++) {
    if (split.labels[i] >= classes) throw new ProtocolError(`${path}.labels[${i}]`, `label ${split.labels[i]} ≥ ${classes} classes`);
  }
}

function checkTensors(tensors: readonly TensorPayload[], path: string): void {
  const seen = new Set<string>();
  tensors.forEach((t, i) => {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new ProtocolError(`${path}[${i}].data`, `has ${t.data.length} values, shape [${t.shape.join(', ')}] needs ${n}`);
    if (seen.has(t.name)) throw new ProtocolError(`${path}[${i}].name`, `duplicate tensor ${JSON.stringify(t.name)}`);
    seen.add(t.name);
  });
}

/** Validates a message received by the webview. Throws ProtocolError. */
export function parseHostMessage(value: unknown): HostMessage {
  const m = parse(hostMessageSchema, value);
  if (m.type === 'init') {
    const { shape, classes } = m.dataset;
    const size = shape[0] * shape[1] * shape[2];
    checkSplit(m.dataset.train, size, classes, 'message.dataset.train');
    checkSplit(m.dataset.test, size, classes, 'message.dataset.test');
  } else if (m.type === 'checkpoint') {
    checkTensors(m.tensors, 'message.tensors');
  }
  return m;
}

/** Validates a message received by the extension host. Throws ProtocolError. */
export function parseWebviewMessage(value: unknown): WebviewMessage {
  const m = parse(webviewMessageSchema, value);
  if (m.type === 'saveCheckpoint') checkTensors(m.state.tensors, 'message.state.tensors');
  if (m.type === 'finished' && m.state) checkTensors(m.state.tensors, 'message.state.tensors');
  return m;
}

// ── persisted panel state (webview setState ⇄ WebviewPanelSerializer) ──────────────────────────

export const PANEL_VIEW_TYPE = 'convlab.training';
export const PANEL_STATE_VERSION = 1;

/** The part of the webview's saved state the host reads when VS Code restores the panel. */
export const panelStateHeaderSchema = v.object({
  version: v.literal(PANEL_STATE_VERSION),
  /** URI of the model file (string form). */
  modelUri: str(8000),
});
