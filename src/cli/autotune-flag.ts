// `--autotune on|off` for the commands that train on WebGPU (train, bench): on (the default) times
// candidate kernels per layer shape at first use where the device has timestamps, and keeps the
// choices in the kernel cache file; off uses the measured rules of kernel-select.ts only.

import { homedir } from 'node:os';
import type { AutotuneOptions, KernelChoiceReport } from '../engine';
import { UsageError } from './args';
import { defaultKernelCachePath, KernelChoiceFile } from './kernel-cache-file';

export const autotuneFlag = {
  name: 'autotune', type: 'string', value: 'on|off',
  description: 'time WebGPU kernels per layer shape at first use and cache the choices in ~/.cache/convlab/kernels.json (default on where the adapter has timestamps)',
} as const;

export function parseAutotune(value: string | undefined): boolean {
  if (value === undefined || value === 'on') return true;
  if (value === 'off') return false;
  throw new UsageError(`--autotune must be on or off, not '${value}'`);
}

/** The WebGPU backend's autotune options for --autotune; warnings (an unreadable cache) go to `warn`. */
export function autotuneOptions(enabled: boolean, warn: (message: string) => void, env = process.env, home = homedir()): AutotuneOptions {
  if (!enabled) return { enabled: false };
  return { enabled: true, cache: new KernelChoiceFile(defaultKernelCachePath(env, home), warn), warn };
}

/** One note on how a WebGPU backend's kernels were chosen, e.g. "5 tuned now, 3 tuned earlier (cache), 4 by the rules". */
export function kernelChoiceNote(gpu: { readonly autotunes: boolean; readonly kernelChoices: readonly KernelChoiceReport[] }, enabled: boolean): string {
  if (!enabled) return 'webgpu kernels: autotune off, all chosen by the rules (kernel-select.ts)';
  const count = (source: KernelChoiceReport['source']) => gpu.kernelChoices.filter((c) => c.source === source).length;
  const differing = gpu.kernelChoices.filter((c) => c.choice !== c.rule).length;
  const why = gpu.autotunes ? '' : ' (this adapter has no timestamp queries, so nothing new is measured)';
  return `webgpu kernels: ${count('measured')} tuned now, ${count('cached')} tuned earlier (cache), ${count('rule')} by the rules; ` +
    `${differing} differ from the rules${why}`;
}
