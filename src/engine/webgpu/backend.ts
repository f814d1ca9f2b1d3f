// The WebGPU backend: every Backend call records WGSL compute dispatches into one command
// encoder; flush() submits them and read() is the only way data comes back. Runs wherever a
// `GPU` object exists — Dawn in Node (node-gpu.ts) or navigator.gpu in a browser or webview — so
// nothing here touches Node APIs.

import type {
  Activation, Backend, BatchNormTensors, ConvGeometry, GemmOptions, PoolGeometry, Tensor,
} from '../backend';
import { METRICS_LENGTH } from '../backend';
import { dropoutThreshold } from '../random';
import type { EncodeContext } from './context';
import { encodeConvBackwardData, encodeConvBackwardFilter, encodeConvForward, encodeRowSums } from './conv';
import { NoWebGpuError, WebGpuError, errorMessage } from './errors';
import { encodeGemm } from './gemm';
import { BufferUsage, MapMode } from './gpu-constants';
import { asGpuTensor, checkTensor, elementBytes, GpuTensor } from './gpu-tensor';
import type { ConvAlgorithmOption } from './kernel-select';
import { kernel, LINEAR_WORKGROUP, type SimpleKernelName } from './kernels';
import { ReadbackPool } from './readback-pool';
import { CommandRecorder, linearGrid, type RecorderStats } from './recorder';

export { NoWebGpuError } from './errors';
export type { ConvAlgorithmOption } from './kernel-select';

export interface WebGpuBackendOptions {
  /** Force one convolution algorithm for every pass (tests, benchmarks); default 'auto'. */
  readonly convAlgorithm?: ConvAlgorithmOption;
  readonly powerPreference?: GPUPowerPreference;
}

export interface WebGpuStats extends RecorderStats {
  /** Completed read()/readIndices() calls: the only GPU → host transfers. */
  readbacks: number;
  /** Compute pipelines created so far. */
  pipelines: number;
}

const ACTIVATION_KIND: Record<Activation, number> = { relu: 0, sigmoid: 1, tanh: 2 };
const STORAGE = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;

/**
 * Requests an adapter and device from `gpu` (navigator.gpu in a browser, getNodeGpu() in Node).
 * Throws NoWebGpuError saying why when there is no WebGPU to run on.
 */
export async function createWebGpuBackend(gpu: GPU | undefined | null, options: WebGpuBackendOptions = {}): Promise<WebGpuBackend> {
  if (!gpu) {
    throw new NoWebGpuError('no-api', 'WebGPU is not available here (navigator.gpu is undefined): ' +
      'the browser or webview does not support it or has it disabled');
  }
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter(options.powerPreference ? { powerPreference: options.powerPreference } : undefined);
  } catch (e) {
    throw new NoWebGpuError('no-adapter', `requestAdapter() failed: ${errorMessage(e)}`, { cause: e });
  }
  if (!adapter) {
    throw new NoWebGpuError('no-adapter', 'requestAdapter() returned null: no usable GPU adapter ' +
      '(no supported GPU or driver, or WebGPU is blocked on this system)');
  }
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ label: 'convlab' });
  } catch (e) {
    throw new NoWebGpuError('no-device', `requestDevice() failed: ${errorMessage(e)}`, { cause: e });
  }
  // A device can be handed out already lost (e.g. the GPU process crashed meanwhile).
  const lost = await Promise.race([device.lost, Promise.resolve(null)]);
  if (lost) throw new NoWebGpuError('device-lost', `the GPU device was lost right away: ${lost.message || lost.reason}`);

  // adapter.info and its isFallbackAdapter are recent; older browsers have adapter.isFallbackAdapter.
  const info: Partial<GPUAdapterInfo> = adapter.info ?? {};
  const isFallback = Boolean((info as { isFallbackAdapter?: boolean }).isFallbackAdapter
    ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter);
  const name = [info.vendor, info.architecture || info.device || info.description].filter(Boolean).join(' ') || 'unknown adapter';
  const description = `webgpu (${name}${isFallback ? ', fallback adapter' : ''})`;
  return new WebGpuBackend(device, description, isFallback, options);
}

