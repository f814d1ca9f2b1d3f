// `convlab bench --only profile`: where convlab-cpu's time goes in one training step and one
// inference pass of each peers workload — per backend op, milliseconds per step, share, and GFLOP/s
// against the WebAssembly SIMD multiply-add peak measured in the same run (one thread's peak times
// the threads). It tells which kernel limits a ratio in the peers table, and how far it is from
// what 128-bit SIMD allows on this machine.

import { CpuBackend, createOptimizer, Network, type Backend, type ConvGeometry, type CpuKernels } from '../../engine';
import { nodeThreadSpawner } from '../../engine/node';
import type { Io } from '../args';
import { convlabSpec } from './convlab';
import * as simdPeakWat from './simd-peak.wat';
import { PEER_WORKLOADS, type PeerWorkload, type PeerWorkloadName } from './workloads';

/** One backend op (method and shape) over the timed steps. */
export interface OpTotals {
  readonly op: string;
  calls: number;
  ms: number;
  /** Multiply-add flops (2 per multiply-add) of all calls; 0 for ops that are passes over memory. */
  flops: number;
}

/** Flops of the product a call computes, from its arguments; 0 where it is not a product. */
function productFlops(method: string, args: readonly unknown[]): number {
  if (method.startsWith('conv')) {
    const g = args[0] as ConvGeometry;
    return 2 * g.m * g.c * g.kh * g.kw * g.n * g.oh * g.ow;
  }
  // gemm(a, b, c, m, n, k) and linearForward(w, x, bias, y, m, n, k, …)
  if (method === 'gemm') return 2 * (args[3] as number) * (args[4] as number) * (args[5] as number);
  if (method === 'linearForward') return 2 * (args[4] as number) * (args[5] as number) * (args[6] as number);
  return 0;
}

function opName(method: string, args: readonly unknown[]): string {
  if (method.startsWith('conv')) {
    const g = args[0] as ConvGeometry;
    return `${method} ${g.c}→${g.m} ${g.h}×${g.w} k${g.kh}${g.sh > 1 ? ` s${g.sh}` : ''}`;
  }
  if (method === 'gemm') return `gemm ${args[3]}×${args[4]}×${args[5]}`;
  if (method === 'linearForward') return `linearForward ${args[4]}×${args[5]}×${args[6]}`;
  return method;
}

/**
 * Times every method call on `backend` (the outermost only: a fused form that falls back to the
 * separate calls counts once), keyed by method and shape.
 */
export function instrument(backend: Backend): { totals: Map<string, OpTotals>; reset(): void } {
  const totals = new Map<string, OpTotals>();
  let depth = 0;
  const target = backend as unknown as Record<string, unknown>;
  for (let proto = Object.getPrototypeOf(backend); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const method of Object.getOwnPropertyNames(proto)) {
      const original = target[method];
      if (method === 'constructor' || typeof original !== 'function' || Object.prototype.hasOwnProperty.call(target, method)) continue;
      target[method] = function (this: unknown, ...args: unknown[]) {
        if (depth > 0) return (original as (...a: unknown[]) => unknown).apply(backend, args);
        depth++;
        const t0 = performance.now();
        try {
          return (original as (...a: unknown[]) => unknown).apply(backend, args);
        } finally {
          depth--;
          const key = opName(method, args);
          const entry = totals.get(key) ?? { op: key, calls: 0, ms: 0, flops: 0 };
          entry.calls++;
          entry.ms += performance.now() - t0;
          entry.flops += productFlops(method, args);
          totals.set(key, entry);
        }
      };
    }
  }
  return { totals, reset: () => totals.clear() };
}

/** GFLOP/s of one thread's SIMD multiply-adds (FMAs with relaxed SIMD, else mul + add), best of a few runs. */
export function simdPeakGflops(kernels: CpuKernels): number {
  const bytes = kernels === 'wasm-relaxed' ? simdPeakWat.relaxedSimd : simdPeakWat.plainSimd;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: new WebAssembly.Memory({ initial: 1 }) } });
  const run = instance.exports.multiply_adds as (iterations: number) => number;
  const iterations = 2_000_000;
  run(iterations / 10);
  let best = 0;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    run(iterations);
    best = Math.max(best, (iterations * 96) / ((performance.now() - t0) * 1e6));
  }
  return best;
}

export interface PassProfile {
  readonly pass: 'train' | 'infer';
  readonly batch: number;
  readonly msPerStep: number;
  readonly ops: readonly OpTotals[];
}

