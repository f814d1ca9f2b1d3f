// MAP_READ staging buffers for read(), pooled by power-of-two size so reading the metrics every few
// steps allocates nothing. A buffer is busy from acquire() until release() after unmap().

import { BufferUsage } from './gpu-constants';

const MIN_BYTES = 256;
const KEEP_PER_SIZE = 4;

export class ReadbackPool {
  private readonly free = new Map<number, GPUBuffer[]>();

  constructor(private readonly device: GPUDevice) {}

  acquire(bytes: number): GPUBuffer {
    const size = Math.max(MIN_BYTES, 2 ** Math.ceil(Math.log2(Math.max(1, bytes))));
    return this.free.get(size)?.pop()
      ?? this.device.createBuffer({ label: 'readback', size, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
  }

  release(b: GPUBuffer): void {
    let list = this.free.get(b.size);
    if (!list) this.free.set(b.size, (list = []));
    if (list.length < KEEP_PER_SIZE) list.push(b); else b.destroy();
  }

  destroy(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
  }
}
