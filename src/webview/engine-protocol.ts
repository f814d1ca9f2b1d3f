// Messages between the panel UI and the engine that trains: the WebGPU engine runs in the webview's
// own thread, the CPU engine in a Web Worker; both speak exactly this protocol, so the UI talks to
// one small interface (EngineClient in engine-client.ts) whichever it is. Validated on receipt with
// the same schemas as the host ⇄ webview protocol.

import type { TrainEvent } from '../engine/train';
import type { ModelSpec } from '../lang/spec';
import {
  datasetSchema, runSettingsSchema, tensorSchema, v, type Infer, type Schema,
} from '../protocol';

/** How often the engine reports and what the feature-map plot shows. */
export const plotOptionsSchema = v.object({
  /** Steps between gradient and feature-map readbacks. */
  plotEvery: v.integer(1, 1_000_000),
  /** Index of the test image whose feature maps are drawn. */
  example: v.integer(0, 1 << 26),
});
export type PlotOptions = Infer<typeof plotOptionsSchema>;

const restoreSchema = v.object({ epoch: v.integer(), step: v.integer(), tensors: v.array(tensorSchema, 100_000) });
export type RestorePayload = Infer<typeof restoreSchema>;

const cmd = <const T extends string, const F extends Record<string, Schema<unknown>>>(type: T, fields: F) =>
  v.object({ type: v.literal(type), ...fields }) as Schema<{ readonly type: T } & { readonly [K in keyof F]: Infer<F[K]> }>;

export const engineCommandSchema = v.union({
  /** The model and data set every later run uses (sent once per engine, and again when they change). */
  load: cmd('load', { spec: v.opaqueObject<ModelSpec>('a model spec'), dataset: datasetSchema }),
  /** A new run (optionally continuing a saved state). */
  start: cmd('start', {
    settings: runSettingsSchema,
    reportEvery: v.integer(1, 10_000),
    plots: plotOptionsSchema,
    restore: v.nullable(restoreSchema),
  }),
  pause: cmd('pause', {}),
  resume: cmd('resume', {}),
  stop: cmd('stop', {}),
  /** While paused: one optimizer step. */
  step: cmd('step', {}),
  setLearningRate: cmd('setLearningRate', { lr: v.number(Number.MIN_VALUE, 1e6) }),
  /** New plot options; a new example is drawn right away when the trainer is not running. */
  setPlots: cmd('setPlots', { plots: plotOptionsSchema }),
  /** The full trainer state, for a checkpoint (the run pauses for it and continues). */
  saveState: cmd('saveState', { id: v.integer() }),
  gradientCheck: cmd('gradientCheck', { id: v.integer() }),
});
export type EngineCommand = Infer<typeof engineCommandSchema>;

const gradientTensorSchema = v.object({
  name: v.string(500),
  norm: v.anyNumber(),
  min: v.anyNumber(),
  max: v.anyNumber(),
  counts: v.array(v.integer(), 4096),
});
export type GradientTensor = Infer<typeof gradientTensorSchema>;

const featureMapSchema = v.object({
  /** Index into spec.layers; −1 for the input image. */
  layer: v.integer(-1),
  kind: v.string(40),
  shape: v.tuple(v.integer(), v.integer(), v.integer()),
  data: v.float32Array(),
});
export type FeatureMapPayload = Infer<typeof featureMapSchema>;

export const engineEventSchema = v.union({
  /** The engine's backend is ready (once per run). */
  backend: cmd('backend', { name: v.oneOf(['cpu', 'webgpu']), description: v.string(1000) }),
  /** A trainer event as it is (start, step, epoch, done, error). */
  train: cmd('train', { event: v.opaqueObject<TrainEvent>('a trainer event') }),
  /** The panel's own pause state (the engine also pauses internally for evaluations and saves). */
  paused: cmd('paused', { paused: v.boolean(), epoch: v.integer(), globalStep: v.integer() }),
  /** Norm and histogram of every parameter gradient, at one step. */
  gradients: cmd('gradients', { globalStep: v.integer(), tensors: v.array(gradientTensorSchema, 10_000) }),
  /** One test image, the network's prediction and every conv/pool layer's output for it. */
  features: cmd('features', {
    globalStep: v.integer(),
    example: v.integer(),
    label: v.integer(),
    predicted: v.integer(),
    confidence: v.anyNumber(),
    input: featureMapSchema,
    maps: v.array(featureMapSchema, 1000),
  }),
  /** The first conv layer's kernels, [M, C, kh, kw]. */
  filters: cmd('filters', { globalStep: v.integer(), layer: v.integer(), shape: v.array(v.integer(), 4), data: v.float32Array() }),
  /** Test-set evaluation after an epoch. */
  evaluation: cmd('evaluation', {
    epoch: v.integer(),
    loss: v.anyNumber(),
    accuracy: v.number(0, 1),
    validationAccuracy: v.nullable(v.number(0, 1)),
    confusion: v.array(v.array(v.integer(), 1 << 16), 1 << 16),
  }),
  state: cmd('state', { id: v.integer(), epoch: v.integer(), step: v.integer(), tensors: v.array(tensorSchema, 100_000) }),
  gradientCheck: cmd('gradientCheck', { id: v.integer(), result: v.opaqueObject<import('../engine/gradcheck').GradCheckResult>('a gradient check result') }),
  /** A command failed (id of a saveState/gradientCheck request, else null). */
  failed: cmd('failed', { id: v.nullable(v.integer()), message: v.string(20_000) }),
});
export type EngineEvent = Infer<typeof engineEventSchema>;
