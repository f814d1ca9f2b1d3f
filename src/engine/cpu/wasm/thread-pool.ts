// The main thread's side of the kernel threads: starts them through an injected ThreadSpawner (Node's
// worker_threads in engine/cpu/node-threads.ts; nothing here names a platform API), records each
// slice of an op as kernel calls in the heap, runs the op across the threads and waits for it.
//
// Slices are fixed by the op's shape and the thread count alone, and each slice always runs the
// same calls on its own scratch, so results never depend on which thread ran which slice. There are
// more slices than threads (SLICES_PER_THREAD each): on a machine shared with other work a thread
// may be descheduled mid-op, and the others then take its remaining slices instead of waiting.

import type { WasmHeap } from './heap';
import { instantiateModules, kernelModules, type KernelExports, type SimdLevel } from './modules';
import { Scratch } from './scratch';
import {
  claimSlices, CONTROL, CONTROL_BYTES, executeCommands, MAX_SLICES, SPIN_LIMIT, threadSource, type ThreadData,
} from './thread-protocol';

/** A running kernel thread. */
export interface ThreadHandle {
  /** Ends the thread (it may be blocked waiting for work). */
  terminate(): void;
}

/** Starts kernel threads: runs `source` (a function of `data`, as text) on a new thread. */
export interface ThreadSpawner {
  spawn(source: string, data: ThreadData): ThreadHandle;
}

/** The kernels as a slice's body calls them, plus zeroing heap bytes. */
export interface SliceKernels extends KernelExports {
  zero(ptr: number, bytes: number): void;
}

/** Records one slice: `x` takes the calls, `scratch` is the slice's own. */
export type SliceBody = (x: SliceKernels, scratch: Scratch) => void;

/** Slices per thread an op is cut into (see above). */
export const SLICES_PER_THREAD = 2;

export class KernelThreadPool {
  /** Threads in all, the main thread included. */
  readonly threads: number;
  /** Slices an op splits into: fixed by the thread count. */
  readonly slices: number;
  private readonly control: Int32Array;
  private readonly base: number;
  private readonly handles: ThreadHandle[] = [];
  private readonly kernels: ((...args: number[]) => unknown)[];
  private readonly names: string[];
  private readonly sliceScratch: Scratch[] = [];
  private generation = 0;
  private closed = false;
  /** The slice being recorded, and the kernels that record into it. */
  private readonly words: number[] = [];
  private readonly recorder: SliceKernels;

  constructor(private readonly heap: WasmHeap, level: SimdLevel, threads: number, spawner: ThreadSpawner) {
    if (!Number.isInteger(threads) || threads < 2 || threads > MAX_SLICES) {
      throw new RangeError(`KernelThreadPool: threads must be an integer in [2, ${MAX_SLICES}], got ${threads}`);
    }
    this.threads = threads;
    this.slices = Math.min(MAX_SLICES, threads * SLICES_PER_THREAD);
    const modules = kernelModules(level, true);
    const exports = instantiateModules(modules, heap.memory) as unknown as Record<string, (...args: number[]) => unknown>;
    this.names = Object.keys(exports).filter((n) => typeof exports[n] === 'function').sort();
    this.kernels = this.names.map((n) => exports[n]);
    this.recorder = this.makeRecorder();
    const control = heap.alloc(CONTROL_BYTES);
    // The block never moves and a shared memory's older buffers stay valid, so one view serves.
    this.control = new Int32Array(heap.memory.buffer);
    this.base = control / 4;
    for (let s = 0; s < this.slices; s++) this.sliceScratch.push(new Scratch(heap));
    const data: ThreadData = { memory: heap.memory, modules, names: this.names, control, spinLimit: SPIN_LIMIT };
    try {
      for (let t = 1; t < threads; t++) this.handles.push(spawner.spawn(threadSource(), data));
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /**
   * Runs `bodies` (at most `slices`) as slices across the threads, the main thread taking its
   * share, and returns when all have finished. Every heap allocation happens while recording,
   * before any thread runs.
   */
  run(op: string, bodies: readonly SliceBody[]): void {
    if (this.closed) throw new Error(`${op}: the CPU backend's kernel threads were shut down`);
    if (bodies.length > this.slices) throw new RangeError(`${op}: ${bodies.length} slices, more than the pool's ${this.slices}`);
    const recorded = bodies.map((body, s) => this.record(body, this.sliceScratch[s]));
    const c = this.control, base = this.base;
    const generation = ++this.generation;
    recorded.forEach(({ ptr, count }, s) => {
      const at = base + CONTROL.sliceBase + CONTROL.sliceWords * s;
      c[at + 1] = ptr;
      c[at + 2] = count;
    });
    Atomics.store(c, base + CONTROL.count, recorded.length);
    Atomics.store(c, base + CONTROL.finished, 0);
    Atomics.store(c, base + CONTROL.failed, 0);
    for (let s = 0; s < recorded.length; s++) Atomics.store(c, base + CONTROL.sliceBase + CONTROL.sliceWords * s, 2 * generation);
    Atomics.store(c, base + CONTROL.generation, generation);
    Atomics.notify(c, base + CONTROL.generation);
    let error: unknown;
    claimSlices(c, base, generation, (ptr, count) => executeCommands(this.kernels, this.heap.memory, ptr, count), (e) => { error ??= e; });
    for (let spins = 0; spins < SPIN_LIMIT && Atomics.load(c, base + CONTROL.finished) < recorded.length; spins++);
    for (let done = Atomics.load(c, base + CONTROL.finished); done < recorded.length; done = Atomics.load(c, base + CONTROL.finished)) {
      Atomics.wait(c, base + CONTROL.finished, done);
    }
    const failed = Atomics.load(c, base + CONTROL.failed);
    if (failed === 0) return;
    const why = error instanceof Error ? error.message : 'on a kernel thread';
    throw new Error(`${op}: slice ${failed - 1} of ${recorded.length} failed: ${why}`, { cause: error });
  }

  /** Ends the threads; later runs fail. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.control, this.base + CONTROL.quit, 1);
    Atomics.add(this.control, this.base + CONTROL.generation, 1);
    Atomics.notify(this.control, this.base + CONTROL.generation);
    for (const h of this.handles) h.terminate();
  }

  /** The slice's calls, written into its command block in the heap (f64 words: opcode, arguments). */
  private record(body: SliceBody, scratch: Scratch): { ptr: number; count: number } {
    const words = this.words;
    words.length = 0;
    body(this.recorder, scratch);
    const ptr = scratch.reserve('threads.commands', 8 * Math.max(1, words.length));
    new Float64Array(this.heap.memory.buffer, ptr, words.length).set(words);
    return { ptr, count: words.length };
  }

  /** Kernels that append their calls to `words` instead of running them. */
  private makeRecorder(): SliceKernels {
    const words = this.words;
    const zeroOp = this.names.indexOf('zero_bytes');
    const recorder: Record<string, unknown> = { zero: (ptr: number, bytes: number) => { words.push(zeroOp, ptr, bytes); } };
    this.names.forEach((name, op) => {
      const arity = this.kernels[op].length;
      recorder[name] = (...args: number[]) => {
        if (args.length !== arity) throw new Error(`KernelThreadPool: ${name} takes ${arity} arguments, got ${args.length}`);
        words.push(op, ...args);
      };
    });
    return recorder as unknown as SliceKernels;
  }
}
