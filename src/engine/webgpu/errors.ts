// Errors of the WebGPU backend. NoWebGpuError means "this host cannot run the webgpu engine" (the
// caller should fall back to the cpu engine); WebGpuError is a bug or a lost device during work.

export type NoWebGpuReason = 'no-api' | 'no-adapter' | 'no-device' | 'device-lost' | 'no-runtime';

export class NoWebGpuError extends Error {
  override readonly name = 'NoWebGpuError';
  constructor(readonly reason: NoWebGpuReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class WebGpuError extends Error {
  override readonly name = 'WebGpuError';
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
