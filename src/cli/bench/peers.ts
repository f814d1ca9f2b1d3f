// The peers workloads (lenet5, cifar3): every chosen contestant, one after another in this process
// (pytorch in a child), on the same model, data, batch and optimizer. Slow contestants (plain-JS
// tfjs, anything on SwiftShader) time fewer steps so a full run stays within minutes.

import { errorMessage } from '../../engine';
import { UsageError, type Io } from '../args';
import { CONTESTANTS, type Contestant, type ContestantName, type ContestantRun } from './contestant';
import { convlabCpu, convlabSpec, convlabWebGpu } from './convlab';
import { measureLenetGemm } from './lenet-gemms';
import { pytorchCpu } from './pytorch';
import { measurementJson, notLearning, workloadTable } from './report';
import { tfjsCpu, tfjsWasm, tfjsWebGpu } from './tfjs';
import { PEER_WORKLOADS, trainingData, type PeerWorkloadName, type RoundPlan } from './workloads';

export const PEER_WORKLOAD_NAMES = Object.keys(PEER_WORKLOADS) as PeerWorkloadName[];

const BY_NAME: Readonly<Record<ContestantName, Contestant>> = {
  'convlab-cpu': convlabCpu, 'convlab-webgpu': convlabWebGpu,
  'tfjs-cpu': tfjsCpu, 'tfjs-wasm': tfjsWasm, 'tfjs-webgpu': tfjsWebGpu, 'pytorch-cpu': pytorchCpu,
};

const SLOW: ReadonlySet<ContestantName> = new Set(['tfjs-cpu', 'convlab-webgpu']);
/** tfjs-webgpu on SwiftShader: ~10 s for one batch-64 convolution, so a LeNet-5 step takes a minute. */
const SLOWEST: ReadonlySet<ContestantName> = new Set(['tfjs-webgpu']);

export function roundPlan(workload: PeerWorkloadName, contestant: ContestantName, quick: boolean): RoundPlan {
  const slow = SLOW.has(contestant);
  if (SLOWEST.has(contestant)) return { steps: 1, warmup: 1, reps: 2 };
  if (quick) return { steps: slow || workload === 'cifar3' ? 1 : 2, warmup: 1, reps: 2 };
  if (workload === 'lenet5') return slow ? { steps: 3, warmup: 1, reps: 3 } : { steps: 10, warmup: 1, reps: 5 };
  return slow ? { steps: 1, warmup: 1, reps: 2 } : { steps: 3, warmup: 1, reps: 3 };
}

export function parseContestants(value: string | undefined): ContestantName[] {
  if (value === undefined) return [...CONTESTANTS];
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.find((n) => !(CONTESTANTS as readonly string[]).includes(n));
  if (unknown !== undefined) throw new UsageError(`unknown contestant '${unknown}' (choose from ${CONTESTANTS.join(', ')})`);
  return names as ContestantName[];
}

/** Runs the workload for each contestant and prints its JSON lines or its table. */
export async function benchPeers(workload: PeerWorkloadName, contestants: readonly ContestantName[], quick: boolean, json: boolean, io: Io,
  cpuThreads = 1): Promise<void> {
  const w = PEER_WORKLOADS[workload];
  const dataSpec = convlabSpec(w).train.data;
  const runs = new Map<ContestantName, ContestantRun>();
  const skipped = new Map<ContestantName, string>();
  for (const name of contestants) {
    const plan = roundPlan(workload, name, quick);
    // Progress on stderr: slow contestants (SwiftShader) take minutes, and stdout stays the result.
    const t0 = performance.now();
    io.stderr(`bench: ${name} on ${workload} (${plan.warmup} + ${plan.reps} rounds of ${plan.steps} steps)…\n`);
    try {
      const data = await trainingData(w, dataSpec, plan.steps * w.batch);
      const run = await BY_NAME[name].measure(w, data, plan, cpuThreads);
      const measurements = name === 'convlab-cpu' && workload === 'lenet5' ? [...run.measurements, measureLenetGemm(plan)] : run.measurements;
      runs.set(name, { ...run, measurements });
      io.stderr(`bench: ${name} on ${workload} done in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
      if (json) {
        for (const m of measurements) io.stdout(`${measurementJson(m)}\n`);
        if (notLearning(run)) io.stderr(`warning: ${name} did not learn on ${workload}: loss ${run.loss.first} → ${run.loss.last}\n`);
      }
    } catch (e) {
      skipped.set(name, errorMessage(e));
      if (json) io.stderr(`note: ${name} skipped on ${workload}: ${errorMessage(e)}\n`);
    }
  }
  if (!json) io.stdout(`\n${workloadTable({ workload: w, runs, skipped })}`);
}
