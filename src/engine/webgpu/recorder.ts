// Records the backend's calls into one command encoder (one compute pass between copies) and
// submits them on flush(): a training step becomes a single submit. Uniforms and mid-step uploads
// go through per-submission arenas, written to the GPU just before the submit, so recording never
// races with queue.writeBuffer.

import { BindGroupCache } from './bind-group-cache';
import { BufferUsage } from './gpu-constants';
import { PARAM_SLOT_BYTES, type Kernel } from './kernel';
import { PipelineCache } from './pipeline-cache';
import { StagingArena } from './staging-arena';
import { Workspace } from './workspace';
import { WebGpuError } from './errors';
import { sliceBuffer, sliceOffset, type BufferSlice } from './gpu-tensor';

/** Dispatches per submission before the recorder submits on its own (1,024 uniform slots). */
const UNIFORM_ARENA_BYTES = 1024 * PARAM_SLOT_BYTES;
/** Host writes made while work is pending are staged here (larger ones flush first). */
const UPLOAD_ARENA_BYTES = 4 << 20;
/** WebGPU's default maxComputeWorkgroupsPerDimension; grids spill into y and z past it. */
export const MAX_WORKGROUPS_PER_DIMENSION = 65535;

export interface RecorderStats {
  /** Compute dispatches recorded. */
  dispatches: number;
  /** queue.submit calls. */
  submits: number;
  /** Buffer-to-buffer copies recorded (copy(), staged uploads, readbacks, alias snapshots). */
  copies: number;
}

export class CommandRecorder {
  readonly stats: RecorderStats = { dispatches: 0, submits: 0, copies: 0 };
  readonly pipelines: PipelineCache;
  readonly workspace: Workspace;
  private readonly bindGroups: BindGroupCache;
  private readonly uniforms: StagingArena;
  private readonly uploads: StagingArena;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private retired: GPUBuffer[] = [];
  /** While compileFor() runs its dry pass: the kernels dispatched. */
  private collecting: Set<Kernel> | null = null;
  /** While timeSection() records: every compute pass writes its begin and end timestamps here. */
  private timing: { readonly querySet: GPUQuerySet; next: number; readonly end: number } | null = null;

  constructor(private readonly device: GPUDevice, onError: (message: string) => void) {
    this.pipelines = new PipelineCache(device, onError);
    this.bindGroups = new BindGroupCache(device);
    this.workspace = new Workspace(device, (b) => this.retire(b));
    this.uniforms = new StagingArena(device, UNIFORM_ARENA_BYTES, BufferUsage.UNIFORM | BufferUsage.COPY_DST, 'uniforms');
    this.uploads = new StagingArena(device, UPLOAD_ARENA_BYTES, BufferUsage.COPY_SRC | BufferUsage.COPY_DST, 'uploads');
  }

  get hasPendingWork(): boolean { return this.encoder !== null; }

  /**
   * Runs `record` without recording anything, noting only the kernels it would dispatch, then
   * builds their pipelines asynchronously, all together (PipelineCache.compile). Copies and
   * uploads made meanwhile are dropped too, so `record` must be pure dispatch work (a forward and
   * backward pass), not a host write whose effect is needed.
   */
  async compileFor(record: () => void): Promise<void> {
    if (this.collecting) throw new WebGpuError('compileFor() calls cannot nest');
    const kernels = new Set<Kernel>();
    this.collecting = kernels;
    try { record(); } finally { this.collecting = null; }
    await this.pipelines.compile(kernels);
  }

  /**
   * Records `record` in compute passes of its own that write their begin and end timestamps into
   * `querySet` from index `first` on (at most `capacity` slots); returns the slots used, pairs of
   * (begin, end), so the section's GPU time is the sum of each pair's difference (autotune/).
   */
  timeSection(querySet: GPUQuerySet, first: number, capacity: number, record: () => void): number {
    if (this.collecting || this.timing) throw new WebGpuError('timeSection() cannot nest or run inside compileFor()');
    this.endPass();
    this.timing = { querySet, next: first, end: first + capacity };
    try {
      record();
      this.endPass();
      return this.timing.next - first;
    } finally {
      this.timing = null;
    }
  }

  /** Copies `count` timestamps from `querySet` into `destination` (a QUERY_RESOLVE buffer), in order with the work. */
  resolveTimestamps(querySet: GPUQuerySet, count: number, destination: GPUBuffer): void {
    this.endPass();
    this.commandEncoder().resolveQuerySet(querySet, 0, count, destination, 0);
  }