/** A training step (forward, loss, backward, SGD) and an inference pass of `w` on `cpu` (instrumented by `probe`), per op. */
export function profileWorkload(cpu: CpuBackend, probe: ReturnType<typeof instrument>, w: PeerWorkload, steps: number): PassProfile[] {
  const spec = convlabSpec(w);
  const out: PassProfile[] = [];
  for (const pass of ['train', 'infer'] as const) {
    const n = pass === 'train' ? w.batch : w.inferBatch;
    const net = new Network(cpu, spec, { maxBatch: n, seed: 1 });
    const metrics = cpu.zeros(3);
    try {
      const size = n * w.shape[0] * w.shape[1] * w.shape[2];
      cpu.write(net.input, Float32Array.from({ length: size }, (_, i) => ((i * 2654435761) % 1000) / 1000));
      cpu.write(net.labels, Uint32Array.from({ length: n }, (_, i) => i % w.classes));
      const optimizer = createOptimizer(cpu, net.parameters, { optimizer: 'sgd', momentum: w.momentum, weightDecay: 0 });
      const step = () => {
        const p = { n, training: pass === 'train', seed: 0 };
        if (pass === 'infer') { net.predict(p); return; }
        net.forward(p);
        net.computeLoss(n, metrics, true);
        net.backward(p);
        optimizer.step(w.lr);
      };
      for (let i = 0; i < 2; i++) step();
      probe.reset();
      const t0 = performance.now();
      for (let i = 0; i < steps; i++) step();
      const ms = (performance.now() - t0) / steps;
      const ops = [...probe.totals.values()].map((o) => ({ ...o, calls: o.calls / steps, ms: o.ms / steps, flops: o.flops / steps }));
      out.push({ pass, batch: n, msPerStep: ms, ops: ops.sort((a, b) => b.ms - a.ms) });
    } finally {
      cpu.dispose(metrics);
      net.dispose();
    }
  }
  return out;
}

/** Runs the profile of each workload and prints its tables (or JSON lines). */
export function benchProfile(workloads: readonly PeerWorkloadName[], threads: number, quick: boolean, json: boolean, io: Io): void {
  const cpu = new CpuBackend({ precision: 'f32', threads, threadSpawner: nodeThreadSpawner });
  try {
    const probe = instrument(cpu);
    const peak = simdPeakGflops(cpu.kernels);
    const machinePeak = peak * cpu.threads;
    const where = `${cpu.kernels}, ${cpu.threads} thread${cpu.threads === 1 ? '' : 's'}`;
    if (json) io.stdout(`${JSON.stringify({ contestant: 'convlab-cpu', metric: 'simd_peak_gflops', threads: 1, median: peak, min: peak, max: peak })}\n`);
    else io.stdout(`\nprofile of convlab-cpu (${where}): SIMD multiply-add peak ${peak.toFixed(1)} GFLOP/s per thread, ${machinePeak.toFixed(1)} on ${cpu.threads}\n`);
    for (const name of workloads) {
      io.stderr(`bench: profiling convlab-cpu on ${name}…\n`);
      for (const p of profileWorkload(cpu, probe, PEER_WORKLOADS[name], quick ? 2 : name === 'lenet5' ? 20 : 5)) {
        if (json) {
          for (const o of p.ops) {
            io.stdout(`${JSON.stringify({
              contestant: 'convlab-cpu', workload: name, metric: 'kernel_profile', pass: p.pass, op: o.op, calls_per_step: o.calls,
              ms_per_step: o.ms, gflops: o.flops > 0 ? o.flops / o.ms / 1e6 : null, peak_share: o.flops > 0 ? o.flops / o.ms / 1e6 / machinePeak : null,
            })}\n`);
          }
        } else {
          io.stdout(profileTable(name, p, machinePeak));
        }
      }
    }
  } finally {
    cpu.destroy();
  }
}

function profileTable(workload: string, p: PassProfile, peak: number): string {
  const lines = [`\n${workload} ${p.pass === 'train' ? 'training step' : 'inference pass'}, batch ${p.batch}: ${p.msPerStep.toFixed(2)} ms`,
    `${'op'.padEnd(44)} ${'calls'.padStart(5)} ${'ms'.padStart(8)} ${'share'.padStart(6)} ${'GFLOP/s'.padStart(8)} ${'of peak'.padStart(8)}`];
  const shown = p.ops.filter((o) => o.ms / p.msPerStep >= 0.005);
  for (const o of shown) {
    const gflops = o.flops > 0 ? o.flops / o.ms / 1e6 : null;
    lines.push(`${o.op.padEnd(44)} ${fmt(o.calls, 0).padStart(5)} ${fmt(o.ms, 2).padStart(8)} ${`${(100 * o.ms / p.msPerStep).toFixed(1)}%`.padStart(6)} ${
      (gflops === null ? '–' : gflops.toFixed(1)).padStart(8)} ${(gflops === null ? '–' : `${(100 * gflops / peak).toFixed(0)}%`).padStart(8)}`);
  }
  const rest = p.msPerStep - shown.reduce((s, o) => s + o.ms, 0);
  lines.push(`${'(everything else: smaller ops, JavaScript)'.padEnd(44)} ${''.padStart(5)} ${fmt(rest, 2).padStart(8)} ${`${(100 * rest / p.msPerStep).toFixed(1)}%`.padStart(6)}`);
  return `${lines.join('\n')}\n`;
}

function fmt(v: number, digits: number): string {
  return v.toFixed(digits);
}
