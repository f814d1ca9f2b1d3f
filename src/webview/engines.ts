// Which engine the panel trains on, and the one it has: WebGPU in the page when there is an adapter
// (or when asked for), else the CPU engine in a worker. One engine at a time; switching kinds stops
// the old one. Every engine gets the panel's model and data set before its first command.

import type { BackendName, WebGpuBackendOptions } from '../engine';
import type { BackendChoice, DatasetPayload, ModelPayload } from '../protocol';
import { cpuWorkerEngine, probeWebGpu, webGpuEngine, type EngineCallbacks, type EngineClient, type WebGpuProbe } from './engine-client';

/** The model and data set the host sent (`init`). */
export interface PanelModel {
  readonly model: ModelPayload;
  readonly dataset: DatasetPayload;
}

export class Engines {
  /** Whether this webview has WebGPU, asked once when the panel opens. */
  readonly probe: Promise<WebGpuProbe> = probeWebGpu(navigator.gpu);
  private engine: EngineClient | null = null;
  /** The model the engine has loaded (a new init makes it stale). */
  private loaded: PanelModel | null = null;

  /** `webGpuOptions` are asked for whenever a WebGPU engine starts (autotuning and the host's kernel cache). */
  constructor(private readonly workerUrl: string, private readonly callbacks: EngineCallbacks,
    private readonly webGpuOptions?: () => Promise<WebGpuBackendOptions>) {}

  get current(): EngineClient | null {
    return this.engine;
  }

  /** The chosen engine; for 'auto' WebGPU when available. */
  async kindFor(choice: BackendChoice): Promise<BackendName> {
    if (choice === 'cpu') return 'cpu';
    const probe = await this.probe;
    if (probe.available) return 'webgpu';
    if (choice === 'webgpu') throw new Error(`WebGPU is not available here, so the webgpu backend cannot run: ${probe.reason}. Choose auto or cpu.`);
    return 'cpu';
  }

  /** CPU and software GPUs (SwiftShader, fallback adapters): slow, so runs report more often. */
  async isSoftware(kind: BackendName): Promise<boolean> {
    const probe = await this.probe;
    return kind === 'cpu' || (probe.available && /fallback|swiftshader/i.test(probe.description));
  }

  /** The engine of `kind` with `panel`'s model loaded, started if needed. */
  async ensure(kind: BackendName, panel: PanelModel): Promise<EngineClient> {
    if (this.engine && this.engine.kind !== kind) {
      this.engine.dispose();
      this.engine = null;
    }
    if (!this.engine) {
      this.engine = kind === 'webgpu' ? webGpuEngine(navigator.gpu, this.callbacks, this.webGpuOptions) : await cpuWorkerEngine(this.workerUrl, this.callbacks);
      this.loaded = null;
    }
    if (this.loaded !== panel) {
      // The worker gets a copy (structured clone), so the panel keeps its own for the next engine.
      this.engine.send({ type: 'load', spec: panel.model.spec, dataset: panel.dataset });
      this.loaded = panel;
    }
    return this.engine;
  }
}
