// The CPU engine's Web Worker (bundled to dist/cpu-worker.js). Where WebGPU is missing the panel trains
// on the TypeScript CPU backend here, off the UI thread, so the plots and buttons stay responsive.
// It speaks engine-protocol.ts: commands in, events out, both validated.

import { CpuBackend } from '../engine';
import { EngineRunner } from './engine-runner';

/** The parts of DedicatedWorkerGlobalScope used here (the project's lib is DOM, not WebWorker). */
interface WorkerScope {
  postMessage(message: unknown, transfer: Transferable[]): void;
  onmessage: ((e: MessageEvent<unknown>) => void) | null;
}
const scope = self as unknown as WorkerScope;

const runner = new EngineRunner(
  (event, transfer) => scope.postMessage(event, transfer ?? []),
  // Training in f32 (as fast as the CPU backend goes); the gradient check in f64, where finite
  // differences are accurate enough for tight tolerances.
  async (purpose) => new CpuBackend({ precision: purpose === 'gradcheck' ? 'f64' : 'f32' }),
);

scope.onmessage = (e: MessageEvent<unknown>) => runner.receive(e.data);
