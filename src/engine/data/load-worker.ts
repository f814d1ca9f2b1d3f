// The entry point of dist/data-worker.js: loads one data set in a Node worker thread and posts it
// back with its typed arrays transferred, so the loading thread's event loop never waits on it.
// Started by worker-loader.ts; speaks the messages declared there.

import { parentPort, workerData } from 'node:worker_threads';
import { datasetTransferables } from './describe';
import { DataError } from './errors';
import { loadDataset } from './node-files';
import type { WorkerReply, WorkerRequest } from './worker-loader';

const { spec, options } = workerData as WorkerRequest;
const post = (reply: WorkerReply, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(reply, transfer);

loadDataset(spec, options).then(
  (dataset) => post({ dataset }, datasetTransferables(dataset)),
  (e: unknown) => post({
    error: e instanceof DataError
      ? { dataError: true, source: e.source, problem: e.message.slice(e.source.length + 2) }
      : { dataError: false, message: e instanceof Error ? e.message : String(e) },
  }),
);
