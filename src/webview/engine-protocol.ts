// Messages between the panel UI and the engine that trains: the WebGPU engine runs in the webview's
// own thread, the CPU engine in a Web Worker; both speak exactly this protocol, so the UI talks to
// one small interface (EngineClient in engine-client.ts) whichever it is. Commands and events are
// notifications; what expects an answer (a state save, the gradient check) is a request of rpc.ts.
// Everything is validated on receipt, trainer events and request results included.

import * as v from 'valibot';
import type { ModelSpec } from '../lang';
import { datasetSchema, runSettingsSchema, trainerStateSchema } from '../protocol';
import { requestMessageSchema, requestType, responseMessageSchema, type RequestMessage, type ResponseMessage } from '../rpc';
import { anyNumber, float32Array, int, learningRate, list, message, num, opaqueObject, str, tuple } from '../schema';

/** How often the engine reports and what the feature-map plot shows. */
export const plotOptionsSchema = v.object({
  /** Steps between gradient and feature-map readbacks. */
  plotEvery: int(1, 1_000_000),
  /** Index of the test image whose feature maps are drawn. */
  example: int(0, 1 << 26),
});
export type PlotOptions = v.InferOutput<typeof plotOptionsSchema>;

/** A saved trainer state: what saveState answers and what a start continues from. */
const restoreSchema = trainerStateSchema;
export type RestorePayload = v.InferOutput<typeof restoreSchema>;

export const engineCommandSchema = v.variant('type', [
  /** The model and data set every later run uses (sent once per engine, and again when they change). */
  message('load', { spec: opaqueObject<ModelSpec>('a model spec'), dataset: datasetSchema }),
  /** A new run (optionally continuing a saved state). */
  message('start', {
    settings: runSettingsSchema,
    reportEvery: int(1, 10_000),
    plots: plotOptionsSchema,
    restore: v.nullable(restoreSchema),
    /** Least milliseconds between step reports and between plot captures sent to the page (default 0: every one). */
    pace: v.optional(v.object({ stepMs: int(0, 10_000), captureMs: int(0, 60_000) })),
  }),
  message('pause', {}),
  message('resume', {}),
  message('stop', {}),
  /** While paused: one optimizer step. */
  message('step', {}),
  message('setLearningRate', { lr: learningRate }),
  /** New plot options; a new example is drawn right away when the trainer is not running. */
  message('setPlots', { plots: plotOptionsSchema }),
  /** One of the requests below. */
  requestMessageSchema,
]);
/** A command that expects no answer (requests go through EngineClient.request). */
export type EngineCommand = Exclude<v.InferOutput<typeof engineCommandSchema>, RequestMessage>;

/** The trainer's events as the engine forwards them (its own pause events stay inside the engine). */
const trainEventSchema = v.variant('type', [
  message('start', {
    epochs: int(), stepsPerEpoch: int(), batch: int(), trainExamples: int(), validationExamples: int(), testExamples: int(),
    parameters: int(), backend: str(1000), epoch: int(), step: int(),
  }),
  message('step', {
    epoch: int(), step: int(), stepsPerEpoch: int(), globalStep: int(), examples: int(),
    loss: anyNumber, accuracy: anyNumber, imagesPerSecond: anyNumber, lr: anyNumber,
  }),
  message('epoch', {
    epoch: int(), loss: anyNumber, trainAccuracy: anyNumber, testLoss: v.nullable(anyNumber), testAccuracy: v.nullable(anyNumber),
    validationAccuracy: v.nullable(anyNumber), seconds: anyNumber, imagesPerSecond: anyNumber,
  }),
  /** One iteration of optimizer=newton (before its `epoch` event). */
  message('newton', {
    iteration: int(), f: anyNumber, previousF: anyNumber, loss: anyNumber, trainAccuracy: anyNumber, gradientNorm: anyNumber,
    stepSize: anyNumber, cgIterations: int(), backtracks: int(), actualReduction: anyNumber, predictedReduction: anyNumber,
    lambda: anyNumber, subsampleSize: int(), validationAccuracy: v.nullable(anyNumber), testAccuracy: v.nullable(anyNumber), seconds: anyNumber,
  }),
  message('done', { reason: v.picklist(['completed', 'stopped']), epoch: int(), globalStep: int(), seconds: anyNumber }),
  message('error', { message: str(20_000) }),
  /** A NaN/∞ loss or update: the trainer went back to the last good weights and paused before `step`. */
  message('nonFinite', {
    epoch: int(), step: v.nullable(int()), layer: v.nullable(int(-1)),
    where: v.nullable(v.picklist(['activation', 'loss', 'gradient', 'update'])), tensor: v.nullable(str(500)),
    lastGoodStep: int(), message: str(20_000),
  }),
]);
export type TrainEventPayload = v.InferOutput<typeof trainEventSchema>;

