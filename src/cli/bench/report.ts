// Output of the peers bench: one JSON object per measurement (--json), or a table per workload with
// convlab-cpu's speed as a multiple of each peer's, the ConvLab-only counters, warnings and notes.

import type { ContestantName, ContestantRun, Measurement, MetricName } from './contestant';
import type { PeerWorkload } from './workloads';

export function measurementJson(m: Measurement): string {
  const { min, median, max } = m.spread;
  return JSON.stringify({ contestant: m.contestant, workload: m.workload, metric: m.metric, median, min, max });
}

/** The contestant did not learn: its loss did not fall (or is not finite) over the timed rounds. */
export function notLearning(run: ContestantRun): boolean {
  return !(Number.isFinite(run.loss.first) && Number.isFinite(run.loss.last) && run.loss.last < run.loss.first);
}

function count(v: number): string {
  return v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(v >= 10 ? 1 : 2);
}

export interface WorkloadReport {
  readonly workload: PeerWorkload;
  readonly runs: ReadonlyMap<ContestantName, ContestantRun>;
  /** Contestants that could not run, with why. */
  readonly skipped: ReadonlyMap<ContestantName, string>;
}

function median(run: ContestantRun | undefined, metric: MetricName): number | undefined {
  return run?.measurements.find((m) => m.metric === metric)?.spread.median;
}

/** convlab-cpu's median over the contestant's: > 1 means ConvLab's CPU engine is that many times faster. */
function ratio(ours: number | undefined, theirs: number | undefined): string {
  return ours !== undefined && theirs !== undefined ? `${(ours / theirs).toFixed(2)}×` : '—';
}

export function workloadTable(r: WorkloadReport): string {
  const w = r.workload;
  const ours = r.runs.get('convlab-cpu');
  const cell = (run: ContestantRun, metric: MetricName) => {
    const s = run.measurements.find((m) => m.metric === metric)?.spread;
    return s ? `${count(s.median)} (${count(s.min)}–${count(s.max)})` : '—';
  };
  const lines = [
    `peers · ${w.name} ${w.shape.join('×')}, batch ${w.batch} (inference ${w.inferBatch}), SGD lr ${w.lr} momentum ${w.momentum}`,
    `${'contestant'.padEnd(15)}  ${'train im/s (min–max)'.padEnd(26)}  ${'infer im/s (min–max)'.padEnd(26)}  ${'cpu×train'.padStart(9)}  ${'cpu×infer'.padStart(9)}  loss first→last`,
  ];
  for (const [name, run] of r.runs) {
    lines.push(`${name.padEnd(15)}  ${cell(run, 'train_images_per_s').padEnd(26)}  ${cell(run, 'infer_images_per_s').padEnd(26)}  `
      + `${ratio(median(ours, 'train_images_per_s'), median(run, 'train_images_per_s')).padStart(9)}  `
      + `${ratio(median(ours, 'infer_images_per_s'), median(run, 'infer_images_per_s')).padStart(9)}  `
      + `${run.loss.first.toFixed(3)}→${run.loss.last.toFixed(3)}`);
  }
  for (const [name, run] of r.runs) {
    const gemm = median(run, 'gemm_gflops');
    if (gemm !== undefined) lines.push(`${name}: GEMM at LeNet-5's layer shapes ${count(gemm)} GFLOP/s`);
    const dispatches = median(run, 'dispatches_per_step'), readbacks = median(run, 'readbacks_per_step');
    if (dispatches !== undefined) lines.push(`${name}: ${count(dispatches)} dispatches and ${count(readbacks ?? 0)} readbacks per training step`);
  }
  for (const [name, run] of r.runs) {
    if (notLearning(run)) lines.push(`WARNING: ${name} did not learn on ${w.name}: loss ${run.loss.first} → ${run.loss.last}`);
  }
  for (const [name, run] of r.runs) if (run.note) lines.push(`note: ${name}: ${run.note}`);
  for (const [name, why] of r.skipped) lines.push(`note: ${name} skipped: ${why}`);
  return `${lines.join('\n')}\n`;
}
