// The WebGPU backend: every Backend call records WGSL compute dispatches into one command
// encoder; flush() submits them and read() is the only way data comes back. Runs wherever a
// `GPU` object exists — Dawn in Node (node-gpu.ts) or navigator.gpu in a browser or webview — so
// nothing here touches Node APIs.
//
// This class only wires the parts together: device.ts opens the device, device-health.ts turns
// asynchronous device errors into exceptions, tensor-memory.ts owns buffers and readbacks, and the
// op families (*-ops.ts) check their tensors and record their kernels.

import type {
  Activation, Backend, BatchNormTensors, ConvGeometry, FusedActivation, GemmOptions, PoolGeometry, Tensor, TensorViews,
} from '../backend';
import { Autotuner, type AutotuneOptions } from './autotune/autotuner';
import type { KernelChoiceReport } from './autotune/chooser';
import * as conv from './conv-ops';
import { openDevice } from './device';
import { DeviceHealth } from './device-health';
import * as elementwise from './elementwise-ops';
import { checkHostLabels, checkTensor } from './gpu-tensor';
import type { ConvAlgorithmOption } from './kernel-select';
import type { OpContext } from './launch';
import * as loss from './loss-ops';
import * as matrix from './matrix-ops';
import * as optimizer from './optimizer-ops';
import * as pool from './pool-ops';
import { CommandRecorder, type RecorderStats } from './recorder';
import * as regularisation from './regularisation-ops';
import { STORAGE, TensorMemory } from './tensor-memory';

export { NoWebGpuError } from './errors';
export type { ConvAlgorithmOption } from './kernel-select';

export interface WebGpuBackendOptions {
  /** Force one convolution algorithm for every pass (tests, benchmarks); default 'auto'. */
  readonly convAlgorithm?: ConvAlgorithmOption;
  readonly powerPreference?: GPUPowerPreference;
  /** Kernel autotuning at first use (autotune/autotuner.ts), measuring where the device has timestamps; absent: the rules only. */
  readonly autotune?: AutotuneOptions;
}

/** What the device offers beyond its limits: how to key measurements on it, and whether it can time work. */
export interface AdapterTraits {
  readonly identity: string;
  readonly hasTimestamps: boolean;
}

export interface WebGpuStats extends RecorderStats {
  /** Completed read()/readIndices() calls: the only GPU → host transfers. */
  readbacks: number;
  /** Readback buffers held by reads in flight; 0 when none is, also after a failed read. */
  readbacksInUse: number;
  /** Compute pipelines created so far. */
  pipelines: number;
}

/**
 * Requests an adapter and device from `gpu` (navigator.gpu in a browser, getNodeGpu() in Node).
 * Throws NoWebGpuError saying why when there is no WebGPU to run on.
 */
export async function createWebGpuBackend(gpu: GPU | undefined | null, options: WebGpuBackendOptions = {}): Promise<WebGpuBackend> {
  const { device, description, isFallbackAdapter, adapterIdentity, hasTimestamps } = await openDevice(gpu, options.powerPreference);
  return new WebGpuBackend(device, description, isFallbackAdapter, options, { identity: adapterIdentity, hasTimestamps });
}

export class WebGpuBackend implements Backend {
  readonly name = 'webgpu' as const;
  private readonly health: DeviceHealth;
  private readonly recorder: CommandRecorder;
  private readonly memory: TensorMemory;
  private readonly ctx: OpContext;
  private readonly arenaViews: TensorViews;
  private readonly autotuner: Autotuner | null;
  /**
   * Convolution algorithm for every later conv call: 'auto' (kernel-select.ts) or forced. Mutable
   * so tests and benchmarks can compare algorithms on one device without recompiling pipelines.
   */
  convAlgorithm: ConvAlgorithmOption;

  constructor(readonly device: GPUDevice, readonly description: string, readonly isFallbackAdapter: boolean,
    options: WebGpuBackendOptions = {}, adapter: AdapterTraits = { identity: description, hasTimestamps: false }) {
    this.convAlgorithm = options.convAlgorithm ?? 'auto';
    this.health = new DeviceHealth(device);
    this.recorder = new CommandRecorder(device, (message) => this.health.report(message));
    this.memory = new TensorMemory(device, this.recorder, this.health);
    this.arenaViews = { alignment: this.memory.viewAlignment, view: (arena, offset, length) => this.memory.view(arena, offset, length) };
    const encode = {
      recorder: this.recorder,
      unusedInput: device.createBuffer({ label: 'unused input', size: 16, usage: STORAGE }),
      unusedOutput: device.createBuffer({ label: 'unused output', size: 16, usage: STORAGE }),
      unusedAux: device.createBuffer({ label: 'unused aux output', size: 16, usage: STORAGE }),
    };
    // Opt-in: the CLI and the panel turn it on (with a cache); tests and probes keep the rules.
    this.autotuner = !options.autotune || options.autotune.enabled === false ? null : new Autotuner(
      { ctx: encode, device, adapter: adapter.identity, hasTimestamps: adapter.hasTimestamps, isFallbackAdapter }, options.autotune);
    this.ctx = { ...encode, choices: this.autotuner?.chooser, checkUsable: () => this.health.check() };
  }

