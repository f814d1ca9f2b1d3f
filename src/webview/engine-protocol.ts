// Messages between the panel UI and the engine that trains: the WebGPU engine runs in the webview's
// own thread, the CPU engine in a Web Worker; both speak exactly this protocol, so the UI talks to
// one small interface (EngineClient in engine-client.ts) whichever it is. Validated on receipt with
// the same schemas as the host ⇄ webview protocol.

import * as v from 'valibot';
import type { TrainEvent } from '../engine/train';
import type { ModelSpec } from '../lang/spec';
import {
  anyNumber, datasetSchema, float32Array, int, learningRate, list, message, num, opaqueObject, runSettingsSchema, str, tensorSchema, tuple,
} from '../protocol';

/** How often the engine reports and what the feature-map plot shows. */
export const plotOptionsSchema = v.object({
  /** Steps between gradient and feature-map readbacks. */
  plotEvery: int(1, 1_000_000),
  /** Index of the test image whose feature maps are drawn. */
  example: int(0, 1 << 26),
});
export type PlotOptions = v.InferOutput<typeof plotOptionsSchema>;

const restoreSchema = v.object({ epoch: int(), step: int(), tensors: list(tensorSchema, 100_000) });
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
  }),
  message('pause', {}),
  message('resume', {}),
  message('stop', {}),
  /** While paused: one optimizer step. */
  message('step', {}),
  message('setLearningRate', { lr: learningRate }),
  /** New plot options; a new example is drawn right away when the trainer is not running. */
  message('setPlots', { plots: plotOptionsSchema }),
  /** The full trainer state, for a checkpoint (the run pauses for it and continues). */
  message('saveState', { id: int() }),
  message('gradientCheck', { id: int() }),
]);
export type EngineCommand = v.InferOutput<typeof engineCommandSchema>;

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
  message('train', { event: opaqueObject<TrainEvent>('a trainer event') }),
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
  message('state', { id: int(), epoch: int(), step: int(), tensors: list(tensorSchema, 100_000) }),
  message('gradientCheck', { id: int(), result: opaqueObject<import('../engine/gradcheck').GradCheckResult>('a gradient check result') }),
  /** A command failed (id of a saveState/gradientCheck request, else null). */
  message('failed', { id: v.nullable(int()), message: str(20_000) }),
]);
export type EngineEvent = v.InferOutput<typeof engineEventSchema>;
