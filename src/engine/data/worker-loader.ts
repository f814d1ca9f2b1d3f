// Loading a data set on a worker thread (dist/data-worker.js, built from load-worker.ts), so the
// extension host stays responsive while files are read, inflated and parsed. The data set comes
// back with its arrays transferred, not copied.

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DataSpec } from '../../lang/spec';
import type { Dataset } from './dataset';
import { DataError } from './errors';
import type { LoadOptions } from './node-files';

/** The bundle scripts/build.mjs makes from load-worker.ts. */
export const DATA_WORKER_BUNDLE = 'data-worker.js';

export interface WorkerLoadOptions extends LoadOptions {
  /** Path of the worker bundle; default: the nearest `dist/data-worker.js` at or above this bundle's folder. */
  readonly workerScript?: string;
}

/** What the worker is started with. */
export interface WorkerRequest {
  readonly spec: DataSpec;
  readonly options: LoadOptions;
}

/** The worker's one message: the data set, or the error, rebuilt as a DataError when it was one. */
export type WorkerReply =
  | { readonly dataset: Dataset }
  | { readonly error: { readonly dataError: true; readonly source: string; readonly problem: string } |
    { readonly dataError: false; readonly message: string } };

/** loadDataset(spec, options), run on a worker thread; resolves to the same Dataset (and rejects, never throws). */
export async function loadDatasetInWorker(spec: DataSpec, options: WorkerLoadOptions = {}): Promise<Dataset> {
  const { workerScript, ...loadOptions } = options;
  const request: WorkerRequest = { spec, options: loadOptions };
  const worker = new Worker(workerScript ?? findDataWorker(), { workerData: request });
  return new Promise<Dataset>((resolvePromise, reject) => {
    let settled = false;
    worker.once('message', (reply: WorkerReply) => {
      settled = true;
      if ('dataset' in reply) resolvePromise(reply.dataset);
      else reject(reply.error.dataError ? new DataError(reply.error.source, reply.error.problem) : new Error(reply.error.message));
      void worker.terminate();
    });
    worker.once('error', (e) => { settled = true; reject(e); });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the data worker stopped (exit code ${code}) before sending the data set`));
    });
  });
}

/** The nearest `dist/data-worker.js`: beside dist/extension.js and dist/cli.js, and above test bundles under out/test/…. */
export function findDataWorker(from: string = __dirname): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    for (const candidate of [join(dir, DATA_WORKER_BUNDLE), join(dir, 'dist', DATA_WORKER_BUNDLE)]) {
      if (existsSync(candidate)) return candidate;
    }
    if (dirname(dir) === dir) break;
  }
  throw new Error(`no ${DATA_WORKER_BUNDLE} in ${resolve(from)} or any folder above it; run \`npm run build\``);
}
