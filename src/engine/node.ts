// The engine's Node-only public face, for the CLI and the extension host: data sets and checkpoints
// on disk, and WebGPU through Dawn. Kept out of index.ts so the webview's bundles never meet a
// Node API; everything else comes from index.ts.

import type * as NodeGpu from './webgpu/node-gpu';

export { loadDataset } from './data/node-files';
export { loadDatasetInWorker } from './data/worker-loader';
export type { LoadOptions } from './data/node-files';
export type { WorkerLoadOptions } from './data/worker-loader';
export { readCheckpointFile, writeCheckpointFile } from './checkpoint-file';
/** The CPU backend's kernel threads on worker_threads (CpuBackendOptions.threadSpawner) and the CLI's default count. */
export { defaultCpuThreads, nodeThreadSpawner } from './cpu/node-threads';
/** Numbered checkpoints beside a model with a latest copy, bounded retention, and their listing. */
export {
  DEFAULT_KEEP, latestCheckpointPath, listCheckpoints, numberedCheckpointPath, saveCheckpoint,
  type CheckpointList, type CheckpointListing, type SavedCheckpoint,
} from './checkpoint-series';

/**
 * A WebGPU backend on Dawn. The WebGPU engine is loaded on the first call, so a bundle that never
 * calls this (the extension host) carries none of it, and the CLI only pays for it on --backend webgpu.
 */
export async function createNodeWebGpuBackend(...args: Parameters<typeof NodeGpu.createNodeWebGpuBackend>) {
  const { createNodeWebGpuBackend: create } = await import('./webgpu/node-gpu');
  return create(...args);
}