export class WebGpuBackend implements Backend {
  readonly name = 'webgpu' as const;
  private readonly recorder: CommandRecorder;
  private readonly readbacks: ReadbackPool;
  private readonly ctx: EncodeContext;
  /**
   * Convolution algorithm for every later conv call: 'auto' (kernel-select.ts) or forced. Mutable
   * so tests and benchmarks can compare algorithms on one device without recompiling pipelines.
   */
  convAlgorithm: ConvAlgorithmOption;
  private readonly counters = { readbacks: 0 };
  private firstError: string | null = null;
  private lostMessage: string | null = null;
  private destroyed = false;

  constructor(readonly device: GPUDevice, readonly description: string, readonly isFallbackAdapter: boolean,
    options: WebGpuBackendOptions = {}) {
    this.convAlgorithm = options.convAlgorithm ?? 'auto';
    const report = (message: string) => { this.firstError ??= message; };
    device.addEventListener('uncapturederror', (e) => report((e as GPUUncapturedErrorEvent).error.message));
    void device.lost.then((info) => {
      if (!this.destroyed) this.lostMessage = `the GPU device was lost (${info.reason}): ${info.message}`;
    });
    this.recorder = new CommandRecorder(device, report);
    this.readbacks = new ReadbackPool(device);
    this.ctx = {
      recorder: this.recorder,
      unusedInput: device.createBuffer({ label: 'unused input', size: 16, usage: STORAGE }),
      unusedOutput: device.createBuffer({ label: 'unused output', size: 16, usage: STORAGE }),
    };
  }

  /** Work counters since creation: dispatches, submits, copies, readbacks, pipelines. */
  get stats(): WebGpuStats {
    return { ...this.recorder.stats, readbacks: this.counters.readbacks, pipelines: this.recorder.pipelines.size };
  }

  // ── memory ──────────────────────────────────────────────────────────────────────────────

  zeros(length: number): Tensor { return this.allocate(length, 'f32'); }
  indices(length: number): Tensor { return this.allocate(length, 'u32'); }

  write(t: Tensor, data: ArrayLike<number>, offset = 0): void {
    const g = asGpuTensor(t);
    if (offset < 0 || offset + data.length > g.length) {
      throw new RangeError(`write of ${data.length} elements at ${offset} overflows a tensor of ${g.length}`);
    }
    const typed = g.dtype === 'f32'
      ? (data instanceof Float32Array ? data : Float32Array.from(data))
      : (data instanceof Uint32Array ? data : Uint32Array.from(data));
    this.recorder.upload(g.buffer, offset * 4, typed);
  }

  async read(t: Tensor): Promise<Float32Array> {
    return new Float32Array(await this.readBytes(checkTensor(t, 0, 'read()', 'f32')));
  }

  async readIndices(t: Tensor): Promise<Uint32Array> {
    return new Uint32Array(await this.readBytes(checkTensor(t, 0, 'readIndices()', 'u32')));
  }

  copy(src: Tensor, dst: Tensor, length?: number): void {
    const s = asGpuTensor(src, 'copy source');
    const n = length ?? s.length;
    checkTensor(src, n, 'copy source', s.dtype);
    const d = checkTensor(dst, n, 'copy destination', s.dtype);
    if (s !== d) this.recorder.copy(s.buffer, 0, d.buffer, 0, n * 4);
  }

  dispose(t: Tensor): void {
    const g = asGpuTensor(t);
    g.markDisposed();
    this.recorder.retire(g.buffer);
  }

  flush(): void {
    this.checkUsable();
    this.recorder.flush();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.recorder.destroy();
    this.readbacks.destroy();
    this.device.destroy();
  }

  // ── elementwise ─────────────────────────────────────────────────────────────────────────

  fill(t: Tensor, value: number, length?: number): void {
    const g = asGpuTensor(t);
    const n = length ?? g.length;
    checkTensor(t, n, 'fill target', g.dtype);
    if (g.dtype === 'u32') {
      this.write(t, new Uint32Array(n).fill(value));
      return;
    }
    this.linear('fill', n, [g.buffer], { length: n, value });
  }

