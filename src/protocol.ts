// Every message between the extension host and the training panel's webview, defined once and
// imported by both sides. Each message is a discriminated union member (`type`); each side validates
// what it receives with `parseHostMessage` / `parseWebviewMessage` and drops (and logs) anything
// malformed instead of acting on it. Schemas and TypeScript types come from the same definition, so
// they cannot drift apart.
//
// Big arrays (the data set, checkpoint tensors) travel as typed arrays: VS Code moves ArrayBuffers
// and typed-array views between the extension host and a webview without JSON-encoding them.
//
// Pure: no Node, no DOM, no vscode. Runs in the extension host, the webview and unit tests.

import type { ModelSpec } from './lang/spec';

// ── schema combinators ─────────────────────────────────────────────────────────────────────────

/** A message that failed validation; `path` locates the bad value, e.g. `message.state.tensors[2].shape`. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  constructor(readonly path: string, problem: string) {
    super(`${path}: ${problem}`);
  }
}

export interface Schema<T> {
  /** Returns `value` typed as T, or throws ProtocolError naming where it is wrong. */
  parse(value: unknown, path?: string): T;
  /** What the schema accepts, for error messages. */
  readonly expected: string;
}
export type Infer<S> = S extends Schema<infer T> ? T : never;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === 'string') return value.length > 40 ? 'a long string' : JSON.stringify(value);
  if (typeof value === 'number') return String(value);
  return typeof value === 'object' ? 'an object' : typeof value;
}

function schema<T>(expected: string, check: (value: unknown, path: string) => T): Schema<T> {
  return { expected, parse: (value, path = 'message') => check(value, path) };
}

function fail(path: string, expected: string, value: unknown): never {
  throw new ProtocolError(path, `expected ${expected}, got ${describe(value)}`);
}

