// `--backend webgpu|cpu|auto` for the commands that run a model: the flag, and the backend it picks;
// `--threads N`, the CPU backend's threads (default: the cores, at most 8).

import { CpuBackend, errorMessage, type Backend, type WebGpuBackendOptions } from '../engine';
import { createNodeWebGpuBackend, defaultCpuThreads, nodeThreadSpawner } from '../engine/node';
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

/** Most --threads accepted: the kernel pool's limit. */
const MAX_THREADS = 16;

/** --threads N: an integer in [1, 16]; absent, the cores this process may use (at most 8). */
export function parseCpuThreads(value: number | undefined): number {
  if (value === undefined) return defaultCpuThreads();
  if (!Number.isInteger(value) || value < 1 || value > MAX_THREADS) {
    throw new UsageError(`--threads must be an integer from 1 to ${MAX_THREADS}, not ${value}`);
  }
  return value;
}

/** The CPU backend on `threads` kernel threads (worker_threads; 1 runs on the calling thread alone). */
export function cpuBackend(precision: 'f32' | 'f64', threads: number): CpuBackend {
  return new CpuBackend({ precision, threads, threadSpawner: nodeThreadSpawner });
}

/**
 * The backend for --backend: cpu; webgpu (fails with the reason when there is no adapter); auto =
 * webgpu on a real adapter, else cpu with a note saying why.
 */
export async function chooseBackend(choice: BackendChoice, cpuPrecision: 'f32' | 'f64' = 'f32', cpuThreads = 1,
  gpuOptions: WebGpuBackendOptions = {}): Promise<{ backend: Backend; note: string }> {
  if (choice === 'cpu') return { backend: cpuBackend(cpuPrecision, cpuThreads), note: '' };
  let gpu: Backend & { isFallbackAdapter?: boolean };
  try {
    gpu = await createNodeWebGpuBackend(gpuOptions);
  } catch (err) {
    const why = errorMessage(err);
    if (choice === 'webgpu') throw new CliFailure(`--backend webgpu: no WebGPU device: ${why}`);
    return { backend: cpuBackend(cpuPrecision, cpuThreads), note: `backend: cpu (no WebGPU: ${why})` };
  }
  if (choice === 'auto' && gpu.isFallbackAdapter) {
    const name = gpu.description;
    gpu.destroy();
    return {
      backend: cpuBackend(cpuPrecision, cpuThreads),
      note: `backend: cpu (the only WebGPU adapter is a software fallback, ${name}, slower than the CPU backend; --backend webgpu forces it)`,
    };
  }
  return { backend: gpu, note: choice === 'auto' ? `backend: ${gpu.description}` : '' };
}
