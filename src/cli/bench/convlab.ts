// The ConvLab contestants: the CPU backend (f32, its WebAssembly kernels) and the WebGPU backend on
// Dawn, training through the same Trainer the extension uses. The WebGPU one also reports its
// dispatches and readbacks per training step from the backend's counters.

import { CpuBackend, Network, Trainer, type Backend, type Dataset } from '../../engine';
import { createNodeWebGpuBackend, nodeThreadSpawner } from '../../engine/node';
import { analyze, type ModelSpec } from '../../lang';
import { inferenceInput, type Contestant, type ContestantName, type ContestantRun, type Measurement } from './contestant';
import { roundsPerSecond, spreadOf } from './measure';
import { convlabModelText, type PeerWorkload, type RoundPlan } from './workloads';

/** The ConvLab model of a workload; its train settings point at the data set the bench loads. */
export function convlabSpec(w: PeerWorkload): ModelSpec {
  const analysis = analyze(convlabModelText(w));
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`the ${w.name} model does not check: ${errors[0].message}`);
  return analysis.spec;
}

interface Counters { readonly dispatches: number; readonly readbacks: number }

async function measureOn(name: ContestantName, backend: Backend, counters: (() => Counters) | null,
  w: PeerWorkload, data: Dataset, plan: RoundPlan): Promise<ContestantRun> {
  const spec = convlabSpec(w);
  const losses: number[] = [], rates: number[] = [];
  let before: Counters | null = null, after: Counters | null = null;
  const trainer = new Trainer({
    spec, dataset: data, backend, settings: { epochs: plan.warmup + plan.reps, batch: w.batch }, evaluateEachEpoch: false,
    onEvent: (e) => {
      if (e.type !== 'epoch') return;
      // One epoch is one round: the data holds exactly plan.steps batches.
      if (e.epoch > plan.warmup) { losses.push(e.loss); rates.push(e.imagesPerSecond); }
      if (e.epoch === plan.warmup) before = counters?.() ?? null;
      if (e.epoch === plan.warmup + plan.reps) after = counters?.() ?? null;
    },
  });
  await trainer.run();
  trainer.network.dispose();
  const measurements: Measurement[] = [{ contestant: name, workload: w.name, metric: 'train_images_per_s', spread: spreadOf(rates) }];
  if (before && after) {
    const steps = plan.reps * plan.steps;
    const per = (k: keyof Counters) => (after![k] - before![k]) / steps;
    measurements.push({ contestant: name, workload: w.name, metric: 'dispatches_per_step', spread: spreadOf([per('dispatches')]) });
    measurements.push({ contestant: name, workload: w.name, metric: 'readbacks_per_step', spread: spreadOf([per('readbacks')]) });
  }
  const net = new Network(backend, spec, { maxBatch: w.inferBatch, seed: 1 });
  try {
    backend.write(net.input, transposeToChannelsFirst(inferenceInput(w), w));
    const pass = { n: w.inferBatch, training: false, seed: 0 };
    const infer = await roundsPerSecond(async () => { await backend.read(net.predict(pass)); }, w.inferBatch, plan.warmup, plan.reps);
    measurements.push({ contestant: name, workload: w.name, metric: 'infer_images_per_s', spread: spreadOf(infer) });
  } finally {
    net.dispose();
  }
  return { measurements, loss: { first: losses[0], last: losses[losses.length - 1] } };
}

/** NCHW → the engine's C × (N·H·W) layout. */
function transposeToChannelsFirst(x: Float32Array, w: PeerWorkload): Float32Array {
  const [c, h, wd] = w.shape, n = w.inferBatch, hw = h * wd;
  const out = new Float32Array(x.length);
  for (let b = 0; b < n; b++) for (let ch = 0; ch < c; ch++) out.set(x.subarray((b * c + ch) * hw, (b * c + ch + 1) * hw), (ch * n + b) * hw);
  return out;
}

export const convlabCpu: Contestant = {
  name: 'convlab-cpu',
  async measure(w, data, plan, cpuThreads) {
    const cpu = new CpuBackend({ precision: 'f32', threads: cpuThreads, threadSpawner: nodeThreadSpawner });
    try {
      const threads = `${cpu.threads} thread${cpu.threads === 1 ? '' : 's'}`;
      return { ...(await measureOn('convlab-cpu', cpu, null, w, data, plan)), note: `kernels: ${cpu.kernels}, ${threads}` };
    } finally { cpu.destroy(); }
  },
};

export const convlabWebGpu: Contestant = {
  name: 'convlab-webgpu',
  async measure(w, data, plan) {
    const gpu = await createNodeWebGpuBackend();
    try {
      const counters = () => ({ dispatches: gpu.stats.dispatches, readbacks: gpu.stats.readbacks });
      return { ...(await measureOn('convlab-webgpu', gpu, counters, w, data, plan)), note: `adapter: ${gpu.description}` };
    } finally { gpu.destroy(); }
  },
};
