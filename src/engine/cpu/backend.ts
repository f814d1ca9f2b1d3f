// The CPU backend: the reference implementation of Backend (the WebGPU backend is tested against
// it) and the fallback when there is no adapter. Runs eagerly in the calling thread; every call
// checks its tensors and sizes so a wrong call fails with a message naming the op and the operand
// instead of silently reading past the end of a typed array.
//
// In f32 the GEMM, convolutions, max pooling, relu and bias gradients run as WebAssembly SIMD kernels
// (wasm/) on tensors that live in the backend's wasm heap; everything else, and every op in f64, runs
// the TypeScript kernels here.
// With `threads` > 1 (and an injected ThreadSpawner) the big GEMMs and convolutions also run on
// worker threads sharing that heap (wasm/thread-pool.ts); every call still returns finished.

import {
  type Activation, type Backend, type BatchNormTensors, type ConvGeometry, type FloatArray,
  type FusedActivation, type GemmOptions, type PoolGeometry, type Tensor,
} from '../backend';
import { batchNormBackward, batchNormForward } from './batchnorm';
import { checkActivation, checkConv, checkCount, checkPool, checkSelection, checkU32s } from './checks';
import { convBackwardData, convBackwardFilter, convForward, ConvWorkspace } from './conv';
import * as ew from './elementwise';
import { gemmPacked, matrixSource } from './gemm';
import { selectKernels, type CpuKernelChoice, type CpuKernels } from './kernel-choice';
import { mseLoss, softmaxBackward, softmaxCrossEntropy, softmaxForward } from './loss';
import { adamStep, sgdStep } from './optimizers';
import { avgPoolBackward, avgPoolForward, maxPoolBackward, maxPoolForward, maxPoolGather } from './pool';
import { CpuOperands } from './operands';
import { arrayAllocator, CpuTensor, heapAllocator, type TensorAllocator } from './tensors';
import type { KernelThreading, WasmKernels } from './wasm/kernels';
import { sharedMemorySupported } from './wasm/modules';
import { MAX_SLICES } from './wasm/thread-protocol';
import type { ThreadSpawner } from './wasm/thread-pool';

export type CpuPrecision = 'f32' | 'f64';

export interface CpuBackendOptions {
  /** Storage of f32 tensors: 'f32' (default, like the GPU) or 'f64' (for tight gradient checks). */
  readonly precision?: CpuPrecision;
  /**
   * The hot kernels (GEMM, convolutions, max pooling, relu, bias gradients): 'auto' (default) runs
   * WebAssembly SIMD in f32 — relaxed SIMD where the runtime has it — and TypeScript otherwise;
   * 'wasm-relaxed' or 'wasm-simd' insist on one (f32 only); 'typescript' runs the TypeScript kernels.
   */
  readonly kernels?: CpuKernelChoice;
  /**
   * Threads for the big GEMMs and convolutions of the wasm kernels (default 1). More than one needs
   * `threadSpawner` (Node: nodeThreadSpawner from engine/node.ts) and SharedArrayBuffer (a page
   * needs cross-origin isolation); where either is missing, or the kernels are not wasm, it is 1.
   */
  readonly threads?: number;
  /** Starts the kernel threads (injected, so the engine's browser bundles never meet a Node API). */
  readonly threadSpawner?: ThreadSpawner;
}

export class CpuBackend implements Backend {
  readonly name = 'cpu' as const;
  readonly description: string;
  readonly precision: CpuPrecision;
  /** The kernels this backend runs ('auto' resolved). */
  readonly kernels: CpuKernels;
  /** Threads the big ops run on (the threads option, or 1 where threads are unavailable). */
  readonly threads: number;
  private readonly wasm: WasmKernels | null;
  private readonly allocator: TensorAllocator;
  /** Checks each call's tensors and sizes, naming the op and operand. */
  private readonly operands = new CpuOperands(() => this.destroyed);
  private typescriptWorkspace: ConvWorkspace | null = null;
  private destroyed = false;

