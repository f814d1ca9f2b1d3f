// One WebAssembly.Memory per CpuBackend, carved into blocks: every tensor of a wasm-kernel backend
// lives here, so the kernels read and write tensors in place (no copies in or out), and the
// TypeScript kernels see the same elements through typed-array views.
//
// Growing a Memory detaches its old ArrayBuffer and every view of it, so views are handed out
// through HeapView, which rebuilds its view when the heap's generation (bumped on every grow) moved
// on (a shared memory's old buffer does not detach but stays at its old length: the same rebuild
// covers it). Only allocation grows the heap, and only on the thread that owns the backend, never
// while worker threads run kernels; kernels work on byte offsets, which stay valid. The memory
// always extends at least 16 bytes past the last block, so a vector load that starts inside a block
// and is partly masked off (wgrad.wat) never leaves the memory.

const PAGE = 65536;
/** Block alignment: one v128. */
const ALIGN = 16;
/** Bytes 0..ALIGN stay unused so that pointer 0 can mean "none" (e.g. no bias). */
const FIRST = ALIGN;
/** The wasm32 address space. */
const MAX_PAGES = 65536;

export class WasmHeapFullError extends RangeError {}

interface FreeRange { start: number; size: number }

export class WasmHeap {
  readonly memory: WebAssembly.Memory;
  /** Bumped whenever the memory grows (and its old views detach). */
  generation = 0;
  /** Free ranges below `top`, sorted by start, never adjacent (released neighbours merge). */
  private readonly free: FreeRange[] = [];
  private top = FIRST;

  /**
   * `shared`: a shared memory (SharedArrayBuffer), which worker threads can run kernels on. A
   * shared memory needs a maximum up front: the wasm32 limit, since the runtime only reserves
   * address space for it, and commits pages as the heap grows.
   */
  constructor(initialBytes = PAGE, shared = false) {
    const initial = Math.max(1, Math.ceil(initialBytes / PAGE));
    this.memory = shared ? new WebAssembly.Memory({ initial, maximum: MAX_PAGES, shared: true }) : new WebAssembly.Memory({ initial });
  }

  /** Bytes handed out and not released. */
  get used(): number {
    return this.top - FIRST - this.free.reduce((s, r) => s + r.size, 0);
  }

  /** A zero-filled, 16-byte-aligned block of at least `bytes` bytes; returns its offset. */
  alloc(bytes: number): number {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    const fit = this.free.findIndex((r) => r.size >= size);
    let start: number;
    if (fit >= 0) {
      const range = this.free[fit];
      start = range.start;
      if (range.size === size) this.free.splice(fit, 1);
      else { range.start += size; range.size -= size; }
    } else {
      start = this.top;
      this.ensure(start + size + ALIGN);
      this.top = start + size;
    }
    new Uint8Array(this.memory.buffer, start, size).fill(0);
    return start;
  }

  /** Returns the block at `start` of `bytes` (as passed to alloc) to the heap. */
  release(start: number, bytes: number): void {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    let i = 0;
    while (i < this.free.length && this.free[i].start < start) i++;
    this.free.splice(i, 0, { start, size });
    // Merge with the following and then the preceding range.
    const next = this.free[i + 1];
    if (next && start + size === next.start) { this.free[i].size += next.size; this.free.splice(i + 1, 1); }
    const prev = this.free[i - 1];
    if (prev && prev.start + prev.size === start) { prev.size += this.free[i].size; this.free.splice(i, 1); }
    // A free range that reaches the top lowers the top instead.
    const last = this.free[this.free.length - 1];
    if (last && last.start + last.size === this.top) { this.top = last.start; this.free.pop(); }
  }

  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const current = have / PAGE, needed = Math.ceil(end / PAGE);
    if (needed > MAX_PAGES) throw this.full(end - this.top);
    // Grow by at least a quarter, so a model's many allocations cost a few grows; if the runtime
    // refuses the slack, try for exactly what is needed.
    const wanted = Math.min(MAX_PAGES, Math.max(needed, current + Math.ceil(current / 4)));
    try {
      this.memory.grow(wanted - current);
    } catch {
      try { this.memory.grow(needed - current); } catch { throw this.full(end - this.top); }
    }
    this.generation++;
  }

  private full(bytes: number): WasmHeapFullError {
    const mib = (n: number) => (n / 2 ** 20).toFixed(1);
    return new WasmHeapFullError(`the CPU backend's WebAssembly memory cannot grow by ${mib(bytes)} MiB more ` +
      `(${mib(this.used)} MiB in use; the limit is 4 GiB and what the runtime allows)`);
  }
}

/** A typed-array view of a heap block that survives the heap growing. */
export class HeapView<T extends Float32Array | Uint32Array | Int32Array> {
  private view: T;
  private generation: number;

  constructor(private readonly heap: WasmHeap, readonly ptr: number, readonly length: number,
    private readonly make: (buffer: ArrayBuffer, ptr: number, length: number) => T) {
    this.view = make(heap.memory.buffer, ptr, length);
    this.generation = heap.generation;
  }

  get array(): T {
    if (this.generation !== this.heap.generation) {
      this.view = this.make(this.heap.memory.buffer, this.ptr, this.length);
      this.generation = this.heap.generation;
    }
    return this.view;
  }
}

export const f32View = (b: ArrayBuffer, ptr: number, length: number) => new Float32Array(b, ptr, length);
export const u32View = (b: ArrayBuffer, ptr: number, length: number) => new Uint32Array(b, ptr, length);
export const i32View = (b: ArrayBuffer, ptr: number, length: number) => new Int32Array(b, ptr, length);
