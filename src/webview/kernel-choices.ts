// The panel's WebGPU engine keeps its autotuned kernel choices in the extension host (VS Code's
// global state), since a webview has no storage of its own that outlives it: on start it asks the
// host for the setting and the stored record, and sends every updated record back.

import type { KernelChoiceCache, WebGpuBackendOptions } from '../engine';
import { errorMessage } from '../engine';
import { kernelChoices } from '../protocol';
import type { HostLink } from './host-link';

/** The WebGPU backend options for a new engine: autotuning as the host's setting says, cached by the host. */
export async function hostAutotuneOptions(host: Pick<HostLink, 'request' | 'notify' | 'log'>): Promise<WebGpuBackendOptions> {
  let answer: { autotune: boolean; record: unknown };
  try {
    answer = await host.request(kernelChoices, {});
  } catch (e) {
    host.log('warn', `kernel choices unavailable (${errorMessage(e)}); the WebGPU engine uses its built-in rules`);
    return {};
  }
  if (!answer.autotune) return { autotune: { enabled: false } };
  const cache: KernelChoiceCache = {
    load: async () => answer.record ?? undefined,
    save: async (record) => host.notify({ type: 'saveKernelChoices', record }),
  };
  return { autotune: { enabled: true, cache, warn: (message) => host.log('warn', message) } };
}