  constructor(options: CpuBackendOptions = {}) {
    this.precision = options.precision ?? 'f32';
    if (this.precision !== 'f32' && this.precision !== 'f64') {
      throw new Error(`CpuBackend: precision must be 'f32' or 'f64', got ${String(this.precision)}`);
    }
    const threads = options.threads ?? 1;
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`CpuBackend: threads must be a positive integer, got ${String(threads)}`);
    const selected = selectKernels(options.kernels ?? 'auto', this.precision, threadingFor(threads, options.threadSpawner));
    this.kernels = selected.kernels;
    this.wasm = selected.wasm;
    this.threads = this.wasm?.threads ?? 1;
    this.allocator = this.wasm ? heapAllocator(this.wasm.heap) : arrayAllocator(this.precision);
    this.description = `cpu (${this.precision})${this.threads > 1 ? `, ${this.threads} threads` : ''}`;
  }

  /** The TypeScript kernels' packing buffers (4 MiB), made on first use: wasm backends rarely need them. */
  private get workspace(): ConvWorkspace { return this.typescriptWorkspace ??= new ConvWorkspace(); }

  // ── memory ──────────────────────────────────────────────────────────────────────────
  zeros(length: number): Tensor {
    this.operands.checkAlive('zeros');
    checkCount('zeros', 'length', length);
    return new CpuTensor(this.operands, 'f32', length, this.allocator.f32(length));
  }

  indices(length: number): Tensor {
    this.operands.checkAlive('indices');
    checkCount('indices', 'length', length);
    return new CpuTensor(this.operands, 'u32', length, this.allocator.u32(length));
  }

  write(t: Tensor, data: ArrayLike<number>, offset = 0): void {
    const tensor = this.operands.tensor('write', 't', t);
    checkCount('write', 'offset', offset);
    if (offset + data.length > tensor.length) {
      throw new RangeError(`CpuBackend.write: ${data.length} values at offset ${offset} do not fit in a tensor of ${tensor.length}`);
    }
    if (tensor.dtype === 'u32') checkU32s('write', data);
    tensor.data.set(data, offset);
  }

  read(t: Tensor): Promise<FloatArray> {
    try {
      return Promise.resolve(this.operands.floats('read', 't', t, 0).slice());
    } catch (e) {
      return Promise.reject(e);
    }
  }

  readIndices(t: Tensor): Promise<Uint32Array> {
    try {
      return Promise.resolve(this.operands.uints('readIndices', 't', t, 0).slice());
    } catch (e) {
      return Promise.reject(e);
    }
  }

  copy(src: Tensor, dst: Tensor, length?: number): void {
    const s = this.operands.tensor('copy', 'src', src), d = this.operands.tensor('copy', 'dst', dst);
    if (s.dtype !== d.dtype) throw new TypeError(`CpuBackend.copy: src is ${s.dtype} but dst is ${d.dtype}`);
    const count = length ?? s.length;
    checkCount('copy', 'length', count);
    if (count > s.length || count > d.length) {
      throw new RangeError(`CpuBackend.copy: length ${count} exceeds src (${s.length}) or dst (${d.length})`);
    }
    d.data.set(s.data.subarray(0, count));
  }

  dispose(t: Tensor): void {
    const tensor = this.operands.tensor('dispose', 't', t);
    tensor.disposed = true;
    this.allocator.release(tensor.storage);
  }

  flush(): void { /* eager: nothing queued */ }

  destroy(): void {
    this.destroyed = true;
    this.wasm?.close();
  }

  // ── elementwise ─────────────────────────────────────────────────────────────────────
  fill(t: Tensor, value: number, length?: number): void {
    const tensor = this.operands.tensor('fill', 't', t);
    const count = length ?? tensor.length;
    checkCount('fill', 'length', count);
    if (count > tensor.length) throw new RangeError(`CpuBackend.fill: length ${count} exceeds the tensor's ${tensor.length}`);
    tensor.data.fill(value, 0, count);
  }

  axpy(alpha: number, x: Tensor, y: Tensor, length?: number): void {
    const count = length ?? x.length;
    const xs = this.operands.floats('axpy', 'x', x, count), ys = this.operands.floats('axpy', 'y', y, count);
    for (let i = 0; i < count; i++) ys[i] += alpha * xs[i];
  }

  scale(t: Tensor, alpha: number, length?: number): void {
    const count = length ?? t.length;
    const xs = this.operands.floats('scale', 't', t, count);
    for (let i = 0; i < count; i++) xs[i] *= alpha;
  }

  // ── linear algebra ──────────────────────────────────────────────────────────────────
  gemm(a: Tensor, b: Tensor, c: Tensor, m: number, n: number, k: number, opts: GemmOptions = {}): void {
    checkCount('gemm', 'm', m); checkCount('gemm', 'n', n); checkCount('gemm', 'k', k);
    const transA = opts.transA ?? false, transB = opts.transB ?? false, alpha = opts.alpha ?? 1, beta = opts.beta ?? 0;
    const as = this.operands.floats('gemm', 'a', a, m * k), bs = this.operands.floats('gemm', 'b', b, k * n);
    const cs = this.operands.floats('gemm', 'c', c, m * n);
    if (as === cs || bs === cs) throw new Error('CpuBackend.gemm: c must not alias a or b');
    // With nothing to multiply (k = 0, alpha = 0) C is only scaled, which the TypeScript path does.
    if (this.wasm && k > 0 && alpha !== 0) {
      this.wasm.gemm(m, n, k, this.operands.ptr(a), this.operands.ptr(b), this.operands.ptr(c), transA, transB, alpha, beta);
      return;
    }
    gemmPacked(this.workspace.gemm, m, n, k, matrixSource(as, 0, transA ? m : k, transA),
      matrixSource(bs, 0, transB ? k : n, !transB), cs, 0, n, alpha, beta);
  }

  addBias(y: Tensor, bias: Tensor, rows: number, cols: number): void {
    checkCount('addBias', 'rows', rows); checkCount('addBias', 'cols', cols);
    ew.addBias(this.operands.floats('addBias', 'y', y, rows * cols), this.operands.floats('addBias', 'bias', bias, rows), rows, cols);
  }

  biasGrad(dy: Tensor, db: Tensor, rows: number, cols: number, accumulate = false): void {
    checkCount('biasGrad', 'rows', rows); checkCount('biasGrad', 'cols', cols);
    const dys = this.operands.floats('biasGrad', 'dy', dy, rows * cols), dbs = this.operands.floats('biasGrad', 'db', db, rows);
    if (this.wasm) this.wasm.rowSums(this.operands.ptr(dy), rows, cols, this.operands.ptr(db), accumulate);
    else ew.biasGrad(dys, dbs, rows, cols, accumulate);
  }

  // ── convolution ─────────────────────────────────────────────────────────────────────
  convForward(g: ConvGeometry, x: Tensor, w: Tensor, bias: Tensor | null, y: Tensor): void {
    const op = 'convForward';
    checkConv(op, g);
    const xs = this.operands.floats(op, 'x', x, g.c * g.n * g.h * g.w), ws = this.operands.floats(op, 'w', w, g.m * g.c * g.kh * g.kw);
    const bs = bias ? this.operands.floats(op, 'bias', bias, g.m) : null, ys = this.operands.floats(op, 'y', y, g.m * g.n * g.oh * g.ow);
    if (this.wasm) this.wasm.convForward(g, this.operands.ptr(x), this.operands.ptr(w), bias ? this.operands.ptr(bias) : 0, this.operands.ptr(y));
    else convForward(this.workspace, g, xs, ws, bs, ys);
  }

  // Fused forms: relu runs in the wasm GEMM's epilogue, on each block of y while it is in cache;
  // other activations, and f64, make the separate calls (the same arithmetic either way).
  linearForward(w: Tensor, x: Tensor, bias: Tensor | null, y: Tensor, m: number, n: number, k: number,
    activation: FusedActivation | null): void {
    const op = 'linearForward';
    checkCount(op, 'm', m); checkCount(op, 'n', n); checkCount(op, 'k', k);
    const ws = this.operands.floats(op, 'w', w, m * k), xs = this.operands.floats(op, 'x', x, k * n), ys = this.operands.floats(op, 'y', y, m * n);
    if (ws === ys || xs === ys) throw new Error(`CpuBackend.${op}: y must not alias w or x`);
    if (bias) this.operands.floats(op, 'bias', bias, m);
    if (activation) this.operands.floats(op, 'activation.out', activation.out, m * n);
    if (this.wasm && k > 0 && (!activation || activation.kind === 'relu')) {
      this.wasm.gemm(m, n, k, this.operands.ptr(w), this.operands.ptr(x), this.operands.ptr(y), false, false, 1, 0,
        bias ? this.operands.ptr(bias) : 0, activation ? this.operands.ptr(activation.out) : 0);
      return;
    }
    this.gemm(w, x, y, m, n, k);
    if (bias) this.addBias(y, bias, m, n);
    if (activation) this.activationForward(activation.kind, y, activation.out, m * n);
  }

  convForwardActivated(g: ConvGeometry, x: Tensor, w: Tensor, bias: Tensor | null, y: Tensor, activation: FusedActivation): void {
    const op = 'convForwardActivated';
    checkConv(op, g);
    this.operands.floats(op, 'x', x, g.c * g.n * g.h * g.w); this.operands.floats(op, 'w', w, g.m * g.c * g.kh * g.kw);
    if (bias) this.operands.floats(op, 'bias', bias, g.m);
    const outputs = g.m * g.n * g.oh * g.ow;
    this.operands.floats(op, 'y', y, outputs); this.operands.floats(op, 'activation.out', activation.out, outputs);
    if (this.wasm && activation.kind === 'relu') {
      this.wasm.convForward(g, this.operands.ptr(x), this.operands.ptr(w), bias ? this.operands.ptr(bias) : 0, this.operands.ptr(y), this.operands.ptr(activation.out));
      return;
    }
    this.convForward(g, x, w, bias, y);
    this.activationForward(activation.kind, y, activation.out, outputs);
  }

  convBackwardData(g: ConvGeometry, dy: Tensor, w: Tensor, dx: Tensor): void {
    const op = 'convBackwardData';
    checkConv(op, g);
    const dys = this.operands.floats(op, 'dy', dy, g.m * g.n * g.oh * g.ow), ws = this.operands.floats(op, 'w', w, g.m * g.c * g.kh * g.kw);
    const dxs = this.operands.floats(op, 'dx', dx, g.c * g.n * g.h * g.w);
    if (this.wasm) this.wasm.convBackwardData(g, this.operands.ptr(dy), this.operands.ptr(w), this.operands.ptr(dx));
    else convBackwardData(this.workspace, g, dys, ws, dxs);
  }

  convBackwardFilter(g: ConvGeometry, x: Tensor, dy: Tensor, dw: Tensor, dbias: Tensor | null): void {
    const op = 'convBackwardFilter';
    checkConv(op, g);
    const pixels = g.n * g.oh * g.ow;
    const xs = this.operands.floats(op, 'x', x, g.c * g.n * g.h * g.w), dys = this.operands.floats(op, 'dy', dy, g.m * pixels);
    const dws = this.operands.floats(op, 'dw', dw, g.m * g.c * g.kh * g.kw), dbs = dbias ? this.operands.floats(op, 'dbias', dbias, g.m) : null;
    if (!this.wasm) { convBackwardFilter(this.workspace, g, xs, dys, dws, dbs); return; }
    this.wasm.convBackwardFilter(g, this.operands.ptr(x), this.operands.ptr(dy), this.operands.ptr(dw));
    if (dbias) this.wasm.rowSums(this.operands.ptr(dy), g.m, pixels, this.operands.ptr(dbias), false);
  }

  // ── pooling ─────────────────────────────────────────────────────────────────────────
  maxPoolForward(g: PoolGeometry, x: Tensor, y: Tensor, argmax: Tensor): void {
    const op = 'maxPoolForward';
    checkPool(op, g);
    const outputs = g.c * g.n * g.oh * g.ow;
    const xs = this.operands.floats(op, 'x', x, g.c * g.n * g.h * g.w), ys = this.operands.floats(op, 'y', y, outputs);
    const args = this.operands.uints(op, 'argmax', argmax, outputs);
    if (this.wasm) this.wasm.maxPoolForward(g, this.operands.ptr(x), this.operands.ptr(y), this.operands.ptr(argmax));
    else maxPoolForward(g, xs, ys, args);
  }

  maxPoolBackward(g: PoolGeometry, dy: Tensor, argmax: Tensor, dx: Tensor): void {
    const op = 'maxPoolBackward';
    checkPool(op, g);
    const outputs = g.c * g.n * g.oh * g.ow, inputs = g.c * g.n * g.h * g.w;
    const selection = this.operands.uints(op, 'argmax', argmax, outputs);
    checkSelection(op, selection, outputs, inputs);
    const dys = this.operands.floats(op, 'dy', dy, outputs), dxs = this.operands.floats(op, 'dx', dx, inputs);
    if (this.wasm) this.wasm.maxPoolBackward(g, this.operands.ptr(dy), this.operands.ptr(argmax), this.operands.ptr(dx));
    else maxPoolBackward(g, dys, selection, dxs);
  }

  maxPoolGather(g: PoolGeometry, x: Tensor, argmax: Tensor, y: Tensor): void {
    const op = 'maxPoolGather';
    checkPool(op, g);
    const outputs = g.c * g.n * g.oh * g.ow, inputs = g.c * g.n * g.h * g.w;
    const selection = this.operands.uints(op, 'argmax', argmax, outputs);
    checkSelection(op, selection, outputs, inputs);
    maxPoolGather(g, this.operands.floats(op, 'x', x, inputs), selection, this.operands.floats(op, 'y', y, outputs));
  }

  avgPoolForward(g: PoolGeometry, x: Tensor, y: Tensor): void {
    const op = 'avgPoolForward';
    checkPool(op, g);
    avgPoolForward(g, this.operands.floats(op, 'x', x, g.c * g.n * g.h * g.w), this.operands.floats(op, 'y', y, g.c * g.n * g.oh * g.ow));
  }

  avgPoolBackward(g: PoolGeometry, dy: Tensor, dx: Tensor): void {
    const op = 'avgPoolBackward';
    checkPool(op, g);
    avgPoolBackward(g, this.operands.floats(op, 'dy', dy, g.c * g.n * g.oh * g.ow), this.operands.floats(op, 'dx', dx, g.c * g.n * g.h * g.w));
  }

  // ── activations ─────────────────────────────────────────────────────────────────────
  activationForward(kind: Activation, x: Tensor, y: Tensor, length: number): void {
    const op = 'activationForward';
    checkActivation(op, kind); checkCount(op, 'length', length);
    const xs = this.operands.floats(op, 'x', x, length), ys = this.operands.floats(op, 'y', y, length);
    if (this.wasm && kind === 'relu') this.wasm.reluForward(this.operands.ptr(x), this.operands.ptr(y), length);
    else ew.activationForward(kind, xs, ys, length);
  }

  activationBackward(kind: Activation, y: Tensor, dy: Tensor, dx: Tensor, length: number): void {
    const op = 'activationBackward';
    checkActivation(op, kind); checkCount(op, 'length', length);
    const ys = this.operands.floats(op, 'y', y, length), dys = this.operands.floats(op, 'dy', dy, length), dxs = this.operands.floats(op, 'dx', dx, length);
    if (this.wasm && kind === 'relu') this.wasm.reluBackward(this.operands.ptr(y), this.operands.ptr(dy), this.operands.ptr(dx), length);
    else ew.activationBackward(kind, ys, dys, dxs, length);
  }

  // ── reshapes ────────────────────────────────────────────────────────────────────────
  flattenForward(x: Tensor, y: Tensor, c: number, n: number, hw: number): void {
    const op = 'flattenForward';
    checkCount(op, 'c', c); checkCount(op, 'n', n); checkCount(op, 'hw', hw);
    ew.flattenForward(this.operands.floats(op, 'x', x, c * n * hw), this.operands.floats(op, 'y', y, c * n * hw), c, n, hw);
  }

  flattenBackward(dy: Tensor, dx: Tensor, c: number, n: number, hw: number): void {
    const op = 'flattenBackward';
    checkCount(op, 'c', c); checkCount(op, 'n', n); checkCount(op, 'hw', hw);
    ew.flattenBackward(this.operands.floats(op, 'dy', dy, c * n * hw), this.operands.floats(op, 'dx', dx, c * n * hw), c, n, hw);
  }

  // ── regularisation ──────────────────────────────────────────────────────────────────
  dropoutForward(x: Tensor, y: Tensor, mask: Tensor, length: number, p: number, seed: number): void {
    const op = 'dropoutForward';
    checkCount(op, 'length', length);
    if (!(p >= 0 && p <= 1)) throw new RangeError(`CpuBackend.${op}: p must be in [0, 1], got ${p}`);
    ew.dropoutForward(this.operands.floats(op, 'x', x, length), this.operands.floats(op, 'y', y, length), this.operands.floats(op, 'mask', mask, length),
      length, p, seed);
  }

  dropoutBackward(dy: Tensor, mask: Tensor, dx: Tensor, length: number): void {
    const op = 'dropoutBackward';
    checkCount(op, 'length', length);
    ew.dropoutBackward(this.operands.floats(op, 'dy', dy, length), this.operands.floats(op, 'mask', mask, length),
      this.operands.floats(op, 'dx', dx, length), length);
  }

  batchNormForward(x: Tensor, y: Tensor, rows: number, cols: number, t: BatchNormTensors, training: boolean,
    momentum: number, epsilon: number): void {
    const op = 'batchNormForward';
    checkCount(op, 'rows', rows); checkCount(op, 'cols', cols);
    if (training && cols < 1) throw new RangeError(`CpuBackend.${op}: training needs at least one column`);
    if (!(epsilon > 0)) throw new RangeError(`CpuBackend.${op}: epsilon must be > 0, got ${epsilon}`);
    batchNormForward(this.operands.floats(op, 'x', x, rows * cols), this.operands.floats(op, 'y', y, rows * cols), rows, cols,
      this.operands.batchNormArrays(op, t, rows), training, momentum, epsilon);
  }

  batchNormBackward(x: Tensor, dy: Tensor, dx: Tensor, rows: number, cols: number, t: BatchNormTensors,
    dgamma: Tensor, dbeta: Tensor): void {
    const op = 'batchNormBackward';
    checkCount(op, 'rows', rows); checkCount(op, 'cols', cols);
    batchNormBackward(this.operands.floats(op, 'x', x, rows * cols), this.operands.floats(op, 'dy', dy, rows * cols),
      this.operands.floats(op, 'dx', dx, rows * cols), rows, cols, this.operands.batchNormArrays(op, t, rows),
      this.operands.floats(op, 'dgamma', dgamma, rows), this.operands.floats(op, 'dbeta', dbeta, rows));
  }

  // ── output layers and losses ────────────────────────────────────────────────────────
  softmaxForward(x: Tensor, y: Tensor, classes: number, n: number): void {
    const op = 'softmaxForward';
    checkCount(op, 'classes', classes); checkCount(op, 'n', n);
    softmaxForward(this.operands.floats(op, 'x', x, classes * n), this.operands.floats(op, 'y', y, classes * n), classes, n);
  }

  softmaxBackward(y: Tensor, dy: Tensor, dx: Tensor, classes: number, n: number): void {
    const op = 'softmaxBackward';
    checkCount(op, 'classes', classes); checkCount(op, 'n', n);
    softmaxBackward(this.operands.floats(op, 'y', y, classes * n), this.operands.floats(op, 'dy', dy, classes * n),
      this.operands.floats(op, 'dx', dx, classes * n), classes, n);
  }

  softmaxCrossEntropy(logits: Tensor, labels: Tensor, probs: Tensor, dlogits: Tensor | null, metrics: Tensor,
    classes: number, n: number): void {
    const op = 'softmaxCrossEntropy';
    checkCount(op, 'classes', classes); checkCount(op, 'n', n);
    softmaxCrossEntropy(this.operands.floats(op, 'logits', logits, classes * n), this.operands.labels(op, labels, n, classes),
      this.operands.floats(op, 'probs', probs, classes * n), dlogits ? this.operands.floats(op, 'dlogits', dlogits, classes * n) : null,
      this.operands.floats(op, 'metrics', metrics, 3), classes, n);
  }

  mseLoss(out: Tensor, labels: Tensor, dout: Tensor | null, metrics: Tensor, classes: number, n: number): void {
    const op = 'mseLoss';
    checkCount(op, 'classes', classes); checkCount(op, 'n', n);
    mseLoss(this.operands.floats(op, 'out', out, classes * n), this.operands.labels(op, labels, n, classes),
      dout ? this.operands.floats(op, 'dout', dout, classes * n) : null, this.operands.floats(op, 'metrics', metrics, 3), classes, n);
  }

  // ── optimizers ──────────────────────────────────────────────────────────────────────
  sgdStep(w: Tensor, g: Tensor, v: Tensor, length: number, lr: number, momentum: number, weightDecay: number): void {
    const op = 'sgdStep';
    checkCount(op, 'length', length);
    sgdStep(this.operands.floats(op, 'w', w, length), this.operands.floats(op, 'g', g, length), this.operands.floats(op, 'v', v, length),
      length, lr, momentum, weightDecay);
  }

  adamStep(w: Tensor, g: Tensor, m: Tensor, v: Tensor, length: number, lr: number, beta1: number, beta2: number,
    epsilon: number, t: number, weightDecay: number): void {
    const op = 'adamStep';
    checkCount(op, 'length', length);
    if (!Number.isInteger(t) || t < 1) throw new RangeError(`CpuBackend.${op}: t is the 1-based step number, got ${t}`);
    adamStep(this.operands.floats(op, 'w', w, length), this.operands.floats(op, 'g', g, length), this.operands.floats(op, 'm', m, length),
      this.operands.floats(op, 'v', v, length), length, lr, beta1, beta2, epsilon, t, weightDecay);
  }
}

/** Threading for `threads` when this runtime can share a wasm memory with threads, else none. */
function threadingFor(threads: number, spawner: ThreadSpawner | undefined): KernelThreading | null {
  if (threads === 1) return null;
  if (!spawner) throw new Error(`CpuBackend: threads ${threads} needs a threadSpawner (in Node: nodeThreadSpawner from engine/node.ts)`);
  return sharedMemorySupported() ? { threads: Math.min(threads, MAX_SLICES), spawner } : null;
}