const gradientTensorSchema = v.object({
  name: str(500),
  norm: anyNumber,
  min: anyNumber,
  max: anyNumber,
  counts: list(int(), 4096),
});
export type GradientTensor = v.InferOutput<typeof gradientTensorSchema>;

const featureMapSchema = v.object({
  /** Index into spec.layers; −1 for the input image. */
  layer: int(-1),
  kind: str(40),
  shape: tuple([int(), int(), int()]),
  data: float32Array(),
});
export type FeatureMapPayload = v.InferOutput<typeof featureMapSchema>;

export const engineEventSchema = v.variant('type', [
  /** The engine's backend is ready (once per run). */
  message('backend', { name: v.picklist(['cpu', 'webgpu']), description: str(1000) }),
  /** A trainer event as it is (start, step, epoch, done, error). */
  message('train', { event: trainEventSchema }),
  /** A start continued a saved state; `notes` say what differs from the saved run (empty: it continues exactly). */
  message('restored', { epoch: int(), step: int(), notes: list(str(2000), 1000) }),
  /** The panel's own pause state (the engine also pauses internally for evaluations and saves). */
  message('paused', { paused: v.boolean(), epoch: int(), globalStep: int() }),
  /** Norm and histogram of every parameter gradient, at one step. */
  message('gradients', { globalStep: int(), tensors: list(gradientTensorSchema, 10_000) }),
  /** One test image, the network's prediction and every conv/pool layer's output for it. */
  message('features', {
    globalStep: int(),
    example: int(),
    label: int(),
    predicted: int(),
    confidence: anyNumber,
    input: featureMapSchema,
    maps: list(featureMapSchema, 1000),
  }),
  /** The first conv layer's kernels, [M, C, kh, kw]. */
  message('filters', { globalStep: int(), layer: int(), shape: list(int(), 4), data: float32Array() }),
  /** Test-set evaluation after an epoch. */
  message('evaluation', {
    epoch: int(),
    loss: anyNumber,
    accuracy: num(0, 1),
    validationAccuracy: v.nullable(num(0, 1)),
    confusion: list(list(int(), 1 << 16), 1 << 16),
  }),
  /** A command failed, or something went wrong between commands (a readback, a job). */
  message('failed', { message: str(20_000) }),
  /** The run failed (a lost GPU device) but this state, from a recent report, survived on the host:
   *  the panel keeps it as a checkpoint so the run continues elsewhere. Sent right after the error. */
  message('recoverable', { state: restoreSchema }),
  /** The answer to a request. */
  responseMessageSchema,
]);
/** Everything the engine sends: events, and the answers to requests. */
export type EngineEvent = v.InferOutput<typeof engineEventSchema>;
/** An event that answers no request. */
export type EngineNotification = Exclude<EngineEvent, ResponseMessage>;

// ── requests ───────────────────────────────────────────────────────────────────────────────────

/** The full trainer state, for a checkpoint (the run pauses for it between two steps and continues). */
export const saveState = requestType('saveState', {
  params: v.object({}),
  result: restoreSchema,
  // A safety net for an engine that hangs: the state arrives after at most one training step.
  timeoutMs: 10 * 60_000,
  transfer: (state) => state.tensors.map((t) => t.data.buffer as ArrayBuffer),
});

const tensorCheckSchema = v.object({
  name: str(500),
  shape: v.pipe(list(int(), 8), v.readonly()),
  checked: int(),
  skipped: int(),
  total: int(),
  maxRelativeError: anyNumber,
  worst: v.object({ index: int(), analytic: anyNumber, numeric: anyNumber }),
  referenceError: v.optional(anyNumber),
  passed: v.boolean(),
});

/** Analytic against finite-difference gradients of a fresh network (engine/gradcheck.ts). */
export const checkGradients = requestType('checkGradients', {
  params: v.object({}),
  result: v.object({
    backend: str(500),
    precision: v.picklist(['f32', 'f64']),
    epsilon: num(0),
    tolerance: num(0),
    floor: num(0),
    batch: int(),
    loss: anyNumber,
    tensors: v.pipe(list(tensorCheckSchema, 100_000), v.readonly()),
    reference: v.optional(v.object({ backend: str(500), tolerance: num(0) })),
    passed: v.boolean(),
  }),
});
