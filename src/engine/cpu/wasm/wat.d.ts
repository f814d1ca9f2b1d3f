// Hand-written WebAssembly text, assembled and embedded at build time by scripts/wat-plugin.mjs.
declare module '*.wat' {
  /** The module as written: f32x4.relaxed_madd (an FMA where the CPU has one); needs relaxed SIMD. */
  export const relaxedSimd: Uint8Array<ArrayBuffer>;
  /** The same module with every relaxed_madd lowered to f32x4.mul + f32x4.add: plain 128-bit SIMD. */
  export const plainSimd: Uint8Array<ArrayBuffer>;
  /** relaxedSimd importing a shared memory (for the worker threads). */
  export const relaxedSimdShared: Uint8Array<ArrayBuffer>;
  /** plainSimd importing a shared memory (for the worker threads). */
  export const plainSimdShared: Uint8Array<ArrayBuffer>;
}
