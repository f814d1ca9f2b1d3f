// How the big ops split into slices for the kernel threads. Every split is by output: each slice
// computes whole output elements with the same k blocking as one thread would, so the GEMM and the
// convolution forward and filter gradient give bit-identical results at any thread count; the data
// gradient splits by images (col2im's scatter never crosses an image), which keeps every element's
// sum order fixed by the shape and the thread count alone.

import type { GemmCall } from './gemm';
import type { KernelExports } from './modules';

/** Below this many flops (2·m·n·k) an op stays on the calling thread: waking threads costs more. */
export const PARALLEL_MIN_FLOPS = 1 << 21;

/** The same for passes over memory (relu, pooling): below this many elements one thread is quicker. */
export const PARALLEL_MIN_ELEMENTS = 1 << 16;

/**
 * Boundaries [b0 = 0, …, bp = total] of at most `parts` non-empty ranges of [0, total), each
 * starting on a multiple of `unit` (the micro-kernel's strip width), as equal as that allows.
 */
export function partition(total: number, parts: number, unit: number): number[] {
  const units = Math.ceil(total / unit), count = Math.max(1, Math.min(parts, units));
  const bounds = [0];
  for (let p = 1; p <= count; p++) bounds.push(Math.min(total, Math.round((p * units) / count) * unit));
  return bounds;
}

/** A GEMM whose packers are bound to the kernels given (the main thread's, or a slice recorder). */
export type GemmOf = (x: KernelExports) => GemmCall;

/**
 * The GEMM's slices: column panels (multiples of 8) when C is at least as wide as it is tall,
 * else row panels (multiples of 4), so only the smaller operand is packed by every slice.
 */
export function gemmSlices(m: number, n: number, parts: number, callOf: GemmOf): GemmOf[] {
  const byColumns = n >= m;
  const bounds = partition(byColumns ? n : m, parts, byColumns ? 8 : 4);
  return bounds.slice(1).map((end, p) => {
    const start = bounds[p];
    return (x) => {
      const call = callOf(x);
      if (byColumns) {
        const b = call.b;
        return {
          ...call, n: end - start, c: call.c + 4 * start, relu: call.relu ? call.relu + 4 * start : 0,
          b: (dst, j0, count, k0, kc) => b(dst, j0 + start, count, k0, kc),
        };
      }
      const a = call.a;
      return {
        ...call, m: end - start, c: call.c + 4 * start * call.ldc, bias: call.bias === 0 ? 0 : call.bias + 4 * start,
        relu: call.relu ? call.relu + 4 * start * call.ldc : 0,
        a: (dst, r0, count, k0, kc) => a(dst, r0 + start, count, k0, kc),
      };
    };
  });
}