export const v = {
  string(maxLength = 1_000_000): Schema<string> {
    return schema('a string', (x, p) => {
      if (typeof x !== 'string') fail(p, 'a string', x);
      if (x.length > maxLength) throw new ProtocolError(p, `string longer than ${maxLength} characters`);
      return x;
    });
  },
  /** A finite number within [min, max]. */
  number(min = -Infinity, max = Infinity): Schema<number> {
    const expected = Number.isFinite(min) || Number.isFinite(max) ? `a number in [${min}, ${max}]` : 'a finite number';
    return schema(expected, (x, p) => (typeof x === 'number' && Number.isFinite(x) && x >= min && x <= max ? x : fail(p, expected, x)));
  },
  /** A finite number, or NaN/±Infinity (losses can diverge). */
  anyNumber(): Schema<number> {
    return schema('a number', (x, p) => (typeof x === 'number' ? x : fail(p, 'a number', x)));
  },
  integer(min = 0, max = Number.MAX_SAFE_INTEGER): Schema<number> {
    const expected = `an integer in [${min}, ${max}]`;
    return schema(expected, (x, p) => (Number.isSafeInteger(x) && (x as number) >= min && (x as number) <= max ? (x as number) : fail(p, expected, x)));
  },
  boolean(): Schema<boolean> {
    return schema('a boolean', (x, p) => (typeof x === 'boolean' ? x : fail(p, 'a boolean', x)));
  },
  literal<const L extends string | number | boolean>(literal: L): Schema<L> {
    const expected = JSON.stringify(literal);
    return schema(expected, (x, p) => (x === literal ? literal : fail(p, expected, x)));
  },
  oneOf<const L extends string>(values: readonly L[]): Schema<L> {
    const expected = `one of ${values.map((s) => JSON.stringify(s)).join(', ')}`;
    return schema(expected, (x, p) => ((values as readonly unknown[]).includes(x) ? (x as L) : fail(p, expected, x)));
  },
  array<T>(item: Schema<T>, maxLength = 1_000_000): Schema<T[]> {
    return schema(`an array of ${item.expected}`, (x, p) => {
      if (!Array.isArray(x)) fail(p, 'an array', x);
      if (x.length > maxLength) throw new ProtocolError(p, `more than ${maxLength} items`);
      return x.map((e, i) => item.parse(e, `${p}[${i}]`));
    });
  },
  tuple<const S extends readonly Schema<unknown>[]>(...items: S): Schema<{ -readonly [K in keyof S]: Infer<S[K]> }> {
    const expected = `an array of ${items.length}`;
    return schema(expected, (x, p) => {
      if (!Array.isArray(x) || x.length !== items.length) fail(p, expected, x);
      return items.map((s, i) => s.parse(x[i], `${p}[${i}]`)) as { -readonly [K in keyof S]: Infer<S[K]> };
    });
  },
  nullable<T>(inner: Schema<T>): Schema<T | null> {
    return schema(`${inner.expected} or null`, (x, p) => (x === null ? null : inner.parse(x, p)));
  },
  /** An object whose fields are all checked; unknown extra fields are dropped. */
  object<const F extends Record<string, Schema<unknown>>>(fields: F): Schema<ObjectOf<F>> {
    return schema('an object', (x, p) => {
      if (typeof x !== 'object' || x === null || Array.isArray(x) || ArrayBuffer.isView(x)) fail(p, 'an object', x);
      const src = x as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(fields)) out[key] = field.parse(src[key], `${p}.${key}`);
      return out as ObjectOf<F>;
    });
  },
  float32Array(maxLength = 1 << 28): Schema<Float32Array> {
    return schema('a Float32Array', (x, p) => {
      if (!(x instanceof Float32Array)) fail(p, 'a Float32Array', x);
      if (x.length > maxLength) throw new ProtocolError(p, `more than ${maxLength} values`);
      return x;
    });
  },
  uint8Array(): Schema<Uint8Array> {
    return schema('a Uint8Array', (x, p) => (x instanceof Uint8Array ? x : fail(p, 'a Uint8Array', x)));
  },
  /** A value checked by the receiver's own code (e.g. a ModelSpec, which the engine validates in depth). */
  opaqueObject<T>(what: string): Schema<T> {
    return schema(what, (x, p) => (typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as T) : fail(p, what, x)));
  },
  /** A union discriminated by `type`. */
  union<const M extends Record<string, Schema<{ type: string }>>>(members: M): Schema<Infer<M[keyof M]>> {
    const names = Object.keys(members);
    return schema(`a message with type ${names.join(' | ')}`, (x, p) => {
      const type = typeof x === 'object' && x !== null ? (x as { type?: unknown }).type : undefined;
      if (typeof type !== 'string' || !Object.hasOwn(members, type)) {
        throw new ProtocolError(`${p}.type`, `expected one of ${names.join(', ')}, got ${describe(type)}`);
      }
      return members[type]!.parse(x, p) as Infer<M[keyof M]>;
    });
  },
};

export type ObjectOf<F extends Record<string, Schema<unknown>>> = { readonly [K in keyof F]: Infer<F[K]> };

/** A union member: `{ type, ...fields }`. */
function message<const T extends string, const F extends Record<string, Schema<unknown>>>(type: T, fields: F): Schema<{ readonly type: T } & ObjectOf<F>> {
  return v.object({ type: v.literal(type), ...fields }) as Schema<{ readonly type: T } & ObjectOf<F>>;
}

// ── shared payloads ────────────────────────────────────────────────────────────────────────────

const size = v.integer(1, 1 << 16);

/** One split of a data set: `count` examples of C·H·W values, and their labels. */
export const splitSchema = v.object({
  count: v.integer(0, 1 << 26),
  images: schema<Uint8Array | Float32Array>('a Uint8Array or Float32Array', (x, p) =>
    (x instanceof Uint8Array || x instanceof Float32Array ? x : fail(p, 'a Uint8Array or Float32Array', x))),
  labels: v.uint8Array(),
});

/** The data set as the engine's `Dataset` (checked for consistent sizes, see parseHostMessage). */
export const datasetSchema = v.object({
  name: v.string(500),
  description: v.string(2000),
  shape: v.tuple(size, size, size),
  classes: v.integer(2, 1 << 16),
  classNames: v.array(v.string(200), 1 << 16),
  train: splitSchema,
  test: splitSchema,
});
export type DatasetPayload = Infer<typeof datasetSchema>;