  axpy(alpha: number, x: Tensor, y: Tensor, length?: number): void {
    const n = length ?? asGpuTensor(y).length;
    this.linear('axpy', n, [checkTensor(x, n, 'axpy x').buffer, checkTensor(y, n, 'axpy y').buffer], { length: n, alpha });
  }

  scale(t: Tensor, alpha: number, length?: number): void {
    const n = length ?? asGpuTensor(t).length;
    this.linear('scale', n, [checkTensor(t, n, 'scale target').buffer], { length: n, alpha });
  }

  // ── linear algebra ──────────────────────────────────────────────────────────────────────

  gemm(a: Tensor, b: Tensor, c: Tensor, m: number, n: number, k: number, opts: GemmOptions = {}): void {
    this.checkUsable();
    encodeGemm(this.ctx, {
      operands: 'matrix', m, n, k, alpha: opts.alpha ?? 1, beta: opts.beta ?? 0,
      a: checkTensor(a, m * k, 'gemm A').buffer, b: checkTensor(b, k * n, 'gemm B').buffer,
      c: checkTensor(c, m * n, 'gemm C').buffer,
      operandParams: { trans_a: opts.transA ? 1 : 0, trans_b: opts.transB ? 1 : 0 },
    });
  }

  addBias(y: Tensor, bias: Tensor, rows: number, cols: number): void {
    this.linear('addBias', rows * cols, [checkTensor(bias, rows, 'bias').buffer, checkTensor(y, rows * cols, 'addBias y').buffer],
      { rows, cols });
  }

  biasGrad(dy: Tensor, db: Tensor, rows: number, cols: number, accumulate = false): void {
    this.checkUsable();
    encodeRowSums(this.ctx, checkTensor(dy, rows * cols, 'biasGrad dy').buffer, checkTensor(db, rows, 'biasGrad db').buffer,
      rows, cols, accumulate);
  }

  // ── convolution ─────────────────────────────────────────────────────────────────────────

  convForward(g: ConvGeometry, x: Tensor, w: Tensor, bias: Tensor | null, y: Tensor): void {
    this.checkUsable();
    encodeConvForward(this.ctx, this.convAlgorithm, g,
      checkTensor(x, g.c * g.n * g.h * g.w, 'conv x').buffer, checkTensor(w, g.m * g.c * g.kh * g.kw, 'conv weights').buffer,
      bias ? checkTensor(bias, g.m, 'conv bias').buffer : null, checkTensor(y, g.m * g.n * g.oh * g.ow, 'conv y').buffer);
  }

  convBackwardData(g: ConvGeometry, dy: Tensor, w: Tensor, dx: Tensor): void {
    this.checkUsable();
    encodeConvBackwardData(this.ctx, this.convAlgorithm, g,
      checkTensor(dy, g.m * g.n * g.oh * g.ow, 'conv dy').buffer, checkTensor(w, g.m * g.c * g.kh * g.kw, 'conv weights').buffer,
      checkTensor(dx, g.c * g.n * g.h * g.w, 'conv dx').buffer);
  }

  convBackwardFilter(g: ConvGeometry, x: Tensor, dy: Tensor, dw: Tensor, dbias: Tensor | null): void {
    this.checkUsable();
    encodeConvBackwardFilter(this.ctx, this.convAlgorithm, g,
      checkTensor(x, g.c * g.n * g.h * g.w, 'conv x').buffer, checkTensor(dy, g.m * g.n * g.oh * g.ow, 'conv dy').buffer,
      checkTensor(dw, g.m * g.c * g.kh * g.kw, 'conv dw').buffer, dbias ? checkTensor(dbias, g.m, 'conv dbias').buffer : null);
  }

  // ── pooling ─────────────────────────────────────────────────────────────────────────────

