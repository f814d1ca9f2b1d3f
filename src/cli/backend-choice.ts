// `--backend webgpu|cpu|auto` for the commands that run a model: the flag, and the backend it picks.

import { CpuBackend, errorMessage, type Backend } from '../engine';
import { createNodeWebGpuBackend } from '../engine/node';
import { UsageError } from './args';
import { CliFailure } from './failure';

export type BackendChoice = 'auto' | 'cpu' | 'webgpu';

/** The --backend flag, described for one command (its default differs). */
export function backendFlag(description: string) {
  return { name: 'backend', type: 'string', value: 'webgpu|cpu|auto', description } as const;
}

export function parseBackendChoice(value: string | undefined): BackendChoice {
  if (value === undefined) return 'auto';
  if (value === 'auto' || value === 'cpu' || value === 'webgpu') return value;
  throw new UsageError(`--backend must be webgpu, cpu or auto, not '${value}'`);
}

/**
 * The backend for --backend: cpu; webgpu (fails with the reason when there is no adapter); auto =
 * webgpu on a real adapter, else cpu with a note saying why.
 */
export async function chooseBackend(choice: BackendChoice, cpuPrecision: 'f32' | 'f64' = 'f32'): Promise<{ backend: Backend; note: string }> {
  if (choice === 'cpu') return { backend: new CpuBackend({ precision: cpuPrecision }), note: '' };
  let gpu: Backend & { isFallbackAdapter?: boolean };
  try {
    gpu = await createNodeWebGpuBackend();
  } catch (err) {
    const why = errorMessage(err);
    if (choice === 'webgpu') throw new CliFailure(`--backend webgpu: no WebGPU device: ${why}`);
    return { backend: new CpuBackend({ precision: cpuPrecision }), note: `backend: cpu (no WebGPU: ${why})` };
  }
  if (choice === 'auto' && gpu.isFallbackAdapter) {
    const name = gpu.description;
    gpu.destroy();
    return {
      backend: new CpuBackend({ precision: cpuPrecision }),
      note: `backend: cpu (the only WebGPU adapter is a software fallback, ${name}, slower than the CPU backend; --backend webgpu forces it)`,
    };
  }
  return { backend: gpu, note: choice === 'auto' ? `backend: ${gpu.description}` : '' };
}
