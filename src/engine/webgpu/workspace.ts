// Named scratch buffers (im2col matrices, split-K partial sums, alias snapshots), reused across
// calls and grown geometrically. Buffers recorded into the current submission stay valid: a
// replaced buffer is handed to `retire`, which destroys it only after the submit.

import { BufferUsage } from './gpu-constants';

export class Workspace {
  private readonly buffers = new Map<string, GPUBuffer>();

  constructor(private readonly device: GPUDevice, private readonly retire: (b: GPUBuffer) => void) {}

  /** A buffer of at least `bytes` bytes for `slot` (contents undefined). */
  get(slot: string, bytes: number): GPUBuffer {
    const current = this.buffers.get(slot);
    if (current && current.size >= bytes) return current;
    if (current) this.retire(current);
    const size = Math.max(256, Math.ceil(Math.max(bytes, (current?.size ?? 0) * 1.5) / 256) * 256);
    const b = this.device.createBuffer({
      label: `workspace:${slot}`, size, usage: BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST,
    });
    this.buffers.set(slot, b);
    return b;
  }

  destroy(): void {
    for (const b of this.buffers.values()) b.destroy();
    this.buffers.clear();
  }
}
