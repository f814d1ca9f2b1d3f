// What every contestant of the peers bench reports: named measurements (each a spread over timed
// rounds) and the training loss of its first and last timed rounds, to check that it learns.

import type { Dataset } from '../../engine';
import type { Spread } from './measure';
import type { PeerWorkload, PeerWorkloadName, RoundPlan } from './workloads';

export const CONTESTANTS = ['convlab-cpu', 'convlab-webgpu', 'tfjs-cpu', 'tfjs-wasm', 'tfjs-webgpu', 'pytorch-cpu'] as const;
export type ContestantName = (typeof CONTESTANTS)[number];

export type MetricName = 'train_images_per_s' | 'infer_images_per_s' | 'dispatches_per_step' | 'readbacks_per_step' | 'gemm_gflops';

export interface Measurement {
  readonly contestant: ContestantName;
  readonly workload: PeerWorkloadName;
  readonly metric: MetricName;
  readonly spread: Spread;
}

export interface ContestantRun {
  readonly measurements: readonly Measurement[];
  /** Mean training loss over the first and over the last timed round. */
  readonly loss: { readonly first: number; readonly last: number };
  /** Something the table must say about how this contestant ran (a shim, an adapter). */
  readonly note?: string;
}

export interface Contestant {
  readonly name: ContestantName;
  /**
   * Trains `plan.warmup + plan.reps` rounds of `plan.steps` batches of `data`, then times inference;
   * the CPU contestants that can (convlab-cpu, pytorch-cpu) run on `cpuThreads` threads.
   */
  measure(workload: PeerWorkload, data: Dataset, plan: RoundPlan, cpuThreads: number): Promise<ContestantRun>;
}

/** Seeded inputs for the inference rounds (their values do not matter, only their shape). */
export function inferenceInput(w: PeerWorkload): Float32Array {
  const size = w.inferBatch * w.shape[0] * w.shape[1] * w.shape[2];
  const x = new Float32Array(size);
  let s = 12345;
  for (let i = 0; i < size; i++) { s = (s * 1103515245 + 12345) >>> 0; x[i] = (s >>> 8) / (1 << 24); }
  return x;
}