  /**
   * Records one dispatch. `buffers` follow kernel.buffers; a read-only binding that is the same
   * buffer as a writable one (an in-place call such as activationBackward(y, dy, dy)) is bound to
   * a snapshot copy, since WebGPU forbids a writable buffer to appear twice in one dispatch.
   */
  dispatch(kernel: Kernel, buffers: readonly BufferSlice[], params: Readonly<Record<string, number>>,
    workgroups: readonly [number, number?, number?]): void {
    const [x, y = 1, z = 1] = workgroups;
    if (x === 0 || y === 0 || z === 0) return;
    if (x > MAX_WORKGROUPS_PER_DIMENSION || y > MAX_WORKGROUPS_PER_DIMENSION || z > MAX_WORKGROUPS_PER_DIMENSION) {
      throw new RangeError(`kernel ${kernel.name}: ${x}×${y}×${z} workgroups exceed ${MAX_WORKGROUPS_PER_DIMENSION} per dimension`);
    }
    if (buffers.length !== kernel.buffers.length) {
      throw new WebGpuError(`kernel ${kernel.name}: expected ${kernel.buffers.length} buffers, got ${buffers.length}`);
    }
    if (this.collecting) {
      this.collecting.add(kernel);
      return;
    }
    let offset = this.uniforms.allocate(PARAM_SLOT_BYTES, PARAM_SLOT_BYTES);
    if (offset < 0) {
      this.flush();
      offset = this.uniforms.allocate(PARAM_SLOT_BYTES, PARAM_SLOT_BYTES);
    }
    kernel.packParams(this.uniforms.view, offset, params);
    const bound = this.resolveAliases(kernel, buffers);
    const { pipeline, layout } = this.pipelines.get(kernel);
    const group = this.bindGroups.get(kernel, layout, this.uniforms.buffer, bound);
    const pass = this.computePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group, [offset]);
    pass.dispatchWorkgroups(x, y, z);
    this.stats.dispatches++;
  }

  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
    if (bytes === 0 || this.collecting) return;
    this.endPass();
    this.commandEncoder().copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
    this.stats.copies++;
  }

  /** Host → device, ordered after everything recorded so far. */
  upload(dst: GPUBuffer, byteOffset: number, data: ArrayBufferView): void {
    if (data.byteLength === 0) return;
    if (this.collecting) throw new WebGpuError('a host write inside compileFor() would be dropped; write before or after it');
    if (this.hasPendingWork) {
      const at = this.uploads.allocate(data.byteLength, 4);
      if (at >= 0) {
        this.uploads.set(at, data);
        this.copy(this.uploads.buffer, at, dst, byteOffset, data.byteLength);
        return;
      }
      this.flush();
    }
    this.device.queue.writeBuffer(dst, byteOffset, data.buffer, data.byteOffset, data.byteLength);
  }

  /** Destroys `b` once the work recorded so far has been submitted. */
  retire(b: GPUBuffer): void {
    this.bindGroups.forget(b);
    if (this.hasPendingWork) this.retired.push(b); else b.destroy();
  }

  flush(): void {
    if (!this.encoder) return;
    this.endPass();
    const commands = this.encoder.finish();
    this.encoder = null;
    this.uploads.upload(this.device.queue);
    this.uniforms.upload(this.device.queue);
    this.device.queue.submit([commands]);
    this.stats.submits++;
    for (const b of this.retired) b.destroy();
    this.retired = [];
  }

  destroy(): void {
    this.pass = null;
    this.encoder = null;
    this.workspace.destroy();
    this.uniforms.destroy();
    this.uploads.destroy();
  }

  private resolveAliases(kernel: Kernel, buffers: readonly BufferSlice[]): readonly BufferSlice[] {
    let bound: BufferSlice[] | null = null;
    kernel.buffers.forEach((binding, i) => {
      if (binding.access !== 'read_write') return;
      const written = sliceBuffer(buffers[i]);
      buffers.forEach((other, j) => {
        if (j === i || sliceBuffer(other) !== written) return;
        if (kernel.buffers[j].access === 'read_write') {
          // Two writable views of one arena may share a buffer when their ranges are disjoint.
          if (sliceOffset(other) !== sliceOffset(buffers[i])) return;
          throw new WebGpuError(`kernel ${kernel.name}: '${binding.name}' and '${kernel.buffers[j].name}' are the same tensor`);
        }
        bound ??= [...buffers];
        // The whole buffer is copied, so a view keeps its offset into the snapshot.
        const snapshot = this.workspace.get(`alias${j}`, written.size);
        this.copy(written, 0, snapshot, 0, written.size);
        bound[j] = 'buffer' in other ? { ...other, buffer: snapshot } : snapshot;
      });
    });
    return bound ?? buffers;
  }

  private commandEncoder(): GPUCommandEncoder {
    return (this.encoder ??= this.device.createCommandEncoder({ label: 'convlab step' }));
  }

  private computePass(): GPUComputePassEncoder {
    if (this.pass) return this.pass;
    const timing = this.timing;
    if (!timing) return (this.pass = this.commandEncoder().beginComputePass());
    if (timing.next + 2 > timing.end) throw new WebGpuError('timeSection(): more compute passes than timestamp slots');
    const timestampWrites = { querySet: timing.querySet, beginningOfPassWriteIndex: timing.next, endOfPassWriteIndex: timing.next + 1 };
    timing.next += 2;
    return (this.pass = this.commandEncoder().beginComputePass({ timestampWrites }));
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = null;
  }
}

/** Workgroup grid for `count` invocations of a 1-D kernel: x first, spilling into y past 65,535. */
export function linearGrid(count: number, workgroupSize: number): [number, number] {
  const groups = Math.ceil(count / workgroupSize);
  if (groups <= MAX_WORKGROUPS_PER_DIMENSION) return [groups, 1];
  const y = Math.ceil(groups / MAX_WORKGROUPS_PER_DIMENSION);
  return [Math.ceil(groups / y), y];
}
