// The CPU engine's kernel threads in Node: worker_threads running the thread program of
// wasm/thread-protocol.ts, handed the shared wasm memory and the compiled modules once at start.
// Reached only through engine/node.ts, so no browser bundle imports node:worker_threads.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ThreadSpawner } from './wasm/thread-pool';

/** At most this many threads by default: beyond it LeNet-sized ops no longer split usefully. */
export const MAX_DEFAULT_THREADS = 8;

/** The default thread count of the CLI: the cores this process may use, at most MAX_DEFAULT_THREADS. */
export function defaultCpuThreads(): number {
  return Math.max(1, Math.min(MAX_DEFAULT_THREADS, availableParallelism()));
}

export const nodeThreadSpawner: ThreadSpawner = {
  spawn(source, data) {
    const worker = new Worker(`const { workerData } = require('node:worker_threads');\n(${source})(workerData);`,
      { eval: true, workerData: data });
    // An idle kernel thread never keeps the process alive: the backend's destroy() ends it, exit does too.
    worker.unref();
    // A thread that dies claims no more slices, and the calling thread runs the unclaimed ones itself;
    // listening keeps its error from being thrown as an unhandled 'error' event.
    worker.on('error', () => { /* its slices are run by the calling thread */ });
    return { terminate: () => { void worker.terminate(); } };
  },
};
