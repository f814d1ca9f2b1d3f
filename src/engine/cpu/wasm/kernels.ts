// One CpuBackend's WebAssembly engine: its heap (where the backend's tensors live), the kernel
// instances on that heap, and their scratch. Takes byte offsets of tensors the backend has checked.

import type { ConvGeometry, PoolGeometry } from '../../backend';
import { convBackwardData, convBackwardFilter, convForward } from './conv';
import { blockedGemm, matrixA, matrixB } from './gemm';
import { WasmHeap } from './heap';
import { instantiateKernels, type KernelExports, type SimdLevel } from './modules';
import { Scratch } from './scratch';

export class WasmKernels {
  readonly heap = new WasmHeap();
  private readonly x: KernelExports;
  private readonly scratch = new Scratch(this.heap);

  /** Throws where the runtime cannot compile the kernels of `level`. */
  constructor(readonly level: SimdLevel) {
    this.x = instantiateKernels(this.heap.memory, level);
  }

  /** C (m×n) = alpha·op(A)·op(B) + beta·C for k ≥ 1. */
  gemm(m: number, n: number, k: number, a: number, b: number, c: number,
    transA: boolean, transB: boolean, alpha: number, beta: number): void {
    // With one column, op(B) is a contiguous vector whether or not it is transposed.
    if (n === 1) {
      this.x.gemv(a, transA ? m : k, transA ? 1 : 0, b, c, m, k, alpha, beta);
      return;
    }
    blockedGemm(this.x, this.scratch, {
      m, n, k, a: matrixA(this.x, a, transA ? m : k, transA), b: matrixB(this.x, b, transB ? k : n, transB),
      c, ldc: n, alpha, beta, bias: 0,
    });
  }

  /** bias: byte offset or 0 for none. */
  convForward(g: ConvGeometry, x: number, w: number, bias: number, y: number): void {
    convForward(this.x, this.scratch, g, x, w, bias, y);
  }

  convBackwardData(g: ConvGeometry, dy: number, w: number, dx: number): void {
    convBackwardData(this.x, this.scratch, g, dy, w, dx, (ptr, bytes) => this.zero(ptr, bytes));
  }

  convBackwardFilter(g: ConvGeometry, x: number, dy: number, dw: number): void {
    if (g.n === 0) this.zero(dw, 4 * g.m * g.c * g.kh * g.kw);
    else convBackwardFilter(this.x, this.scratch, g, x, dy, dw, (ptr, bytes) => this.zero(ptr, bytes));
  }

  reluForward(x: number, y: number, length: number): void {
    this.x.relu_forward(x, y, length);
  }

  reluBackward(y: number, dy: number, dx: number, length: number): void {
    this.x.relu_backward(y, dy, dx, length);
  }

  /** sums[r] = Σ_j m[r, j] (or += when accumulate). */
  rowSums(m: number, rows: number, cols: number, sums: number, accumulate: boolean): void {
    this.x.row_sums(m, rows, cols, sums, accumulate ? 1 : 0);
  }

  maxPoolForward(g: PoolGeometry, x: number, y: number, argmax: number): void {
    this.x.max_pool_forward(x, y, argmax, g.c * g.n, g.h, g.w, g.oh, g.ow, g.kh, g.kw, g.sh, g.sw);
  }

  /** argmax must already be checked to lie inside dx. */
  maxPoolBackward(g: PoolGeometry, dy: number, argmax: number, dx: number): void {
    this.x.max_pool_backward(dy, argmax, dx, g.c * g.n * g.oh * g.ow, g.c * g.n * g.h * g.w);
  }

  private zero(ptr: number, bytes: number): void {
    new Uint8Array(this.heap.memory.buffer, ptr, bytes).fill(0);
  }
}
