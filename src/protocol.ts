// Every message between the extension host and the training panel's webview, defined once and
// imported by both sides: notifications (a discriminated union on `type`) and requests (constants
// naming their params and result, sent and answered through rpc.ts). Each side validates everything
// it receives against these schemas and drops (and logs) anything malformed instead of acting on it.
// Schemas (valibot) and TypeScript types come from the same definition, so they cannot drift apart.
//
// Big arrays (the data set, checkpoint tensors) travel as typed arrays: VS Code moves ArrayBuffers
// and typed-array views between the extension host and a webview without JSON-encoding them.
//
// Pure: no Node, no DOM, no vscode. Runs in the extension host, the webview and unit tests.

import * as v from 'valibot';
import type { KernelChoiceRecord, TrainerState } from './engine';
import type { ModelSpec } from './lang';
import { requestMessageSchema, requestType, responseMessageSchema, type RequestMessage, type ResponseMessage } from './rpc';
import {
  anyNumber, float32Array, float32s, int, learningRate, list, message, num, opaqueObject, parse, refine, str, tuple, uint8s,
  type Problem,
} from './schema';

// ── shared payloads ────────────────────────────────────────────────────────────────────────────

const size = int(1, 1 << 16);

/** One split of a data set: `count` examples of C·H·W values, and their labels. */
export const splitSchema = v.object({
  count: int(0, 1 << 26),
  images: v.union([uint8s, float32s]),
  labels: uint8s,
});
type Split = v.InferOutput<typeof splitSchema>;

function splitProblem(split: Split, size: number, classes: number, name: string): Problem | null {
  if (split.images.length !== split.count * size) {
    return { path: [name, 'images'], problem: `has ${split.images.length} values, expected ${split.count} × ${size}` };
  }
  if (split.labels.length !== split.count) return { path: [name, 'labels'], problem: `has ${split.labels.length} labels, expected ${split.count}` };
  const bad = split.labels.findIndex((label) => label >= classes);
  return bad < 0 ? null : { path: [name, 'labels', bad], problem: `label ${split.labels[bad]} ≥ ${classes} classes` };
}

/** The data set as the engine's `Dataset`, its arrays checked against its shape and classes. */
export const datasetSchema = v.pipe(
  v.object({
    name: str(500),
    description: str(2000),
    shape: tuple([size, size, size]),
    classes: int(2, 1 << 16),
    classNames: list(str(200), 1 << 16),
    train: splitSchema,
    test: splitSchema,
  }),
  refine((d) => {
    const size = d.shape[0] * d.shape[1] * d.shape[2];
    return splitProblem(d.train, size, d.classes, 'train') ?? splitProblem(d.test, size, d.classes, 'test');
  }),
);
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

/** Named tensors (a checkpoint, a trainer state): each as many values as its shape needs, names unique. */
export const tensorListSchema = v.pipe(
  list(tensorSchema, 100_000),
  refine((tensors) => {
    const seen = new Set<string>();
    for (const [i, t] of tensors.entries()) {
      const n = t.shape.reduce((a, b) => a * b, 1);
      if (n !== t.data.length) return { path: [i, 'data'], problem: `has ${t.data.length} values, shape [${t.shape.join(', ')}] needs ${n}` };
      if (seen.has(t.name)) return { path: [i, 'name'], problem: `duplicate tensor ${JSON.stringify(t.name)}` };
      seen.add(t.name);
    }
    return null;
  }),
);

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

/** The settings a state was trained with: a run's, less the epoch count (a resume may raise it), plus the validation fraction. */
export const savedSettingsSchema = v.object({
  ...v.omit(runSettingsSchema, ['epochs']).entries,
  validation: num(0, 1),
});

const sums = tuple([anyNumber, anyNumber, anyNumber]);

/**
 * What an exact mid-run continuation needs beyond weights and counters (TrainerState's optional
 * fields; a checkpoint's `resume` metadata). Absent for checkpoints written before it existed.
 */
