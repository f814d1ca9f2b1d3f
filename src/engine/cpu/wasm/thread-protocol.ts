// How the main thread and the kernel threads share work, all through one control block in the
// shared wasm heap (no message per call): the main thread records each slice of an op as a list of
// kernel calls in the heap, posts the slices, wakes the threads with Atomics.notify, and takes
// slices itself; any thread claims a slice with a compare-exchange, so each slice runs exactly
// once, on whichever thread is free. A slice's result does not depend on which thread ran it.
//
// The three functions below are also the kernel threads' program: their source text is sent to
// each thread (threadSource), so they refer to nothing outside themselves but globals.

/** Int32 slots of the control block; slice s has SLICE_WORDS words from SLICE_BASE + s·SLICE_WORDS. */
export const CONTROL = {
  /** Bumped by the main thread per posted op; threads wait on it. */
  generation: 0,
  /** Slices finished in this generation. */
  finished: 1,
  /** Slices posted in this generation. */
  count: 2,
  /** 1 + the index of a slice that threw, else 0. */
  failed: 3,
  /** Non-zero: threads return. */
  quit: 4,
  sliceBase: 8,
  /** Per slice: state (2·generation posted, +1 claimed), byte offset of its commands, their count. */
  sliceWords: 4,
} as const;

export const MAX_SLICES = 16;
/** Bytes of the control block. */
export const CONTROL_BYTES = 4 * (CONTROL.sliceBase + CONTROL.sliceWords * MAX_SLICES);
type Kernel = (...args: number[]) => unknown;

/**
 * Runs `count` f64 words of commands at byte offset `ptr`: an opcode (an index into `kernels`)
 * followed by as many arguments as that kernel takes.
 */
export function executeCommands(kernels: readonly Kernel[], memory: WebAssembly.Memory, ptr: number, count: number): void {
  const words = new Float64Array(memory.buffer, ptr, count);
  for (let i = 0; i < count;) {
    const op = words[i++];
    const kernel = kernels[op], arity = kernel.length;
    kernel.apply(null, Array.prototype.slice.call(words, i, i + arity));
    i += arity;
  }
}

/**
 * Claims and runs every slice of `generation` still unclaimed; `run(ptr, count)` executes one. A
 * slice that throws is flagged in the control block (and handed to `onError`, on the calling thread).
 */
export function claimSlices(control: Int32Array, base: number, generation: number, run: (ptr: number, count: number) => void,
  onError?: (error: unknown) => void): void {
  const count = Atomics.load(control, base + 2);
  for (let s = 0; s < count; s++) {
    const at = base + 8 + 4 * s;
    if (Atomics.compareExchange(control, at, 2 * generation, 2 * generation + 1) !== 2 * generation) continue;
    try {
      run(control[at + 1], control[at + 2]);
    } catch (error) {
      Atomics.store(control, base + 3, s + 1);
      if (onError) onError(error);
    }
    Atomics.add(control, base + 1, 1);
    Atomics.notify(control, base + 1);
  }
}

export interface ThreadData {
  readonly memory: WebAssembly.Memory;
  readonly modules: readonly WebAssembly.Module[];
  /** Kernel export names, by opcode. */
  readonly names: readonly string[];
  /** Byte offset of the control block in the heap. */
  readonly control: number;
  /** Polls before sleeping (SPIN_LIMIT). */
  readonly spinLimit: number;
}

/** A kernel thread: instantiate the kernels on the shared memory, then run slices until told to quit. */
export function threadLoop(data: ThreadData, claim: typeof claimSlices, execute: typeof executeCommands): void {
  const { memory, modules, names } = data;
  const exports = Object.assign({}, ...modules.map((m) => new WebAssembly.Instance(m, { env: { memory } }).exports));
  const kernels = names.map((n) => exports[n]);
  const control = new Int32Array(memory.buffer), base = data.control / 4;
  let generation = 0;
  for (;;) {
    // Spin a little before sleeping: the next op of a step usually follows within microseconds,
    // and waking a sleeping thread costs more than that.
    for (let spins = 0; spins < data.spinLimit && Atomics.load(control, base) === generation; spins++);
    Atomics.wait(control, base, generation);
    generation = Atomics.load(control, base);
    if (Atomics.load(control, base + 4) !== 0) return;
    claim(control, base, generation, (ptr, count) => execute(kernels, memory, ptr, count));
  }
}

/** Control-block polls a thread (or the caller, for the last slices) makes before it sleeps: 0.1–0.3 ms. */
export const SPIN_LIMIT = 20_000;

/** The program of a kernel thread, as source text: a function of its ThreadData. */
export function threadSource(): string {
  return `(data) => (${threadLoop.toString()})(data, ${claimSlices.toString()}, ${executeCommands.toString()})`;
}
