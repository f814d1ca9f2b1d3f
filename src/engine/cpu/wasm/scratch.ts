// Per-backend scratch in the wasm heap: the GEMM's packed panels (fixed size) and the conv kernels'
// offset tables, padded images and column chunks (grown to the largest call so far and kept).

import type { WasmHeap } from './heap';

export class Scratch {
  private readonly blocks = new Map<string, { ptr: number; bytes: number }>();

  constructor(private readonly heap: WasmHeap) {}

  /**
   * A block of at least `bytes` for `purpose` (contents undefined). Reserving may grow the heap, so
   * an operation reserves everything it needs before it takes any typed-array view.
   */
  reserve(purpose: string, bytes: number): number {
    const block = this.blocks.get(purpose);
    if (block && block.bytes >= bytes) return block.ptr;
    if (block) this.heap.release(block.ptr, block.bytes);
    const grown = Math.max(bytes, block ? block.bytes * 2 : 0);
    const ptr = this.heap.alloc(grown);
    this.blocks.set(purpose, { ptr, bytes: grown });
    return ptr;
  }
}
