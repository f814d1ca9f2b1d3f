// Bind groups are cached per (kernel, buffers): a training step binds the same tensors every step,
// so after the first step no bind group is created. Entries die with the buffers they reference.

import { sliceBuffer, sliceOffset, type BufferSlice } from './gpu-tensor';
import { PARAM_SLOT_BYTES, type Kernel } from './kernel';

const bufferIds = new WeakMap<GPUBuffer, number>();
let nextBufferId = 1;

function bufferId(b: GPUBuffer): number {
  let id = bufferIds.get(b);
  if (id === undefined) bufferIds.set(b, (id = nextBufferId++));
  return id;
}

export class BindGroupCache {
  private readonly groups = new Map<string, { readonly group: GPUBindGroup; readonly ids: readonly number[] }>();
  /** buffer id → cache keys that mention it. */
  private readonly byBuffer = new Map<number, Set<string>>();

  constructor(private readonly device: GPUDevice) {}

  get size(): number { return this.groups.size; }

  get(kernel: Kernel, layout: GPUBindGroupLayout, uniforms: GPUBuffer, buffers: readonly BufferSlice[]): GPUBindGroup {
    const ids = [uniforms, ...buffers.map(sliceBuffer)].map(bufferId);
    // Views of one arena share a buffer and differ by range.
    const ranges = buffers.map((b) => ('buffer' in b ? `${sliceOffset(b)}+${b.size}` : '*')).join(',');
    const key = `${kernel.name}|${ids.join(',')}|${ranges}`;
    const cached = this.groups.get(key);
    if (cached) return cached.group;
    const group = this.device.createBindGroup({
      label: kernel.name,
      layout,
      entries: [
        { binding: 0, resource: { buffer: uniforms, offset: 0, size: PARAM_SLOT_BYTES } },
        ...buffers.map((b, i) => ({ binding: i + 1, resource: 'buffer' in b ? { ...b } : { buffer: b } })),
      ],
    });
    this.groups.set(key, { group, ids });
    for (const id of ids) {
      let keys = this.byBuffer.get(id);
      if (!keys) this.byBuffer.set(id, (keys = new Set()));
      keys.add(key);
    }
    return group;
  }

  /** Drops every bind group that references `buffer` (called when it is destroyed). */
  forget(buffer: GPUBuffer): void {
    const id = bufferIds.get(buffer);
    if (id === undefined) return;
    for (const key of this.byBuffer.get(id) ?? []) {
      for (const other of this.groups.get(key)?.ids ?? []) if (other !== id) this.byBuffer.get(other)?.delete(key);
      this.groups.delete(key);
    }
    this.byBuffer.delete(id);
  }
}