export const resumePointSchema = v.object({
  /** The optimizer's own step count (Adam's t). */
  optimizerSteps: int(),
  /** Loss sum, correct count and n of the unfinished epoch. */
  epochTotals: sums,
  /** Sums accumulated since the last metrics report, so a resumed run reports in the same groups. */
  unreported: v.object({ steps: int(), sums }),
  settings: savedSettingsSchema,
  dataName: str(500),
});
export type ResumePointPayload = v.InferOutput<typeof resumePointSchema>;

/** A trainer state as it travels: tensors, counters and (when known) its resume point. */
export const trainerStateEntries = {
  tensors: tensorListSchema,
  epoch: int(),
  step: int(),
  resume: v.optional(resumePointSchema),
};
export const trainerStateSchema = v.object(trainerStateEntries);
export type TrainerStatePayload = v.InferOutput<typeof trainerStateSchema>;

/** A TrainerState as a message (tensors as a list, the resume fields together when the state has them). */
export function trainerStatePayload(s: TrainerState): TrainerStatePayload {
  const tensors = [...s.tensors].map(([name, t]) => ({ name, shape: [...t.shape], data: t.data }));
  const base = { tensors, epoch: s.epoch, step: s.step };
  if (!s.settings) return base;
  return {
    ...base,
    resume: {
      optimizerSteps: s.optimizerSteps ?? s.step, epochTotals: [...s.epochTotals ?? [0, 0, 0]] as [number, number, number],
      unreported: { steps: s.unreported?.steps ?? 0, sums: [...s.unreported?.sums ?? [0, 0, 0]] as [number, number, number] },
      settings: { ...s.settings }, dataName: s.dataName ?? '',
    },
  };
}

/** The TrainerState a message carries (the inverse of trainerStatePayload). */
export function trainerStateOf(p: TrainerStatePayload): TrainerState {
  const base = { tensors: new Map(p.tensors.map((t) => [t.name, { shape: t.shape, data: t.data }])), epoch: p.epoch, step: p.step };
  const r = p.resume;
  if (!r) return base;
  return { ...base, optimizerSteps: r.optimizerSteps, epochTotals: r.epochTotals, unreported: r.unreported, settings: r.settings, dataName: r.dataName };
}

/** Everything needed to continue a run: the trainer's full state plus how it was made. */
export const trainingStateSchema = v.object({
  ...trainerStateEntries,
  backend: v.picklist(['cpu', 'webgpu']),
  settings: runSettingsSchema,
  /** The run's latest figures, recorded for checkpoint lists. */
  metrics: v.optional(v.object({ loss: v.optional(num(0)), accuracy: v.optional(num(0, 1)), testAccuracy: v.optional(num(0, 1)) })),
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
  /** A host-side failure the panel should show (the host also logged it). */
  message('notice', { level: v.picklist(['info', 'warning', 'error']), message: str(10_000) }),
  /** "Check gradients" was run for this panel's model. */
  message('runGradientCheck', {}),
  /** Start training now (the "Train model" command on an idle panel). */
  message('start', {}),
  /** Continue from this checkpoint now (the "Resume" of the notification after a panel closed mid-run). */
  message('resume', { path: str(4000) }),
  /** The model file changed since the panel loaded it: a different network (or errors) means the
   *  panel trains the old one until "Train model" loads it; `train` is what the file says now. */
  message('modelChanged', {
    networkChanged: v.boolean(),
    parameters: v.nullable(int()),
    errors: int(),
    train: v.object({ epochs: int(1), batch: int(1), lr: num(0) }),
  }),
  /** The answer to one of the webview's requests. */
  responseMessageSchema,
]);
export type HostMessage = v.InferOutput<typeof hostMessageSchema>;
export type HostNotification = Exclude<HostMessage, ResponseMessage>;

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
  message('gradientCheckDone', { result: gradCheckSummarySchema }),
  /**
   * A live run's recent state (every epoch and at most every minute): the host keeps the last one, so
   * closing the panel mid-run still saves a checkpoint (the page is gone by the time the host hears of it).
   */
  message('runState', { state: trainingStateSchema }),
  /** Something failed in the webview that the person should hear about. */
  message('error', { message: str(10_000) }),
  /** "Export model…" in the panel; `checkpoint` is the run's last (the host checks it is the model's own). */
  message('exportModel', { checkpoint: v.nullable(str(4000)) }),
  /** The WebGPU engine measured new kernel choices: the host keeps the whole record (global state) for later panels. */
  message('saveKernelChoices', { record: opaqueObject<KernelChoiceRecord>('a kernel-choice record') }),
  /** One of the requests below. */
  requestMessageSchema,
]);
export type WebviewMessage = v.InferOutput<typeof webviewMessageSchema>;
export type WebviewNotification = Exclude<WebviewMessage, RequestMessage>;

