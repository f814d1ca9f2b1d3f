// The one small interface the panel UI uses to drive training, whichever engine does the work:
//   - WebGPU: the EngineRunner runs in the webview's own thread (GPU work is asynchronous, and the
//     trainer yields to the event loop every few milliseconds, so the page stays responsive);
//   - CPU: the EngineRunner runs in a Web Worker (dist/cpu-worker.js), because the CPU backend
//     computes synchronously and would otherwise freeze the page.
// Both deliver engine events asynchronously and validated, so the UI cannot tell them apart.

import { createWebGpuBackend, NoWebGpuError, type BackendName, errorMessage, type WebGpuBackendOptions } from '../engine';
import { Requester, type ParamsOf, type RequestType, type ResultOf } from '../rpc';
import { parse, tryParse } from '../schema';
import { engineEventSchema, type EngineCommand, type EngineNotification } from './engine-protocol';
import { EngineRunner } from './engine-runner';

export interface EngineClient {
  readonly kind: BackendName;
  /** A command that expects no answer. */
  send(command: EngineCommand): void;
  /** Resolves with the request's validated result; rejects when the engine fails it or is disposed first. */
  request<T extends RequestType>(type: T, params: ParamsOf<T>): Promise<ResultOf<T>>;
  /** Stops the engine, frees its resources (terminates the worker) and rejects the requests still pending. */
  dispose(): void;
}

export interface EngineCallbacks {
  onEvent(event: EngineNotification): void;
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
    return { available: false, reason: e instanceof NoWebGpuError ? e.message : `WebGPU failed to start: ${errorMessage(e)}` };
  }
}

/** Validates what the engine sent: answers settle their requests, everything else goes to the UI. */
function deliver(callbacks: EngineCallbacks, requests: Requester, data: unknown): void {
  const parsed = tryParse((x) => parse(engineEventSchema, x, 'event'), data);
  if (!parsed.ok) {
    callbacks.onProblem(`ignored a malformed engine event: ${parsed.error}`);
    return;
  }
  const event = parsed.message;
  if (event.type !== 'response') callbacks.onEvent(event);
  else if (!requests.receive(event)) callbacks.onProblem(`ignored an engine response to no pending request (id ${event.id})`);
}

const DISPOSED = 'the engine was stopped';

/** The WebGPU engine, in this thread; `options` are asked for when it creates its backend (autotuning, its cache). */
export function webGpuEngine(gpu: GPU | undefined, callbacks: EngineCallbacks,
  options: () => Promise<WebGpuBackendOptions> = async () => ({})): EngineClient {
  let disposed = false;
  const runner = new EngineRunner(
    // Asynchronous like a worker's messages, so no engine event re-enters the UI mid-command.
    (event) => queueMicrotask(() => { if (!disposed) deliver(callbacks, requests, event); }),
    async () => createWebGpuBackend(gpu, await options()),
  );
  const requests = new Requester((request) => runner.receive(request));
  return {
    kind: 'webgpu',
    send(command) {
      if (!disposed) runner.receive(command);
    },
    request: (type, params) => requests.request(type, params),
    dispose() {
      if (disposed) return;
      disposed = true;
      requests.dispose(DISPOSED);
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
  const requests = new Requester((request) => worker.postMessage(request));
  worker.onmessage = (e: MessageEvent<unknown>) => { if (!disposed) deliver(callbacks, requests, e.data); };
  worker.onmessageerror = () => callbacks.onProblem('the CPU engine sent a message that could not be decoded');
  worker.onerror = (e: ErrorEvent) => {
    e.preventDefault();
    callbacks.onEvent({ type: 'failed', message: `the CPU engine crashed: ${e.message || 'unknown error'}` });
  };
  return {
    kind: 'cpu',
    send(command) {
      if (!disposed) worker.postMessage(command);
    },
    request: (type, params) => requests.request(type, params),
    dispose() {
      if (disposed) return;
      disposed = true;
      requests.dispose(DISPOSED);
      worker.terminate();
      URL.revokeObjectURL(blobUrl);
    },
  };
}
