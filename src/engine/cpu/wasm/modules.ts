// The CPU engine's WebAssembly modules: which SIMD flavour this runtime runs, compiling each module
// once per JS realm, and instantiating them on one backend's memory.
//
// Relaxed SIMD (f32x4.relaxed_madd → FMA) is chosen when WebAssembly.validate accepts the relaxed
// build of the GEMM module itself — the exact question, asked of bytes we already have — else plain
// 128-bit SIMD. Compilation is synchronous (CpuBackend's constructor is); each module stays under
// the 4 KiB that browsers allow to compile synchronously on a page's main thread.

import * as convDirectWat from './conv-direct.wat';
import * as gemmWat from './gemm.wat';
import * as gemvWat from './gemv.wat';
import * as im2colWat from './im2col.wat';
import * as pointwiseWat from './pointwise.wat';
import * as wgradWat from './wgrad.wat';

export type SimdLevel = 'relaxed' | 'plain';

/** The exports of the .wat modules; pointers are byte offsets into the backend's memory. */
export interface KernelExports {
  pack_a(src: number, ld: number, trans: number, rows: number, kc: number, dst: number): void;
  pack_b(src: number, ld: number, trans: number, cols: number, kc: number, dst: number): void;
  macro_kernel(mc: number, nc: number, kc: number, pa: number, pb: number, c: number, ldc: number,
    alpha: number, beta: number, bias: number, edge: number): void;
  gemv(a: number, ld: number, trans: number, x: number, y: number, m: number, k: number, alpha: number, beta: number): void;
  pixel_origins(dst: number, n: number, oh: number, ow: number, image: number, row: number, col: number): void;
  tap_offsets(dst: number, c: number, kh: number, kw: number, channel: number, line: number): void;
  pack_phi_pixels(x: number, pix: number, tap: number, count: number, kc: number, dst: number): void;
  pack_phi_taps(x: number, pix: number, tap: number, count: number, kc: number, dst: number): void;
  col2im(cols: number, count: number, taps: number, pix: number, tap: number, dx: number): void;
  pad_copy(x: number, xp: number, planes: number, h: number, w: number, ph: number, pw: number): void;
  crop_copy(xp: number, x: number, planes: number, h: number, w: number, ph: number, pw: number): void;
  zero_bytes(ptr: number, bytes: number): void;
  relu_forward(x: number, y: number, count: number): void;
  relu_rows(x: number, y: number, rows: number, cols: number, ld: number): void;
  relu_backward(y: number, dy: number, dx: number, count: number): void;
  row_sums(m: number, rows: number, cols: number, sums: number, accumulate: number): void;
  max_pool_forward(x: number, y: number, arg: number, plane: number, planes: number, h: number, w: number, oh: number, ow: number,
    kh: number, kw: number, sh: number, sw: number): void;
  max_pool_backward(dy: number, arg: number, dx: number, outputs: number, inputs: number): void;
  conv_direct(xp: number, wg: number, bias: number, y: number, act: number, relu: number, n0: number, n1: number, n: number,
    c: number, hp: number, wp: number, oh: number, ow: number, kh: number, kw: number, live: number): void;
  wgrad_direct(x: number, dy: number, dw: number, m: number, taps: number, tap: number, rows: number, oh: number,
    ow: number, image: number, line: number, chunk: number): void;
}

const SOURCES = [gemmWat, gemvWat, im2colWat, pointwiseWat, wgradWat, convDirectWat];

function bytes(source: typeof gemmWat, level: SimdLevel, shared = false): Uint8Array<ArrayBuffer> {
  if (shared) return level === 'relaxed' ? source.relaxedSimdShared : source.plainSimdShared;
  return level === 'relaxed' ? source.relaxedSimd : source.plainSimd;
}

let detected: { level: SimdLevel | null } | undefined;

/** The best SIMD flavour this runtime validates: 'relaxed', 'plain', or null (no usable WebAssembly). */
export function bestSimdLevel(): SimdLevel | null {
  if (!detected) {
    const validates = (level: SimdLevel) => SOURCES.every((s) => WebAssembly.validate(bytes(s, level)));
    const level = typeof WebAssembly !== 'object' ? null : validates('relaxed') ? 'relaxed' : validates('plain') ? 'plain' : null;
    detected = { level };
  }
  return detected.level;
}

const compiled = new Map<string, WebAssembly.Module[]>();

/**
 * The compiled modules of `level`, importing a shared memory when `shared` (worker threads are
 * handed these, so each thread instantiates without compiling again). Throws where the runtime
 * refuses to compile them (no SIMD, or a Content-Security-Policy without 'wasm-unsafe-eval').
 */
export function kernelModules(level: SimdLevel, shared: boolean): WebAssembly.Module[] {
  const key = `${level}/${shared ? 'shared' : 'own'}`;
  let modules = compiled.get(key);
  if (!modules) {
    modules = SOURCES.map((s) => new WebAssembly.Module(bytes(s, level, shared)));
    compiled.set(key, modules);
  }
  return modules;
}

/** The exports of `modules` instantiated on `memory`, merged into one object. */
export function instantiateModules(modules: readonly WebAssembly.Module[], memory: WebAssembly.Memory): KernelExports {
  const imports = { env: { memory } };
  return Object.assign({}, ...modules.map((m) => new WebAssembly.Instance(m, imports).exports)) as KernelExports;
}

/** The kernels of `level` on `memory` (shared or not). Throws where the runtime refuses to compile them. */
export function instantiateKernels(memory: WebAssembly.Memory, level: SimdLevel): KernelExports {
  return instantiateModules(kernelModules(level, isShared(memory)), memory);
}

/** Whether `memory` is a shared memory (its buffer a SharedArrayBuffer). */
export function isShared(memory: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer === 'function' && memory.buffer instanceof SharedArrayBuffer;
}

let sharedSupport: boolean | undefined;

/**
 * Whether this runtime makes shared wasm memories: Node always; a page or worker only when
 * cross-origin isolated (otherwise SharedArrayBuffer is absent and the backend runs on one thread).
 */
export function sharedMemorySupported(): boolean {
  if (sharedSupport === undefined) {
    try {
      const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
      sharedSupport = typeof SharedArrayBuffer === 'function' && isolated !== false
        && isShared(new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }));
    } catch {
      sharedSupport = false;
    }
  }
  return sharedSupport;
}
