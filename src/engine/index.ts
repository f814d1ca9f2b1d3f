// The public engine API for the CLI, the extension host, the webview and its CPU worker.
// Everything here runs in Node, a browser page and a Web Worker (no Node APIs, no DOM); Node-only
// pieces live in their own modules (data/node-files.ts, checkpoint-file.ts, webgpu/node-gpu.ts).
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

// ── model ───────────────────────────────────────────────────────────────────────────────────────
/** A ModelSpec built into layers on a backend; tensors sized for a maximum batch. */
export { Network, type FeatureMaps, type NetworkOptions } from './network';
export { LayerError, type Layer, type Param, type StateBuffer, type Pass } from './layers/index';

// ── training ────────────────────────────────────────────────────────────────────────────────────
export {
  Trainer, TrainError, stepSeed,
  type TrainEvent, type TrainerOptions, type TrainerSettings, type TrainerState, type TrainerStatus, type Evaluation, type Inspection,
} from './train';
export { createOptimizer, decayedLearningRate, OptimizerError, type Optimizer, type OptimizerSlot } from './optim/optimizer';

// ── verification ────────────────────────────────────────────────────────────────────────────────
/** Analytic vs finite-difference gradients of every parameter tensor, on any backend. */
export { gradientCheck, type GradCheckOptions, type GradCheckResult, type TensorCheck } from './gradcheck';

// ── data and randomness ─────────────────────────────────────────────────────────────────────────
export { fillBatch, exampleSize, type Dataset, type Split } from './data/dataset';
export { Rng, dropoutHash, dropoutThreshold } from './random';