  maxPoolForward(g: PoolGeometry, x: Tensor, y: Tensor, argmax: Tensor): void {
    const outputs = g.c * g.n * g.oh * g.ow;
    this.linear('maxPoolForward', outputs, [checkTensor(x, g.c * g.n * g.h * g.w, 'pool x').buffer,
      checkTensor(y, outputs, 'pool y').buffer, checkTensor(argmax, outputs, 'pool argmax', 'u32').buffer], poolParams(g));
  }

  maxPoolBackward(g: PoolGeometry, dy: Tensor, argmax: Tensor, dx: Tensor): void {
    const outputs = g.c * g.n * g.oh * g.ow, inputs = g.c * g.n * g.h * g.w;
    this.linear('maxPoolBackward', inputs, [checkTensor(dy, outputs, 'pool dy').buffer,
      checkTensor(argmax, outputs, 'pool argmax', 'u32').buffer, checkTensor(dx, inputs, 'pool dx').buffer], poolParams(g));
  }

  avgPoolForward(g: PoolGeometry, x: Tensor, y: Tensor): void {
    const outputs = g.c * g.n * g.oh * g.ow;
    this.linear('avgPoolForward', outputs, [checkTensor(x, g.c * g.n * g.h * g.w, 'pool x').buffer,
      checkTensor(y, outputs, 'pool y').buffer], poolParams(g));
  }

  avgPoolBackward(g: PoolGeometry, dy: Tensor, dx: Tensor): void {
    const outputs = g.c * g.n * g.oh * g.ow, inputs = g.c * g.n * g.h * g.w;
    this.linear('avgPoolBackward', inputs, [checkTensor(dy, outputs, 'pool dy').buffer,
      checkTensor(dx, inputs, 'pool dx').buffer], poolParams(g));
  }

  // ── activations and reshapes ────────────────────────────────────────────────────────────

  activationForward(kind: Activation, x: Tensor, y: Tensor, length: number): void {
    this.linear('activationForward', length, [checkTensor(x, length, 'activation x').buffer,
      checkTensor(y, length, 'activation y').buffer], { length, kind: ACTIVATION_KIND[kind] });
  }

  activationBackward(kind: Activation, y: Tensor, dy: Tensor, dx: Tensor, length: number): void {
    this.linear('activationBackward', length, [checkTensor(y, length, 'activation y').buffer,
      checkTensor(dy, length, 'activation dy').buffer, checkTensor(dx, length, 'activation dx').buffer],
    { length, kind: ACTIVATION_KIND[kind] });
  }

  flattenForward(x: Tensor, y: Tensor, c: number, n: number, hw: number): void {
    const size = c * n * hw;
    this.linear('flattenForward', size, [checkTensor(x, size, 'flatten x').buffer, checkTensor(y, size, 'flatten y').buffer],
      { c, n, hw });
  }

  flattenBackward(dy: Tensor, dx: Tensor, c: number, n: number, hw: number): void {
    const size = c * n * hw;
    this.linear('flattenBackward', size, [checkTensor(dy, size, 'flatten dy').buffer, checkTensor(dx, size, 'flatten dx').buffer],
      { c, n, hw });
  }

  // ── regularisation ──────────────────────────────────────────────────────────────────────

  dropoutForward(x: Tensor, y: Tensor, mask: Tensor, length: number, p: number, seed: number): void {
    this.linear('dropoutForward', length, [checkTensor(x, length, 'dropout x').buffer,
      checkTensor(y, length, 'dropout y').buffer, checkTensor(mask, length, 'dropout mask').buffer],
    { length, seed: seed >>> 0, threshold: dropoutThreshold(p), keep_scale: p < 1 ? 1 / (1 - p) : 0 });
  }

  dropoutBackward(dy: Tensor, mask: Tensor, dx: Tensor, length: number): void {
    this.linear('multiply', length, [checkTensor(dy, length, 'dropout dy').buffer,
      checkTensor(mask, length, 'dropout mask').buffer, checkTensor(dx, length, 'dropout dx').buffer], { length });
  }

