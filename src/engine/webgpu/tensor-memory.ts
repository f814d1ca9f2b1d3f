// Device memory of the WebGPU backend: tensors as storage buffers, host writes ordered with the
// recorded work, buffer-to-buffer copies, and read-back through pooled staging buffers (the only
// GPU → host transfer).

import type { DeviceHealth } from './device-health';
import { errorMessage } from '../errors';
import { WebGpuError } from './errors';
import { BufferUsage, MapMode } from './gpu-constants';
import { asGpuTensor, checkTensor, elementBytes, GpuTensor } from './gpu-tensor';
import { ReadbackPool } from './readback-pool';
import type { CommandRecorder } from './recorder';
import type { Tensor } from '../backend';
import { checkU32Values } from '../u32-values';

export const STORAGE = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;

export class TensorMemory {
  private readonly staging: ReadbackPool;
  private completedReadbacks = 0;

  constructor(private readonly device: GPUDevice, private readonly recorder: CommandRecorder,
    private readonly health: DeviceHealth) {
    this.staging = new ReadbackPool(device);
  }

  /** Completed reads so far. */
  get readbacks(): number { return this.completedReadbacks; }

  allocate(length: number, dtype: 'f32' | 'u32'): GpuTensor {
    this.health.check();
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`tensor length must be a natural number, got ${length}`);
    const limit = this.device.limits.maxStorageBufferBindingSize;
    if (elementBytes(length) > limit) {
      throw new RangeError(`a tensor of ${length} elements exceeds this device's ${limit}-byte storage binding limit`);
    }
    // New buffers are zero-filled by WebGPU.
    const buffer = this.device.createBuffer({ label: `${dtype}[${length}]`, size: elementBytes(length), usage: STORAGE });
    return new GpuTensor(length, dtype, buffer);
  }

  write(t: Tensor, data: ArrayLike<number>, offset: number): void {
    const g = asGpuTensor(t);
    if (offset < 0 || offset + data.length > g.length) {
      throw new RangeError(`write of ${data.length} elements at ${offset} overflows a tensor of ${g.length}`);
    }
    if (g.dtype === 'f32') {
      this.recorder.upload(g.buffer, g.byteOffset + offset * 4, data instanceof Float32Array ? data : Float32Array.from(data));
      return;
    }
    checkU32Values('WebGpuBackend.write', data);
    const typed = data instanceof Uint32Array ? data : Uint32Array.from(data);
    g.hostValues ??= new Uint32Array(g.length);
    g.hostValues.set(typed, offset);
    this.recorder.upload(g.buffer, g.byteOffset + offset * 4, typed);
  }

  copy(src: Tensor, dst: Tensor, length?: number): void {
    const s = asGpuTensor(src, 'copy source');
    const n = length ?? s.length;
    checkTensor(src, n, 'copy source', s.dtype);
    const d = checkTensor(dst, n, 'copy destination', s.dtype);
    if (s === d) return;
    this.recorder.copy(s.buffer, s.byteOffset, d.buffer, d.byteOffset, n * 4);
    if (d.dtype === 'u32') {
      // The host copy follows the device's, or is dropped when the source's values are not known here.
      if (s.hostValues && d.hostValues) d.hostValues.set(s.hostValues.subarray(0, n));
      else d.hostValues = null;
    }
  }

  dispose(t: Tensor): void {
    const g = asGpuTensor(t);
    g.markDisposed();
    // A view's buffer belongs to its arena, freed when the arena is.
    if (!g.isView) this.recorder.retire(g.buffer);
  }

  /** Elements between aligned view starts (minStorageBufferOffsetAlignment / 4). */
  get viewAlignment(): number { return this.device.limits.minStorageBufferOffsetAlignment / 4; }

  /** A tensor of `length` elements at element `offset` of `arena`, sharing its buffer. */
  view(arena: Tensor, offset: number, length: number): GpuTensor {
    const a = asGpuTensor(arena, 'arena');
    if (a.isView) throw new WebGpuError('a view cannot be carved from another view');
    if (!Number.isInteger(offset) || offset < 0 || offset % this.viewAlignment !== 0) {
      throw new RangeError(`view offset ${offset} must be a natural number and a multiple of ${this.viewAlignment} elements`);
    }
    if (!Number.isInteger(length) || length < 0 || offset + length > a.length) {
      throw new RangeError(`a view of ${length} elements at ${offset} overflows an arena of ${a.length}`);
    }
    return new GpuTensor(length, a.dtype, a.buffer, offset * 4, a);
  }

  /** Readback buffers held by reads in flight (0 once every read has settled, failed or not). */
  get readbacksInUse(): number { return this.staging.inUse; }

  /**
   * Submits everything recorded so far and resolves with t's bytes as they are after it. The
   * staging buffer is unmapped and handed back in `finally`, so a failed read leaks nothing.
   */
  async readBytes(t: GpuTensor): Promise<ArrayBuffer> {
    this.health.check();
    const bytes = t.length * 4;
    const staging = this.staging.acquire(bytes);
    let mapped = false, read = false;
    try {
      this.recorder.copy(t.buffer, t.byteOffset, staging, 0, bytes);
      this.recorder.flush();
      try {
        await staging.mapAsync(MapMode.READ, 0, Math.max(4, bytes));
        mapped = true;
      } catch (e) {
        await this.health.lossNoticed();
        this.health.check();
        throw new WebGpuError(`read failed: ${errorMessage(e)}`, { cause: e });
      }
      const out = staging.getMappedRange(0, Math.max(4, bytes)).slice(0, bytes);
      read = true;
      this.completedReadbacks++;
      this.health.check();  // a validation error in the work just read means `out` is not trustworthy
      return out;
    } finally {
      if (mapped) staging.unmap();
      if (read) this.staging.release(staging); else this.staging.discard(staging);
    }
  }

  destroy(): void { this.staging.destroy(); }
}
