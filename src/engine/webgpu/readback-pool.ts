// MAP_READ staging buffers for read(), pooled by power-of-two size so reading the metrics every few
// steps allocates nothing. A buffer is busy from acquire() until release() after unmap(), or until
// discard() when its read failed (a lost device's buffers are of no further use).

import { BufferUsage } from './gpu-constants';

const MIN_BYTES = 256;
const KEEP_PER_SIZE = 4;

export class ReadbackPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private busy = 0;

  constructor(private readonly device: GPUDevice) {}

  /** Buffers acquired and not yet released or discarded: 0 whenever no read is in flight. */
  get inUse(): number { return this.busy; }

  acquire(bytes: number): GPUBuffer {
    const size = Math.max(MIN_BYTES, 2 ** Math.ceil(Math.log2(Math.max(1, bytes))));
    const b = this.free.get(size)?.pop()
      ?? this.device.createBuffer({ label: 'readback', size, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
    this.busy++;
    return b;
  }

  release(b: GPUBuffer): void {
    this.busy--;
    let list = this.free.get(b.size);
    if (!list) this.free.set(b.size, (list = []));
    if (list.length < KEEP_PER_SIZE) list.push(b); else b.destroy();
  }

  discard(b: GPUBuffer): void {
    this.busy--;
    b.destroy();
  }

  destroy(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
  }
}
