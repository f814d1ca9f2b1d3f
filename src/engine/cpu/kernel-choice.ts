// Which kernels a CpuBackend runs: the WebAssembly SIMD kernels (f32 only; relaxed SIMD where the
// runtime validates it) or the TypeScript ones, which are also the f64 path and the tests' oracle.

import type { CpuPrecision } from './backend';
import { WasmKernels, type KernelThreading } from './wasm/kernels';
import { bestSimdLevel } from './wasm/modules';

export type CpuKernels = 'wasm-relaxed' | 'wasm-simd' | 'typescript';
/** 'auto': the best wasm kernels the runtime runs for f32, else TypeScript (always for f64). */
export type CpuKernelChoice = 'auto' | CpuKernels;

export interface KernelSelection {
  readonly kernels: CpuKernels;
  readonly wasm: WasmKernels | null;
}

const TYPESCRIPT: KernelSelection = { kernels: 'typescript', wasm: null };

/** `threading`: the wasm kernels' threads (null: one); the TypeScript kernels always run on one. */
export function selectKernels(choice: CpuKernelChoice, precision: CpuPrecision, threading: KernelThreading | null = null): KernelSelection {
  if (choice === 'typescript') return TYPESCRIPT;
  if (choice === 'auto') {
    const level = precision === 'f32' ? bestSimdLevel() : null;
    if (!level) return TYPESCRIPT;
    const kernels = level === 'relaxed' ? 'wasm-relaxed' : 'wasm-simd';
    // Threads refused (no room for a shared memory, no thread could start): the same kernels on one.
    for (const attempt of threading ? [threading, null] : [null]) {
      try {
        return { kernels, wasm: new WasmKernels(level, attempt) };
      } catch {
        // Compilation refused (e.g. a Content-Security-Policy without 'wasm-unsafe-eval'): next attempt, or TypeScript.
      }
    }
    return TYPESCRIPT;
  }
  if (choice !== 'wasm-relaxed' && choice !== 'wasm-simd') {
    throw new Error(`CpuBackend: kernels must be 'auto', 'wasm-relaxed', 'wasm-simd' or 'typescript', got ${String(choice)}`);
  }
  if (precision !== 'f32') throw new Error(`CpuBackend: the ${choice} kernels compute in f32; precision '${precision}' runs the TypeScript kernels`);
  const best = bestSimdLevel();
  if (choice === 'wasm-relaxed' && best !== 'relaxed') {
    throw new Error('CpuBackend: this runtime does not validate relaxed SIMD (Node 20 needs --experimental-wasm-relaxed-simd)');
  }
  if (!best) throw new Error('CpuBackend: this runtime has no WebAssembly SIMD');
  return { kernels: choice, wasm: new WasmKernels(choice === 'wasm-relaxed' ? 'relaxed' : 'plain', threading) };
}