/** A layer as the panel lists it: `conv 6 kernel=5` → 6×28×28. */
export const layerSummarySchema = v.object({
  index: v.integer(),
  kind: v.string(40),
  /** The statement as written, e.g. "conv 6 kernel=5 pad=2". */
  text: v.string(500),
  output: v.nullable(v.array(v.integer(), 4)),
  params: v.integer(),
});
export type LayerSummary = Infer<typeof layerSummarySchema>;

export const modelSchema = v.object({
  /** File name without extension, e.g. "lenet5". */
  name: v.string(500),
  /** Full path (or URI for unsaved files), shown in the panel. */
  path: v.string(4000),
  /** The model document's URI (string form), kept in the panel's saved state for restoring it. */
  uri: v.string(8000),
  /** The `.cnn` text the spec was analysed from (stored in checkpoints). */
  text: v.string(1_000_000),
  spec: v.opaqueObject<ModelSpec>('a model spec'),
  layers: v.array(layerSummarySchema, 10_000),
  totalParams: v.integer(),
});
export type ModelPayload = Infer<typeof modelSchema>;

/** One named tensor of a checkpoint or trainer state. */
export const tensorSchema = v.object({
  name: v.string(500),
  shape: v.array(v.integer(0, 1 << 30), 8),
  data: v.float32Array(),
});
export type TensorPayload = Infer<typeof tensorSchema>;

/** Settings of a run (the model's `train` statement, with the panel's overrides). */
export const runSettingsSchema = v.object({
  epochs: v.integer(1, 100_000),
  batch: v.integer(1, 65_536),
  lr: v.number(Number.MIN_VALUE, 1e6),
  optimizer: v.oneOf(['sgd', 'adam', 'newton']),
  momentum: v.number(0, 1),
  decay: v.number(0, 1e9),
  weightDecay: v.number(0, 1e9),
  seed: v.integer(-(2 ** 31), 2 ** 32),
});
export type RunSettings = Infer<typeof runSettingsSchema>;

/** Everything needed to continue a run: the trainer's full state plus how it was made. */
export const trainingStateSchema = v.object({
  tensors: v.array(tensorSchema, 100_000),
  epoch: v.integer(),
  step: v.integer(),
  backend: v.oneOf(['cpu', 'webgpu']),
  settings: runSettingsSchema,
});
export type TrainingStatePayload = Infer<typeof trainingStateSchema>;

export const runSummarySchema = v.object({
  reason: v.oneOf(['completed', 'stopped']),
  epochs: v.integer(),
  globalStep: v.integer(),
  seconds: v.number(0),
  /** Last completed epoch's mean training loss and accuracy, test accuracy (null before any epoch). */
  loss: v.nullable(v.anyNumber()),
  trainAccuracy: v.nullable(v.number(0, 1)),
  testAccuracy: v.nullable(v.number(0, 1)),
  backend: v.string(500),
});
export type RunSummary = Infer<typeof runSummarySchema>;

export const gradCheckRowSchema = v.object({
  name: v.string(500),
  shape: v.array(v.integer(), 8),
  checked: v.integer(),
  skipped: v.integer(),
  total: v.integer(),
  maxRelativeError: v.anyNumber(),
  analytic: v.anyNumber(),
  numeric: v.anyNumber(),
  /** max|g − g_ref| / max|g_ref| against the f64 CPU's analytic gradients; null without a reference. */
  referenceError: v.nullable(v.anyNumber()),
  passed: v.boolean(),
});
export const gradCheckSummarySchema = v.object({
  backend: v.string(500),
  precision: v.oneOf(['f32', 'f64']),
  tolerance: v.number(0),
  epsilon: v.number(0),
  passed: v.boolean(),
  seconds: v.number(0),
  /** The reference backend the analytic gradients were compared with (f32 backends), else null. */
  reference: v.nullable(v.string(500)),
  tensors: v.array(gradCheckRowSchema, 100_000),
});
export type GradCheckSummary = Infer<typeof gradCheckSummarySchema>;