  /** Whether kernel choices are measured here (autotuning on and the device has timestamps, or a timer was given). */
  get autotunes(): boolean { return this.autotuner?.canMeasure ?? false; }

  /** How each kernel decision of the last compileFor() pass was made: measured, cached or by rule (empty with autotuning off). */
  get kernelChoices(): readonly KernelChoiceReport[] { return this.autotuner?.report ?? []; }

  /** Work counters since creation: dispatches, submits, copies, readbacks, pipelines. */
  get stats(): WebGpuStats {
    return { ...this.recorder.stats, readbacks: this.memory.readbacks, readbacksInUse: this.memory.readbacksInUse, pipelines: this.recorder.pipelines.size };
  }

  // ── memory ──────────────────────────────────────────────────────────────────────────────

  zeros(length: number): Tensor { return this.memory.allocate(length, 'f32'); }
  indices(length: number): Tensor { return this.memory.allocate(length, 'u32'); }
  write(t: Tensor, data: ArrayLike<number>, offset = 0): void { this.memory.write(t, data, offset); }
  copy(src: Tensor, dst: Tensor, length?: number): void { this.memory.copy(src, dst, length); }
  dispose(t: Tensor): void { this.memory.dispose(t); }

  get views(): TensorViews { return this.arenaViews; }

  async read(t: Tensor): Promise<Float32Array> {
    return new Float32Array(await this.memory.readBytes(checkTensor(t, 0, 'read()', 'f32')));
  }

  async readIndices(t: Tensor): Promise<Uint32Array> {
    return new Uint32Array(await this.memory.readBytes(checkTensor(t, 0, 'readIndices()', 'u32')));
  }

  async compileFor(record: () => void): Promise<void> {
    this.health.check();
    if (this.autotuner) await this.autotuner.compileFor(record);
    else await this.recorder.compileFor(record);
  }

  flush(): void {
    this.health.check();
    this.recorder.flush();
  }

  destroy(): void {
    if (this.health.isDestroyed) return;
    this.health.markDestroyed();
    this.recorder.destroy();
    this.memory.destroy();
    this.device.destroy();
  }

  // ── elementwise, activations and reshapes ───────────────────────────────────────────────

  fill(t: Tensor, value: number, length?: number): void { elementwise.fill(this.ctx, t, value, length); }
  axpy(alpha: number, x: Tensor, y: Tensor, length?: number): void { elementwise.axpy(this.ctx, alpha, x, y, length); }
  scale(t: Tensor, alpha: number, length?: number): void { elementwise.scale(this.ctx, t, alpha, length); }

  activationForward(kind: Activation, x: Tensor, y: Tensor, length: number): void {
    elementwise.activationForward(this.ctx, kind, x, y, length);
  }

  activationBackward(kind: Activation, y: Tensor, dy: Tensor, dx: Tensor, length: number): void {
    elementwise.activationBackward(this.ctx, kind, y, dy, dx, length);
  }

  flattenForward(x: Tensor, y: Tensor, c: number, n: number, hw: number): void {
    elementwise.flattenForward(this.ctx, x, y, c, n, hw);
  }

  flattenBackward(dy: Tensor, dx: Tensor, c: number, n: number, hw: number): void {
    elementwise.flattenBackward(this.ctx, dy, dx, c, n, hw);
  }

  // ── linear algebra ──────────────────────────────────────────────────────────────────────

  gemm(a: Tensor, b: Tensor, c: Tensor, m: number, n: number, k: number, opts: GemmOptions = {}): void {
    matrix.gemm(this.ctx, a, b, c, m, n, k, opts);
  }

  addBias(y: Tensor, bias: Tensor, rows: number, cols: number): void { matrix.addBias(this.ctx, y, bias, rows, cols); }

  linearBackwardData(w: Tensor, dy: Tensor, dx: Tensor, m: number, n: number, k: number, gate: FusedActivation | null): void {
    matrix.linearBackwardData(this.ctx, w, dy, dx, m, n, k, gate);
  }

  linearBackwardFilter(dy: Tensor, x: Tensor, dw: Tensor, dbias: Tensor | null, m: number, n: number, k: number): void {
    matrix.linearBackwardFilter(this.ctx, dy, x, dw, dbias, m, n, k);
  }

  linearForward(w: Tensor, x: Tensor, bias: Tensor | null, y: Tensor, m: number, n: number, k: number,
    activation: FusedActivation | null): void {
    matrix.linearForward(this.ctx, w, x, bias, y, m, n, k, activation);
  }