  batchNormForward(x: Tensor, y: Tensor, rows: number, cols: number, t: BatchNormTensors,
    training: boolean, momentum: number, epsilon: number): void {
    const size = rows * cols;
    this.rowwise('batchNormForward', rows, [checkTensor(x, size, 'batchNorm x').buffer,
      checkTensor(t.gamma, rows, 'gamma').buffer, checkTensor(t.beta, rows, 'beta').buffer,
      checkTensor(t.runningMean, rows, 'runningMean').buffer, checkTensor(t.runningVar, rows, 'runningVar').buffer,
      checkTensor(t.saveMean, rows, 'saveMean').buffer, checkTensor(t.saveInvStd, rows, 'saveInvStd').buffer,
      checkTensor(y, size, 'batchNorm y').buffer],
    { rows, cols, training: training ? 1 : 0, momentum, keep: 1 - momentum, epsilon });
  }

  batchNormBackward(x: Tensor, dy: Tensor, dx: Tensor, rows: number, cols: number, t: BatchNormTensors,
    dgamma: Tensor, dbeta: Tensor): void {
    const size = rows * cols;
    this.rowwise('batchNormBackward', rows, [checkTensor(x, size, 'batchNorm x').buffer,
      checkTensor(dy, size, 'batchNorm dy').buffer, checkTensor(t.gamma, rows, 'gamma').buffer,
      checkTensor(t.saveMean, rows, 'saveMean').buffer, checkTensor(t.saveInvStd, rows, 'saveInvStd').buffer,
      checkTensor(dx, size, 'batchNorm dx').buffer, checkTensor(dgamma, rows, 'dgamma').buffer,
      checkTensor(dbeta, rows, 'dbeta').buffer], { rows, cols });
  }

  // ── output layers and losses ────────────────────────────────────────────────────────────

  softmaxForward(x: Tensor, y: Tensor, classes: number, n: number): void {
    const size = classes * n;
    this.linear('softmaxForward', n, [checkTensor(x, size, 'softmax x').buffer, checkTensor(y, size, 'softmax y').buffer],
      { classes, n });
  }

  softmaxBackward(y: Tensor, dy: Tensor, dx: Tensor, classes: number, n: number): void {
    const size = classes * n;
    this.linear('softmaxBackward', n, [checkTensor(y, size, 'softmax y').buffer, checkTensor(dy, size, 'softmax dy').buffer,
      checkTensor(dx, size, 'softmax dx').buffer], { classes, n });
  }

  softmaxCrossEntropy(logits: Tensor, labels: Tensor, probs: Tensor, dlogits: Tensor | null,
    metrics: Tensor, classes: number, n: number): void {
    const size = classes * n;
    this.singleWorkgroup('softmaxCrossEntropy', [checkTensor(logits, size, 'logits').buffer,
      checkTensor(labels, n, 'labels', 'u32').buffer, checkTensor(probs, size, 'probs').buffer,
      dlogits ? checkTensor(dlogits, size, 'dlogits').buffer : this.ctx.unusedOutput,
      checkTensor(metrics, METRICS_LENGTH, 'metrics').buffer], { classes, n, has_dlogits: dlogits ? 1 : 0 });
  }

  mseLoss(out: Tensor, labels: Tensor, dout: Tensor | null, metrics: Tensor, classes: number, n: number): void {
    const size = classes * n;
    this.singleWorkgroup('mseLoss', [checkTensor(out, size, 'mse out').buffer, checkTensor(labels, n, 'labels', 'u32').buffer,
      dout ? checkTensor(dout, size, 'dout').buffer : this.ctx.unusedOutput,
      checkTensor(metrics, METRICS_LENGTH, 'metrics').buffer], { classes, n, has_dout: dout ? 1 : 0 });
  }

  // ── optimizers ──────────────────────────────────────────────────────────────────────────

  sgdStep(w: Tensor, g: Tensor, v: Tensor, length: number, lr: number, momentum: number, weightDecay: number): void {
    this.linear('sgd', length, [checkTensor(g, length, 'sgd gradient').buffer, checkTensor(w, length, 'sgd weights').buffer,
      checkTensor(v, length, 'sgd velocity').buffer], { length, lr, momentum, weight_decay: weightDecay });
  }

