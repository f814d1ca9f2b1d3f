// The one small interface the panel UI uses to drive training, whichever engine does the work:
//   - WebGPU: the EngineRunner runs in the webview's own thread (GPU work is asynchronous, and the
//     trainer yields to the event loop every few milliseconds, so the page stays responsive);
//   - CPU: the EngineRunner runs in a Web Worker (dist/cpu-worker.js), because the CPU backend
//     computes synchronously and would otherwise freeze the page.
// Both deliver engine events asynchronously and validated, so the UI cannot tell them apart.

import type { BackendName } from '../engine/backend';
import { createWebGpuBackend, NoWebGpuError } from '../engine/webgpu/backend';
import { parse, tryParse } from '../protocol';
import { engineEventSchema, type EngineCommand, type EngineEvent } from './engine-protocol';
import { EngineRunner, errorText } from './engine-runner';

export interface EngineClient {
  readonly kind: BackendName;
  send(command: EngineCommand, transfer?: Transferable[]): void;
  /** Stops the engine and frees its resources (terminates the worker). */
  dispose(): void;
}

export interface EngineCallbacks {
  onEvent(event: EngineEvent): void;
  /** A malformed event or an engine crash, for the log. */
  onProblem(message: string): void;
}

export type WebGpuProbe =
  | { readonly available: true; readonly description: string }
  | { readonly available: false; readonly reason: string };

/** Whether this webview can run the WebGPU engine, and if not, why. Frees the probe device. */
export async function probeWebGpu(gpu: GPU | undefined): Promise<WebGpuProbe> {
  try {
    const backend = await createWebGpuBackend(gpu);
    const description = backend.description;
    backend.destroy();
    return { available: true, description };
  } catch (e) {
    return { available: false, reason: e instanceof NoWebGpuError ? e.message : `WebGPU failed to start: ${errorText(e)}` };
  }
}

function deliver(callbacks: EngineCallbacks, data: unknown): void {
  const parsed = tryParse((x) => parse(engineEventSchema, x, 'event'), data);
  if (parsed.ok) callbacks.onEvent(parsed.message);
  else callbacks.onProblem(`ignored a malformed engine event: ${parsed.error}`);
}

/** The WebGPU engine, in this thread. */
export function webGpuEngine(gpu: GPU | undefined, callbacks: EngineCallbacks): EngineClient {
  let disposed = false;
  const runner = new EngineRunner(
    // Asynchronous like a worker's messages, so no engine event re-enters the UI mid-command.
    (event) => queueMicrotask(() => { if (!disposed) deliver(callbacks, event); }),
    async () => createWebGpuBackend(gpu),
  );
  return {
    kind: 'webgpu',
    send(command) {
      if (!disposed) runner.receive(command);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      runner.dispose();
    },
  };
}

/**
 * The CPU engine in a Web Worker. A webview may not start a worker from its resource URL (another
 * origin), so the script is fetched and started from a blob: URL (CSP `worker-src blob:`).
 */
export async function cpuWorkerEngine(scriptUrl: string, callbacks: EngineCallbacks): Promise<EngineClient> {
  const response = await fetch(scriptUrl);
  if (!response.ok) throw new Error(`could not load the CPU engine (${scriptUrl}: HTTP ${response.status})`);
  const blobUrl = URL.createObjectURL(new Blob([await response.text()], { type: 'text/javascript' }));
  const worker = new Worker(blobUrl, { name: 'convlab-cpu-engine' });
  let disposed = false;
  worker.onmessage = (e: MessageEvent<unknown>) => { if (!disposed) deliver(callbacks, e.data); };
  worker.onmessageerror = () => callbacks.onProblem('the CPU engine sent a message that could not be decoded');
  worker.onerror = (e: ErrorEvent) => {
    e.preventDefault();
    callbacks.onEvent({ type: 'failed', id: null, message: `the CPU engine crashed: ${e.message || 'unknown error'}` });
  };
  return {
    kind: 'cpu',
    send(command, transfer = []) {
      if (!disposed) worker.postMessage(command, transfer);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      worker.terminate();
      URL.revokeObjectURL(blobUrl);
    },
  };
}