  biasGrad(dy: Tensor, db: Tensor, rows: number, cols: number, accumulate = false): void {
    matrix.biasGrad(this.ctx, dy, db, rows, cols, accumulate);
  }

  // ── convolution ─────────────────────────────────────────────────────────────────────────

  convForward(g: ConvGeometry, x: Tensor, w: Tensor, bias: Tensor | null, y: Tensor): void {
    conv.convForward(this.ctx, this.convAlgorithm, g, x, w, bias, y);
  }

  convForwardActivated(g: ConvGeometry, x: Tensor, w: Tensor, bias: Tensor | null, y: Tensor, activation: FusedActivation): void {
    conv.convForward(this.ctx, this.convAlgorithm, g, x, w, bias, y, activation);
  }

  convBackwardData(g: ConvGeometry, dy: Tensor, w: Tensor, dx: Tensor): void {
    conv.convBackwardData(this.ctx, this.convAlgorithm, g, dy, w, dx);
  }

  convBackwardFilter(g: ConvGeometry, x: Tensor, dy: Tensor, dw: Tensor, dbias: Tensor | null): void {
    conv.convBackwardFilter(this.ctx, this.convAlgorithm, g, x, dy, dw, dbias);
  }

  // ── pooling ─────────────────────────────────────────────────────────────────────────────

  maxPoolForward(g: PoolGeometry, x: Tensor, y: Tensor, argmax: Tensor): void { pool.maxPoolForward(this.ctx, g, x, y, argmax); }
  maxPoolBackward(g: PoolGeometry, dy: Tensor, argmax: Tensor, dx: Tensor): void { pool.maxPoolBackward(this.ctx, g, dy, argmax, dx); }
  maxPoolGather(g: PoolGeometry, x: Tensor, argmax: Tensor, y: Tensor): void { pool.maxPoolGather(this.ctx, g, x, argmax, y); }
  avgPoolForward(g: PoolGeometry, x: Tensor, y: Tensor): void { pool.avgPoolForward(this.ctx, g, x, y); }
  avgPoolBackward(g: PoolGeometry, dy: Tensor, dx: Tensor): void { pool.avgPoolBackward(this.ctx, g, dy, dx); }

  // ── regularisation ──────────────────────────────────────────────────────────────────────

  dropoutForward(x: Tensor, y: Tensor, mask: Tensor, length: number, p: number, seed: number): void {
    regularisation.dropoutForward(this.ctx, x, y, mask, length, p, seed);
  }

  dropoutBackward(dy: Tensor, mask: Tensor, dx: Tensor, length: number): void {
    regularisation.dropoutBackward(this.ctx, dy, mask, dx, length);
  }

  batchNormForward(x: Tensor, y: Tensor, rows: number, cols: number, t: BatchNormTensors,
    training: boolean, momentum: number, epsilon: number): void {
    regularisation.batchNormForward(this.ctx, x, y, rows, cols, t, training, momentum, epsilon);
  }

  batchNormBackward(x: Tensor, dy: Tensor, dx: Tensor, rows: number, cols: number, t: BatchNormTensors,
    dgamma: Tensor, dbeta: Tensor): void {
    regularisation.batchNormBackward(this.ctx, x, dy, dx, rows, cols, t, dgamma, dbeta);
  }

  // ── output layers and losses ────────────────────────────────────────────────────────────

  softmaxForward(x: Tensor, y: Tensor, classes: number, n: number): void { loss.softmaxForward(this.ctx, x, y, classes, n); }

  softmaxBackward(y: Tensor, dy: Tensor, dx: Tensor, classes: number, n: number): void {
    loss.softmaxBackward(this.ctx, y, dy, dx, classes, n);
  }

  softmaxCrossEntropy(logits: Tensor, labels: Tensor, probs: Tensor, dlogits: Tensor | null,
    metrics: Tensor, classes: number, n: number): void {
    checkHostLabels('softmaxCrossEntropy', labels, n, classes);
    loss.softmaxCrossEntropy(this.ctx, logits, labels, probs, dlogits, metrics, classes, n);
  }

  mseLoss(out: Tensor, labels: Tensor, dout: Tensor | null, metrics: Tensor, classes: number, n: number): void {
    checkHostLabels('mseLoss', labels, n, classes);
    loss.mseLoss(this.ctx, out, labels, dout, metrics, classes, n);
  }

  // ── optimizers ──────────────────────────────────────────────────────────────────────────

  sgdStep(w: Tensor, g: Tensor, v: Tensor, length: number, lr: number, momentum: number, weightDecay: number): void {
    optimizer.sgdStep(this.ctx, w, g, v, length, lr, momentum, weightDecay);
  }

  adamStep(w: Tensor, g: Tensor, m: Tensor, v: Tensor, length: number, lr: number,
    beta1: number, beta2: number, epsilon: number, t: number, weightDecay: number): void {
    optimizer.adamStep(this.ctx, w, g, m, v, length, lr, beta1, beta2, epsilon, t, weightDecay);
  }
}