/** Validates a message received by the webview. Throws ProtocolError. */
export function parseHostMessage(value: unknown): HostMessage {
  return parse(hostMessageSchema, value);
}

/** Validates a message received by the extension host. Throws ProtocolError. */
export function parseWebviewMessage(value: unknown): WebviewMessage {
  return parse(webviewMessageSchema, value);
}

// ── webview → host requests ────────────────────────────────────────────────────────────────────

const checkpointPath = str(4000);

/** Writes the state as a checkpoint: to the default path, or (choose) where the person picks. */
export const saveCheckpoint = requestType('saveCheckpoint', {
  params: v.object({ choose: v.boolean(), state: trainingStateSchema }),
  /** The file written; null when the person cancelled the Save dialog. */
  result: v.object({ path: v.nullable(checkpointPath) }),
});

/** The checkpoint read for "Resume from checkpoint". */
export const checkpointSchema = v.object({
  path: checkpointPath,
  ...trainerStateEntries,
  /** Set when the checkpoint was saved from a different model text (the tensors may still fit). */
  modelDiffers: v.boolean(),
});

/**
 * "Resume from checkpoint": the host reads `path`, or lets the person pick one of the model's
 * checkpoints (or browse); null when they cancelled.
 */
export const loadCheckpoint = requestType('loadCheckpoint', {
  params: v.object({ path: v.optional(checkpointPath) }),
  result: v.nullable(checkpointSchema),
});

/** A run ended: the host saves `state` as the default checkpoint and shows the summary. */
export const runFinished = requestType('runFinished', {
  params: v.object({ summary: runSummarySchema, state: v.nullable(trainingStateSchema) }),
  /** Where the final state was saved; null when there was none or saving it failed (the host said so). */
  result: v.object({ checkpoint: v.nullable(checkpointPath) }),
});

// ── persisted panel state (webview setState ⇄ WebviewPanelSerializer) ──────────────────────────

export const PANEL_VIEW_TYPE = 'convlab.training';
export const PANEL_STATE_VERSION = 1;

/** The part of the webview's saved state the host reads when VS Code restores the panel. */
export const panelStateHeaderSchema = v.object({
  version: v.literal(PANEL_STATE_VERSION),
  /** URI of the model file (string form). */
  modelUri: str(8000),
});

/**
 * The WebGPU engine starts: whether to autotune kernels (`convlab.webgpu.autotune`) and the choices
 * stored so far (null for none). The record is the engine's to validate: it ignores what it cannot read.
 */
export const kernelChoices = requestType('kernelChoices', {
  params: v.object({}),
  result: v.object({ autotune: v.boolean(), record: v.nullable(v.unknown()) }),
});

/** "Write to train line": the panel's values for the next run become the model file's `train` settings. */
export const writeTrainSettings = requestType('writeTrainSettings', {
  params: v.object({ epochs: v.optional(int(1)), batch: v.optional(int(1)), lr: v.optional(num(0)) }),
  /** The edit was applied to the model's document (not saved; the person saves it). */
  result: v.object({ written: v.boolean() }),
});