export const BACKEND_CHOICES = ['auto', 'webgpu', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
export const TRAINING_STATES = ['idle', 'loading', 'running', 'paused', 'done', 'failed'] as const;
export type TrainingStatus = (typeof TRAINING_STATES)[number];

// ── host → webview ─────────────────────────────────────────────────────────────────────────────

export const hostMessageSchema = v.union({
  /** The model and its data set; sent after `ready` and whenever the model is (re)loaded while idle. */
  init: message('init', {
    model: modelSchema,
    dataset: datasetSchema,
    /** Where "Save checkpoint" writes by default: `<model>.ckpt.safetensors` beside the model. */
    checkpointPath: v.string(4000),
  }),
  /** A checkpoint the person picked for "Resume from checkpoint". */
  checkpoint: message('checkpoint', {
    path: v.string(4000),
    epoch: v.integer(),
    step: v.integer(),
    tensors: v.array(tensorSchema, 100_000),
    /** Set when the checkpoint was saved from a different model text (the tensors may still fit). */
    modelDiffers: v.boolean(),
  }),
  /** Answer to `saveCheckpoint`. */
  checkpointSaved: message('checkpointSaved', { requestId: v.integer(), path: v.string(4000) }),
  /** A host-side failure the panel should show (the host also logged it). */
  notice: message('notice', { level: v.oneOf(['info', 'warning', 'error']), message: v.string(10_000) }),
  /** "Check gradients" was run for this panel's model. */
  runGradientCheck: message('runGradientCheck', {}),
  /** Start training now (the "Train model" command on an idle panel). */
  start: message('start', {}),
});
export type HostMessage = Infer<typeof hostMessageSchema>;

// ── webview → host ─────────────────────────────────────────────────────────────────────────────

export const webviewMessageSchema = v.union({
  /** The webview script is running and listening; the host answers with `init`. */
  ready: message('ready', {}),
  log: message('log', { level: v.oneOf(['trace', 'info', 'warn', 'error']), message: v.string(20_000) }),
  /** Training state changes, so the host knows whether a run is live (re-attach, summaries). */
  status: message('status', {
    status: v.oneOf(TRAINING_STATES),
    backend: v.nullable(v.oneOf(['cpu', 'webgpu'])),
    epoch: v.integer(),
    globalStep: v.integer(),
  }),
  /** Write the state as a checkpoint: to the default path, or (choose) where the person picks. */
  saveCheckpoint: message('saveCheckpoint', { requestId: v.integer(), choose: v.boolean(), state: trainingStateSchema }),
  /** "Resume from checkpoint": the host asks for a file and answers with `checkpoint`. */
  pickCheckpoint: message('pickCheckpoint', {}),
  /** A run ended: the host saves `state` as the default checkpoint and shows the summary. */
  finished: message('finished', { summary: runSummarySchema, state: v.nullable(trainingStateSchema) }),
  gradientCheckDone: message('gradientCheckDone', { result: gradCheckSummarySchema }),
  /** Something failed in the webview that the person should hear about. */
  error: message('error', { message: v.string(10_000) }),
});
export type WebviewMessage = Infer<typeof webviewMessageSchema>;

// ── parsing with the checks a schema cannot express ────────────────────────────────────────────

function checkSplit(split: Infer<typeof splitSchema>, size: number, classes: number, path: string): void {
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
  const m = hostMessageSchema.parse(value);
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
  const m = webviewMessageSchema.parse(value);
  if (m.type === 'saveCheckpoint') checkTensors(m.state.tensors, 'message.state.tensors');
  if (m.type === 'finished' && m.state) checkTensors(m.state.tensors, 'message.state.tensors');
  return m;
}

/** Parses without throwing: the message, or the reason it was rejected (for the log). */
export function tryParse<T>(parse: (value: unknown) => T, value: unknown): { ok: true; message: T } | { ok: false; error: string } {
  try {
    return { ok: true, message: parse(value) };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

// ── persisted panel state (webview setState ⇄ WebviewPanelSerializer) ──────────────────────────

export const PANEL_VIEW_TYPE = 'convlab.training';
export const PANEL_STATE_VERSION = 1;

/** The part of the webview's saved state the host reads when VS Code restores the panel. */
export const panelStateHeaderSchema = v.object({
  version: v.literal(PANEL_STATE_VERSION),
  /** URI of the model file (string form). */
  modelUri: v.string(8000),
});