  adamStep(w: Tensor, g: Tensor, m: Tensor, v: Tensor, length: number, lr: number,
    beta1: number, beta2: number, epsilon: number, t: number, weightDecay: number): void {
    this.linear('adam', length, [checkTensor(g, length, 'adam gradient').buffer, checkTensor(w, length, 'adam weights').buffer,
      checkTensor(m, length, 'adam m').buffer, checkTensor(v, length, 'adam v').buffer],
    { length, lr, beta1, beta2, one_minus_beta1: 1 - beta1, one_minus_beta2: 1 - beta2, epsilon, weight_decay: weightDecay,
      correction1: 1 / (1 - Math.pow(beta1, t)), correction2: 1 / (1 - Math.pow(beta2, t)) });
  }

  // ── plumbing ────────────────────────────────────────────────────────────────────────────

  private allocate(length: number, dtype: 'f32' | 'u32'): GpuTensor {
    this.checkUsable();
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`tensor length must be a natural number, got ${length}`);
    const limit = this.device.limits.maxStorageBufferBindingSize;
    if (elementBytes(length) > limit) {
      throw new RangeError(`a tensor of ${length} elements exceeds this device's ${limit}-byte storage binding limit`);
    }
    // New buffers are zero-filled by WebGPU.
    const buffer = this.device.createBuffer({ label: `${dtype}[${length}]`, size: elementBytes(length), usage: STORAGE });
    return new GpuTensor(length, dtype, buffer);
  }

  /** One invocation per element of a 1-D range. */
  private linear(name: SimpleKernelName, count: number, buffers: GPUBuffer[], params: Record<string, number>): void {
    this.checkUsable();
    this.recorder.dispatch(kernel(name), buffers, params, linearGrid(count, LINEAR_WORKGROUP));
  }

  /** One workgroup per row. */
  private rowwise(name: SimpleKernelName, rows: number, buffers: GPUBuffer[], params: Record<string, number>): void {
    this.checkUsable();
    this.recorder.dispatch(kernel(name), buffers, params, linearGrid(rows, 1));
  }

  /** One workgroup for the whole call (losses that reduce into the metrics). */
  private singleWorkgroup(name: SimpleKernelName, buffers: GPUBuffer[], params: Record<string, number>): void {
    this.checkUsable();
    this.recorder.dispatch(kernel(name), buffers, params, [1]);
  }

  private async readBytes(t: GpuTensor): Promise<ArrayBuffer> {
    this.checkUsable();
    const bytes = t.length * 4;
    const staging = this.readbacks.acquire(bytes);
    this.recorder.copy(t.buffer, 0, staging, 0, bytes);
    this.recorder.flush();
    try {
      await staging.mapAsync(MapMode.READ, 0, Math.max(4, bytes));
    } catch (e) {
      this.checkUsable();
      throw new WebGpuError(`read failed: ${errorMessage(e)}`, { cause: e });
    }
    const out = staging.getMappedRange(0, Math.max(4, bytes)).slice(0, bytes);
    staging.unmap();
    this.readbacks.release(staging);
    this.counters.readbacks++;
    this.checkUsable();  // a validation error in the work just read means `out` is not trustworthy
    return out;
  }

  /** Surfaces a lost device or the first validation error as an exception on the caller's side. */
  private checkUsable(): void {
    if (this.destroyed) throw new WebGpuError('the webgpu backend was destroyed');
    if (this.lostMessage) throw new NoWebGpuError('device-lost', this.lostMessage);
    if (this.firstError) throw new WebGpuError(`WebGPU reported an error: ${this.firstError}`);
  }
}

function poolParams(g: PoolGeometry): Record<string, number> {
  return {
    planes: g.c * g.n, in_h: g.h, in_w: g.w, k_h: g.kh, k_w: g.kw, stride_h: g.sh, stride_w: g.sw, out_h: g.oh, out_w: g.ow,
  };
}
