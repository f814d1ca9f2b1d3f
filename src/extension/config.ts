// The extension's settings (`contributes.configuration` in package.json), read into one plain object.
// Pure: `readConfig` takes any `get(key, default)` so it is unit-tested without VS Code.

export interface Config {
  readonly inlayHints: { readonly enabled: boolean; readonly showParams: boolean; readonly showFlops: boolean };
  /** Delay between the last edit and re-analysis, ms. */
  readonly debounceMs: number;
  /** Passed to `analyze()` as `memoryBudgetBytes`. */
  readonly memoryBudgetBytes: number;
  /** Passed to the data loader as `maxDataBytes`: the most a data set may hold in memory. */
  readonly maxDataBytes: number;
  /** The panel's WebGPU engine times kernels per layer shape at first use and keeps the choices (global state). */
  readonly webgpu: { readonly autotune: boolean };
}

/** The part of `vscode.WorkspaceConfiguration` that `readConfig` needs. */
export interface ConfigSource {
  get<T>(key: string, defaultValue: T): T;
}

/** Settings section; keys below are relative to it. */
export const CONFIG_SECTION = 'convlab';

export const DEFAULT_CONFIG: Config = {
  inlayHints: { enabled: true, showParams: true, showFlops: false },
  debounceMs: 150,
  memoryBudgetBytes: 1024 * 1024 * 1024,
  maxDataBytes: 2048 * 1024 * 1024,
  webgpu: { autotune: true },
};

const MAX_DEBOUNCE_MS = 5000;

function bool(src: ConfigSource, key: string, fallback: boolean): boolean {
  const v = src.get<unknown>(key, fallback);
  return typeof v === 'boolean' ? v : fallback;
}

function finite(src: ConfigSource, key: string, fallback: number): number {
  const v = src.get<unknown>(key, fallback);
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

/** Reads and sanitises the settings: wrong types fall back to the defaults, numbers are clamped. */
export function readConfig(src: ConfigSource): Config {
  const d = DEFAULT_CONFIG;
  const budgetMB = finite(src, 'memoryBudgetMB', d.memoryBudgetBytes / 2 ** 20);
  const dataMB = finite(src, 'data.maxMB', d.maxDataBytes / 2 ** 20);
  return {
    inlayHints: {
      enabled: bool(src, 'inlayHints.enabled', d.inlayHints.enabled),
      showParams: bool(src, 'inlayHints.showParams', d.inlayHints.showParams),
      showFlops: bool(src, 'inlayHints.showFlops', d.inlayHints.showFlops),
    },
    debounceMs: Math.round(Math.min(MAX_DEBOUNCE_MS, Math.max(0, finite(src, 'diagnostics.debounceMs', d.debounceMs)))),
    memoryBudgetBytes: Math.round(Math.max(1, budgetMB) * 2 ** 20),
    maxDataBytes: Math.round(Math.max(1, dataMB) * 2 ** 20),
    webgpu: { autotune: bool(src, 'webgpu.autotune', d.webgpu.autotune) },
  };
}
