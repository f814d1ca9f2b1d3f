// The public engine API for the CLI, the extension host, the webview and its CPU worker.
// Everything here runs in Node, a browser page and a Web Worker (no Node APIs, no DOM); Node-only
// pieces live in their own modules (data/node-files.ts, checkpoint-file.ts, webgpu/node-gpu.ts).
// Node consumers (the CLI, the extension host) reach those through node.ts, the engine's Node face.
//
// Typical use:
//   const trainer = new Trainer({ spec, dataset, backend, onEvent });  // spec from lang's analyze()
//   await trainer.run();               // events: start, step (every K steps), epoch, paused/resumed, done, error
//   trainer.pause(); trainer.step(); trainer.resume(); trainer.stop(); trainer.setLearningRate(0.01);
//   await trainer.gradients()                   // every parameter's latest gradient, by name (live plots)
//   await trainer.inspect('test', 7)            // one example's probabilities and conv/pool feature maps (live)
//   await trainer.evaluate('test', { confusion: true });
//   const state = await trainer.saveState();    // named Float32Arrays + epoch/step, for checkpoints
//   trainer.dispose();                          // frees its device tensors; the backend stays usable

// ── compute backends ────────────────────────────────────────────────────────────────────────────
export { METRICS_LENGTH, outputSize } from './backend';
export type { Backend, BackendName, FloatArray, Tensor, ConvGeometry, PoolGeometry, GemmOptions, Activation } from './backend';
/** The TypeScript reference backend: `new CpuBackend({ precision: 'f32' | 'f64' })`. */
export { CpuBackend, type CpuBackendOptions, type CpuPrecision } from './cpu/backend';
export type { CpuKernels } from './cpu/kernel-choice';
/** The WebGPU backend on a browser's `navigator.gpu` (Node gets one from webgpu/node-gpu.ts); NoWebGpuError says why there is none. */
export { createWebGpuBackend, NoWebGpuError } from './webgpu/backend';
/** Kernel autotuning on the WebGPU backend: options, the cache a consumer provides, and what it reports. */
export type { WebGpuBackendOptions } from './webgpu/backend';
export type { AutotuneOptions } from './webgpu/autotune/autotuner';
export type { KernelChoiceCache, KernelChoiceRecord } from './webgpu/autotune/choice-table';
export type { KernelChoiceReport } from './webgpu/autotune/chooser';

// ── model ───────────────────────────────────────────────────────────────────────────────────────
/** A ModelSpec built into layers on a backend; tensors sized for a maximum batch. */
export { Network, type FeatureMaps, type NetworkOptions } from './network';
export { LayerError, type Layer, type Param, type StateBuffer, type Pass } from './layers/index';
/** How layer and optimizer tensors are named (`layers.3.weight`, `optim.layers.3.weight.momentum`). */
export { layerIndexOf, optimizerStateName, paramName, type OptimizerStateKind, type ParamKind } from './tensor-names';
/** A backend read as a Float32Array (f64 backends read Float64Arrays). */
export { toFloat32 } from './network';

// ── training ────────────────────────────────────────────────────────────────────────────────────
export {
  Trainer, TrainError, stepSeed,
  type TrainEvent, type TrainerOptions, type TrainerSettings, type TrainerState, type TrainerStatus, type Evaluation, type Inspection,
} from './train';
/** Live views into a network (one example's probabilities and feature maps, the latest gradients), as Trainer.inspect/gradients use them. */
export { Inspector, type ParameterGradient } from './train';
/** The predicted class of a score column (first largest entry, as the backends count accuracy). */
export { argmaxColumn } from './argmax';
export { createOptimizer, decayedLearningRate, OptimizerError, type Optimizer, type OptimizerSlot } from './optim/optimizer';

// ── verification ────────────────────────────────────────────────────────────────────────────────
/** Analytic vs finite-difference gradients of every parameter tensor, on any backend. */
export { gradientCheck, type GradCheckOptions, type GradCheckResult, type TensorCheck } from './gradcheck';

// ── checkpoints ─────────────────────────────────────────────────────────────────────────────────
/** Weights, optimizer state and metadata, as saved in safetensors files (read and written through node.ts). */
export type { Checkpoint, CheckpointTensor } from './checkpoint';
/** The metadata an exact mid-epoch resume needs, and the figures a checkpoint list shows. */
export type { CheckpointMetrics, ResumePoint } from './checkpoint';
/** A trainer state as a checkpoint and back, the same for the CLI and the panel. */
export { checkpointOfState, stateOfCheckpoint, type CheckpointOrigin } from './train/checkpoint-state';

// ── data and randomness ─────────────────────────────────────────────────────────────────────────
export { fillBatch, exampleSize, type Dataset, type Split } from './data/dataset';
/** Chosen examples of a split, copied into arrays of their own (a smaller data set). */
export { takeExamples } from './data/split';
/** One line about a data set for people: its name and split sizes, shape and classes. */
export { describeDataset } from './data/describe';
/** The first label a model's classes cannot score, as an error naming its file, record and value. */
export { labelOutOfRange } from './data/labels';
/** Default of loadDataset's maxDataBytes option (2 GiB). */
export { DEFAULT_MAX_DATA_BYTES } from './data/budget';
export { Rng, dropoutHash, dropoutThreshold } from './random';

// ── errors ──────────────────────────────────────────────────────────────────────────────────────
/** A thrown value as text: its message, or its stack for logs. */
export { errorMessage, errorDetails } from './errors';
