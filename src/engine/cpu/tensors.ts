// The CPU backend's tensors and where their elements live: typed arrays of their own (TypeScript
// kernels, and the f64 precision mode), or blocks of the backend's wasm heap (wasm kernels, which
// read and write them in place). The TypeScript kernels see both as typed arrays.

import type { FloatArray, Tensor } from '../backend';
import { f32View, HeapView, u32View, type WasmHeap } from './wasm/heap';

interface Storage {
  readonly array: FloatArray | Uint32Array;
  /** Byte offset in the wasm heap; -1 for a typed array of its own. */
  readonly ptr: number;
}

export class CpuTensor implements Tensor {
  disposed = false;
  constructor(readonly owner: object, readonly dtype: 'f32' | 'u32', readonly length: number, readonly storage: Storage) {}
  get data(): FloatArray | Uint32Array { return this.storage.array; }
}

export interface TensorAllocator {
  f32(length: number): Storage;
  u32(length: number): Storage;
  release(storage: Storage): void;
}

export function arrayAllocator(precision: 'f32' | 'f64'): TensorAllocator {
  return {
    f32: (length) => ({ array: precision === 'f64' ? new Float64Array(length) : new Float32Array(length), ptr: -1 }),
    u32: (length) => ({ array: new Uint32Array(length), ptr: -1 }),
    release: () => { /* garbage-collected */ },
  };
}

/** 4-byte elements in the heap (f32 values, u32 labels and indices); the heap zero-fills blocks. */
export function heapAllocator(heap: WasmHeap): TensorAllocator {
  return {
    f32: (length) => new HeapView(heap, heap.alloc(4 * length), length, f32View),
    u32: (length) => new HeapView(heap, heap.alloc(4 * length), length, u32View),
    release: (storage) => heap.release(storage.ptr, 4 * storage.array.length),
  };
}
