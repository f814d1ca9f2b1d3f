// GPU time of recorded work, from timestamp queries: each timed section's compute passes write their
// begin and end timestamps (CommandRecorder.timeSection), one resolve and one readback per call.
// Needs a device created with 'timestamp-query' (device.ts asks for it when the adapter offers it).

import { BufferUsage, MapMode } from '../gpu-constants';
import type { CommandRecorder } from '../recorder';

/** GPUBufferUsage.QUERY_RESOLVE (fixed by the spec; absent from gpu-constants.ts's common set). */
const QUERY_RESOLVE = 0x0200;
/** Timestamp slots: two per compute pass, shared by all the repeats of one call. */
const SLOTS = 256;
const BYTES = SLOTS * 8;

export class TimestampStopwatch {
  private readonly querySet: GPUQuerySet;
  private readonly resolved: GPUBuffer;
  private readonly readback: GPUBuffer;

  constructor(device: GPUDevice, private readonly recorder: CommandRecorder) {
    this.querySet = device.createQuerySet({ label: 'autotune timestamps', type: 'timestamp', count: SLOTS });
    this.resolved = device.createBuffer({ label: 'autotune timestamps', size: BYTES, usage: QUERY_RESOLVE | BufferUsage.COPY_SRC });
    this.readback = device.createBuffer({ label: 'autotune readback', size: BYTES, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
  }

  /** Nanoseconds of each of `repeats` runs of `record`, after one untimed run (pipelines and caches warm). */
  async time(record: () => void, repeats: number): Promise<number[]> {
    const recorder = this.recorder;
    recorder.flush();
    record();
    const sections: [first: number, count: number][] = [];
    let used = 0;
    for (let r = 0; r < repeats; r++) {
      const count = recorder.timeSection(this.querySet, used, SLOTS - used, record);
      sections.push([used, count]);
      used += count;
    }
    if (used === 0) return sections.map(() => 0);
    recorder.resolveTimestamps(this.querySet, used, this.resolved);
    recorder.copy(this.resolved, 0, this.readback, 0, used * 8);
    recorder.flush();
    await this.readback.mapAsync(MapMode.READ, 0, used * 8);
    try {
      const stamps = new BigUint64Array(this.readback.getMappedRange(0, used * 8));
      return sections.map(([first, count]) => {
        let ns = 0n;
        // A pass whose end reads before its begin (a reset or coarse clock) counts as 0, never negative.
        for (let i = first; i < first + count; i += 2) if (stamps[i + 1] > stamps[i]) ns += stamps[i + 1] - stamps[i];
        return Number(ns);
      });
    } finally {
      this.readback.unmap();
    }
  }

  /** Frees the query set and buffers once the work recorded so far has been submitted. */
  destroy(): void {
    try { this.recorder.flush(); } finally {
      this.querySet.destroy();
      this.recorder.retire(this.resolved);
      this.recorder.retire(this.readback);
    }
  }
}
