// One CpuBackend's WebAssembly engine: its heap (where the backend's tensors live), the kernel
// instances on that heap, and their scratch. Takes byte offsets of tensors the backend has checked.
// With more than one thread the heap is a shared memory and the GEMM and convolutions at least
// PARALLEL_MIN_FLOPS big, and relu and max pooling over at least PARALLEL_MIN_ELEMENTS, run in
// slices across a KernelThreadPool; everything else stays here.

import type { ConvGeometry, PoolGeometry } from '../../backend';
import {
  convBackwardData, convBackwardFilter, convForward, dataGradientAsForward, directForward, flipFilters, planDirectForward, runDirectForward,
} from './conv';
import { blockedGemm, matrixA, matrixB } from './gemm';
import { WasmHeap } from './heap';
import { instantiateKernels, type KernelExports, type SimdLevel } from './modules';
import { parallelConvBackwardData, parallelConvBackwardFilter, parallelConvForward, type ParallelContext } from './parallel-conv';
import { Scratch } from './scratch';
import { gemmSlices, PARALLEL_MIN_ELEMENTS, PARALLEL_MIN_FLOPS, partition } from './split';
import { KernelThreadPool, type SliceBody, type ThreadSpawner } from './thread-pool';

/** How a WasmKernels runs: on this thread alone, or on `threads` threads started by `spawner`. */
export interface KernelThreading {
  readonly threads: number;
  readonly spawner: ThreadSpawner;
}

export class WasmKernels {
  readonly heap: WasmHeap;
  private readonly x: KernelExports;
  private readonly scratch: Scratch;
  private readonly pool: KernelThreadPool | null;
  private readonly parallel: ParallelContext | null;

  /** Throws where the runtime cannot compile the kernels of `level` or cannot start the threads. */
  constructor(readonly level: SimdLevel, threading: KernelThreading | null = null) {
    const threaded = threading !== null && threading.threads > 1;
    this.heap = new WasmHeap(undefined, threaded);
    this.scratch = new Scratch(this.heap);
    this.x = instantiateKernels(this.heap.memory, level);
    this.pool = threaded ? new KernelThreadPool(this.heap, level, threading.threads, threading.spawner) : null;
    this.parallel = this.pool && {
      x: this.x, scratch: this.scratch, pool: this.pool, zero: (ptr, bytes) => this.zero(ptr, bytes),
      padCopy: (from, to, planes, h, w, ph, pw) => this.padCopy(from, to, planes, h, w, ph, pw),
    };
  }

  /** Threads the big ops run on (1: this one only). */
  get threads(): number { return this.pool?.threads ?? 1; }

  /** Ends the kernel threads; the backend is unusable after. */
  close(): void { this.pool?.close(); }

  /** The parallel context when an op of `flops` is worth splitting, else null. */
  private split(flops: number): ParallelContext | null {
    return flops >= PARALLEL_MIN_FLOPS ? this.parallel : null;
  }

  /** The same for a pass over memory touching `elements` floats. */
  private splitElements(elements: number): ParallelContext | null {
    return elements >= PARALLEL_MIN_ELEMENTS ? this.parallel : null;
  }

  /**
   * C (m×n) = alpha·op(A)·op(B) + beta·C for k ≥ 1, plus bias[row] (byte offset, 0 = none) and
   * relu(C) into `relu` (byte offset of a matrix like C, 0 = none) in the epilogue.
   */
  gemm(m: number, n: number, k: number, a: number, b: number, c: number,
    transA: boolean, transB: boolean, alpha: number, beta: number, bias = 0, relu = 0): void {
    // With one column, op(B) is a contiguous vector whether or not it is transposed.
    if (n === 1 && bias === 0 && relu === 0) {
      this.x.gemv(a, transA ? m : k, transA ? 1 : 0, b, c, m, k, alpha, beta);
      return;
    }
    const callOf = (x: KernelExports) => ({
      m, n, k, a: matrixA(x, a, transA ? m : k, transA), b: matrixB(x, b, transB ? k : n, transB),
      c, ldc: n, alpha, beta, bias, relu,
    });
    const parallel = this.split(2 * m * n * k);
    if (!parallel) { blockedGemm(this.x, this.scratch, callOf(this.x)); return; }
    parallel.pool.run('gemm', gemmSlices(m, n, parallel.pool.slices, callOf)
      .map((sliceOf): SliceBody => (x, scratch) => blockedGemm(x, scratch, sliceOf(x))));
  }

  /** bias: byte offset or 0 for none; relu: where relu(y) goes, or 0 for nowhere. */
  convForward(g: ConvGeometry, x: number, w: number, bias: number, y: number, relu = 0): void {
    const parallel = this.split(convFlops(g));
    if (directForward(g)) {
      // Reserved before any slice is recorded: planning may grow the heap.
      const plan = planDirectForward(this.x, this.heap.memory, this.scratch, g, x, w, parallel?.padCopy);
      if (!parallel) { runDirectForward(this.x, g, plan, bias, y, relu, 0, g.n); return; }
      const images = partition(g.n, parallel.pool.slices, 1);
      parallel.pool.run('convForward', images.slice(1).map((end, s): SliceBody => (k) => runDirectForward(k, g, plan, bias, y, relu, images[s], end)));
      return;
    }
    if (parallel) parallelConvForward(parallel, g, x, w, bias, y, relu);
    else convForward(this.x, this.scratch, g, x, w, bias, y, relu);
  }

