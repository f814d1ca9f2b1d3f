// Device tensors: a GPUBuffer each, 4-byte elements (f32 or u32), or a view of an arena's buffer
// (byteOffset > 0 or a shared buffer) so one kernel can sweep many tensors in a single dispatch.

import type { Tensor } from '../backend';
import { WebGpuError } from './errors';
import { checkLabelValues } from '../u32-values';

export class GpuTensor implements Tensor {
  private live = true;
  /** For a u32 tensor filled from the host (labels): the values last written, so losses can check
   *  them without a read-back. Null until the host writes the whole tensor. */
  hostValues: Uint32Array | null = null;
  /** What kernels bind: the whole buffer, or the view's range of it. */
  readonly binding: BufferSlice;

  /** `owner` is the arena tensor whose buffer a view shares (null for a tensor with its own buffer). */
  constructor(readonly length: number, readonly dtype: 'f32' | 'u32', readonly buffer: GPUBuffer,
    readonly byteOffset = 0, private readonly owner: GpuTensor | null = null) {
    this.binding = owner ? { buffer, offset: byteOffset, size: elementBytes(length) } : buffer;
  }

  get isLive(): boolean { return this.live && (this.owner?.isLive ?? true); }
  /** Whether this tensor shares its buffer with others (disposing it frees nothing). */
  get isView(): boolean { return this.owner !== null; }
  markDisposed(): void { this.live = false; }
}

/** A storage binding: a whole buffer or a range of one (offsets aligned to minStorageBufferOffsetAlignment). */
export type BufferSlice = GPUBuffer | { readonly buffer: GPUBuffer; readonly offset: number; readonly size: number };

export function sliceBuffer(s: BufferSlice): GPUBuffer { return 'buffer' in s ? s.buffer : s; }
export function sliceOffset(s: BufferSlice): number { return 'buffer' in s ? s.offset : 0; }

/** Bytes backing `length` 4-byte elements: never 0, since a zero-sized binding is invalid. */
export function elementBytes(length: number): number {
  return Math.max(4, length * 4);
}

export function asGpuTensor(t: Tensor, what = 'tensor'): GpuTensor {
  if (!(t instanceof GpuTensor)) throw new WebGpuError(`${what} was not created by this webgpu backend`);
  if (!t.isLive) throw new WebGpuError(`${what} was disposed`);
  return t;
}

/** Throws unless t holds at least `length` elements of the expected dtype. */
export function checkTensor(t: Tensor, length: number, what: string, dtype: 'f32' | 'u32' = 'f32'): GpuTensor {
  const g = asGpuTensor(t, what);
  if (g.dtype !== dtype) throw new WebGpuError(`${what} must be a ${dtype} tensor, got ${g.dtype}`);
  if (g.length < length) throw new RangeError(`${what} has ${g.length} elements, the call needs ${length}`);
  return g;
}

/** Labels written from the host must name one of `classes` classes, as on the CPU; kernel-written
 *  u32 tensors (no host copy) cannot be checked without a read-back and are left to the kernel. */
export function checkHostLabels(op: string, labels: Tensor, n: number, classes: number): void {
  const g = checkTensor(labels, n, `${op}: labels`, 'u32');
  if (g.hostValues) checkLabelValues(`WebGpuBackend.${op}`, g.hostValues, n, classes);
}
