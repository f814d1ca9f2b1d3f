// The WebGPU backend shared by the whole gpu suite (Dawn on SwiftShader in CI). Each test file is
// bundled separately, so the one instance lives on globalThis; pipelines compile once per run.
// No adapter is a failure with the reason, never a silent skip.

import { CpuBackend } from '../../src/engine/cpu/backend';
import type { WebGpuBackend } from '../../src/engine/webgpu/backend';
import { createNodeWebGpuBackend } from '../../src/engine/webgpu/node-gpu';

const SHARED = Symbol.for('convlab.test.webgpuBackend');
type Holder = { [SHARED]?: Promise<WebGpuBackend> };

export function gpuBackend(): Promise<WebGpuBackend> {
  const holder = globalThis as Holder;
  holder[SHARED] ??= createNodeWebGpuBackend().catch((e: unknown) => {
    throw new Error(`the gpu tests need a WebGPU adapter and none could be created: ${e instanceof Error ? e.message : e}`,
      { cause: e });
  });
  return holder[SHARED];
}

/** The cpu reference, in f32 like the GPU. */
export function cpuBackend(): CpuBackend {
  return new CpuBackend({ precision: 'f32' });
}

// Destroy the device after the last test so Node can exit (root-level hook; every bundle registers
// one, the first to run does the work).
after(async () => {
  const holder = globalThis as Holder;
  const pending = holder[SHARED];
  delete holder[SHARED];
  if (pending) (await pending.catch(() => null))?.destroy();
});