  convBackwardData(g: ConvGeometry, dy: number, w: number, dx: number): void {
    const asForward = dataGradientAsForward(g);
    if (asForward) {
      const taps = g.m * g.c * g.kh * g.kw;
      const flipped = this.scratch.reserve('conv.flippedFilters', 4 * taps);
      const buffer = this.heap.memory.buffer;
      flipFilters(g, new Float32Array(buffer, w, taps), new Float32Array(buffer, flipped, taps));
      this.convForward(asForward, dy, flipped, 0, dx);
      return;
    }
    const parallel = this.split(convFlops(g));
    if (parallel) parallelConvBackwardData(parallel, g, dy, w, dx);
    else convBackwardData(this.x, this.scratch, g, dy, w, dx, (ptr, bytes) => this.zero(ptr, bytes));
  }

  convBackwardFilter(g: ConvGeometry, x: number, dy: number, dw: number): void {
    if (g.n === 0) { this.zero(dw, 4 * g.m * g.c * g.kh * g.kw); return; }
    const parallel = this.split(convFlops(g));
    if (parallel) parallelConvBackwardFilter(parallel, g, x, dy, dw);
    else convBackwardFilter(this.x, this.scratch, g, x, dy, dw, (ptr, bytes) => this.zero(ptr, bytes));
  }

  reluForward(x: number, y: number, length: number): void {
    const parallel = this.splitElements(length);
    if (!parallel) { this.x.relu_forward(x, y, length); return; }
    const bounds = partition(length, parallel.pool.slices, 4);
    parallel.pool.run('reluForward', bounds.slice(1).map((end, s): SliceBody => (k) => {
      const at = 4 * bounds[s];
      k.relu_forward(x + at, y + at, end - bounds[s]);
    }));
  }

  reluBackward(y: number, dy: number, dx: number, length: number): void {
    const parallel = this.splitElements(length);
    if (!parallel) { this.x.relu_backward(y, dy, dx, length); return; }
    const bounds = partition(length, parallel.pool.slices, 4);
    parallel.pool.run('reluBackward', bounds.slice(1).map((end, s): SliceBody => (k) => {
      const at = 4 * bounds[s];
      k.relu_backward(y + at, dy + at, dx + at, end - bounds[s]);
    }));
  }

  /** sums[r] = Σ_j m[r, j] (or += when accumulate). */
  rowSums(m: number, rows: number, cols: number, sums: number, accumulate: boolean): void {
    this.x.row_sums(m, rows, cols, sums, accumulate ? 1 : 0);
  }

  /** Split by planes: each slice pools whole planes, so the result never depends on the split. */
  maxPoolForward(g: PoolGeometry, x: number, y: number, argmax: number): void {
    const planes = g.c * g.n, perPlane = g.oh * g.ow;
    const pool = (k: KernelExports, first: number, end: number) => k.max_pool_forward(x, y + 4 * first * perPlane,
      argmax + 4 * first * perPlane, first, end, g.h, g.w, g.oh, g.ow, g.kh, g.kw, g.sh, g.sw);
    const parallel = this.splitElements(planes * g.h * g.w);
    if (!parallel) { pool(this.x, 0, planes); return; }
    const bounds = partition(planes, parallel.pool.slices, 1);
    parallel.pool.run('maxPoolForward', bounds.slice(1).map((end, s): SliceBody => (k) => pool(k, bounds[s], end)));
  }

  /**
   * argmax must already be checked to lie inside dx. Split by planes: a plane's outputs pick inputs
   * of that plane (as maxPoolForward writes them), so each slice zeroes and adds into its own planes.
   */
  maxPoolBackward(g: PoolGeometry, dy: number, argmax: number, dx: number): void {
    const planes = g.c * g.n, outPlane = g.oh * g.ow, inPlane = g.h * g.w;
    const parallel = this.splitElements(planes * inPlane);
    if (!parallel) { this.x.max_pool_backward(dy, argmax, dx, planes * outPlane, planes * inPlane); return; }
    const bounds = partition(planes, parallel.pool.slices, 1);
    parallel.pool.run('maxPoolBackward', bounds.slice(1).map((end, s): SliceBody => (k) => {
      const first = bounds[s], count = end - first;
      k.zero(dx + 4 * first * inPlane, 4 * count * inPlane);
      k.max_pool_backward(dy + 4 * first * outPlane, argmax + 4 * first * outPlane, dx, count * outPlane, 0);
    }));
  }

  /** pad_copy, split by planes when the padded planes hold at least PARALLEL_MIN_ELEMENTS floats. */
  private padCopy(from: number, to: number, planes: number, h: number, w: number, ph: number, pw: number): void {
    const hp = h + 2 * ph, wp = w + 2 * pw;
    const parallel = this.splitElements(planes * hp * wp);
    if (!parallel) { this.x.pad_copy(from, to, planes, h, w, ph, pw); return; }
    const bounds = partition(planes, parallel.pool.slices, 1);
    parallel.pool.run('padCopy', bounds.slice(1).map((end, s): SliceBody => (k) => {
      const first = bounds[s];
      k.pad_copy(from + 4 * first * h * w, to + 4 * first * hp * wp, end - first, h, w, ph, pw);
    }));
  }

  private zero(ptr: number, bytes: number): void {
    this.x.zero_bytes(ptr, bytes);
  }
}

/** Flops of a convolution's GEMM (forward, or either gradient: the same count). */
function convFlops(g: ConvGeometry): number {
  return 2 * g.m * g.c * g.kh * g.kw * g.n * g.oh * g.ow;
}
