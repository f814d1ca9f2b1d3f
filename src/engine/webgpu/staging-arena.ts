// A per-submission arena in host memory mirrored by one GPU buffer. Regions handed out between two
// submits are uploaded together with one queue.writeBuffer just before the submit, so every
// dispatch (or copy) sees its own bytes: a value that changes each step, like a decaying learning
// rate, is never overwritten while an earlier, not yet submitted dispatch still refers to it.

export class StagingArena {
  readonly buffer: GPUBuffer;
  readonly view: DataView;
  private readonly bytes: Uint8Array;
  private used = 0;

  constructor(device: GPUDevice, readonly capacity: number, usage: number, label: string) {
    this.buffer = device.createBuffer({ label, size: capacity, usage });
    this.bytes = new Uint8Array(capacity);
    this.view = new DataView(this.bytes.buffer);
  }

  get isEmpty(): boolean { return this.used === 0; }

  /** Byte offset of a fresh region of `size` bytes aligned to `align`, or -1 when it does not fit. */
  allocate(size: number, align: number): number {
    const offset = Math.ceil(this.used / align) * align;
    if (offset + size > this.capacity) return -1;
    this.used = offset + size;
    return offset;
  }

  /** Copies host bytes into a region returned by allocate(). */
  set(offset: number, data: ArrayBufferView): void {
    this.bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), offset);
  }

  /** Queues the used bytes for upload (ordered before the next submit) and starts over. */
  upload(queue: GPUQueue): void {
    if (this.used === 0) return;
    queue.writeBuffer(this.buffer, 0, this.bytes.buffer, 0, Math.ceil(this.used / 4) * 4);
    this.used = 0;
  }

  destroy(): void { this.buffer.destroy(); }
}
