// `convlab bench` (= `npm run bench`): speed figures, always as ratios against a baseline measured
// in the same run on the same machine, never as absolute claims. Workloads:
//   lenet5, cifar3   (the default) the peers bench, src/cli/bench/: ConvLab's CPU and WebGPU engines
//          beside TensorFlow.js (cpu, wasm, webgpu; one thread) and PyTorch (CPU, --threads), training and
//          inference images/s of the same model on the same data; --contestants picks who runs;
//   profile  where convlab-cpu's time goes in a lenet5/cifar3 step: ms and GFLOP/s per backend op
//          against the WebAssembly SIMD peak measured in the same run (src/cli/bench/profile.ts);
//   lang   `analyze` on a 1,000-line model (it runs on every keystroke) against its 5 ms budget;
//   gemm   the CPU backend's packed, register-tiled GEMM vs a straightforward ikj triple loop, at
//          square sizes and at the GEMMs one LeNet-5 training step performs (forward, wgrad, dgrad);
//   conv   the CPU backend's convolution (implicit im2col + GEMM) vs the lecture's direct 7-loop code;
//   train  training throughput (images/s) of LeNet-5 (or --model FILE) on every backend available,
//          WebGPU vs CPU, at batch 64 so figures compare across models and runs.
// Timings are medians over repeated runs after a warm-up; the machine's other load still shows up,
// which is why only ratios are reported as results.

import { basename, join, resolve } from 'node:path';
import {
  CpuBackend, errorMessage, exampleSize, outputSize, Rng, takeExamples, Trainer, type Backend, type ConvGeometry,
} from '../engine';
import { createNodeWebGpuBackend, loadDataset } from '../engine/node';
import type { ModelSpec } from '../lang';
import { defineCommand, UsageError, type Io } from './args';
import { parseCpuThreads } from './backend-choice';
import { autotuneFlag, autotuneOptions, kernelChoiceNote, parseAutotune } from './autotune-flag';
import { jsonFlag, threadsFlag } from './common-flags';
import { LANG_BUDGET_MS, largeModel, medianAnalyzeMs } from './bench-lang';
import { lenetGemmCases, type GemmCase } from './bench/lenet-gemms';
import { benchPeers, parseContestants, PEER_WORKLOAD_NAMES } from './bench/peers';
import { benchProfile } from './bench/profile';
import { analyzeFile } from './model-file';

interface Row {
  readonly workload: string;
  readonly case: string;
  readonly ours: number;      // higher is better
  readonly baseline: number;
  readonly unit: string;      // 'GFLOP/s' | 'images/s' | 'analyses/s'
  readonly oursLabel: string;
  readonly baselineLabel: string;
}

const WORKLOADS = ['lenet5', 'cifar3', 'profile', 'lang', 'gemm', 'conv', 'train'] as const;
const DEFAULT_WORKLOADS: readonly Workload[] = PEER_WORKLOAD_NAMES;
type Workload = (typeof WORKLOADS)[number];

export const benchCommand = defineCommand({
  name: 'bench',
  summary: 'Measure kernel and training speed as ratios against baselines run alongside.',
  details: [
    'Workloads: lenet5 and cifar3 (the default: ConvLab beside tfjs cpu/wasm/webgpu and PyTorch, same model, data and optimizer),',
    'profile (convlab-cpu per op on lenet5 and cifar3: ms, GFLOP/s and share of the SIMD peak measured alongside),',
    'lang (a 1,000-line model checked vs the 5 ms budget), gemm (packed GEMM vs a plain triple loop), conv (im2col+GEMM vs direct loops),',
    'train (LeNet-5 images/s on each available backend: webgpu vs cpu). Only ratios are meaningful:',
    'absolute figures depend on the machine and its load. --quick shrinks every workload.',
  ].join('\n'),
  positionals: [],
  flags: [
    { name: 'only', type: 'string', value: 'lenet5,cifar3,profile,lang,gemm,conv,train', description: 'workloads to run (default lenet5,cifar3)' },
    { name: 'contestants', type: 'string', value: 'convlab-cpu,tfjs-cpu,…', description: 'contestants of lenet5/cifar3 (default all)' },
    { name: 'backend', type: 'string', value: 'cpu|webgpu|all', description: 'backends for the train workload (default all available)' },
    { name: 'model', type: 'string', value: 'FILE', description: 'model for the train workload (default examples/lenet5.cnn, batch 64)' },
    { name: 'quick', type: 'boolean', description: 'smaller sizes and fewer repetitions' },
    threadsFlag('threads of convlab-cpu and pytorch-cpu in lenet5/cifar3 (default: the cores, at most 8)'),
    { ...autotuneFlag, description: `${autotuneFlag.description}; the train workload` },
    jsonFlag('print one JSON object per line and measurement'),
  ],
  async run({ flags }, io) {
    const only = parseWorkloads(flags.only);
    const backendChoice = flags.backend ?? 'all';
    if (!['cpu', 'webgpu', 'all'].includes(backendChoice)) throw new UsageError(`--backend must be cpu, webgpu or all, not '${backendChoice}'`);
    const quick = flags.quick ?? false;
    const contestants = parseContestants(flags.contestants);
    const cpuThreads = parseCpuThreads(flags.threads);
    const notes: string[] = [];
    let rows = 0;
    const report = (row: Row) => {
      if (rows++ === 0 && !flags.json) io.stdout(`\n${header()}`);
      io.stdout(flags.json ? `${JSON.stringify({ ...row, ratio: row.ours / row.baseline })}\n` : formatRow(row));
    };
    for (const workload of PEER_WORKLOAD_NAMES) if (only.has(workload)) await benchPeers(workload, contestants, quick, flags.json ?? false, io, cpuThreads);
    if (only.has('profile')) benchProfile(PEER_WORKLOAD_NAMES, cpuThreads, quick, flags.json ?? false, io);
    if (only.has('lang')) report(benchLang());
    if (only.has('gemm')) benchGemm(quick).forEach(report);
    if (only.has('conv')) benchConv(quick).forEach(report);
    const autotune = parseAutotune(flags.autotune);
    if (only.has('train')) (await benchTrain(benchModel(flags.model, io), quick, backendChoice, notes, autotune)).forEach(report);
    const noteText = notes.map((n) => `note: ${n}\n`).join('');
    if (flags.json) io.stderr(noteText);
    else if (notes.length > 0) io.stdout(`\n${noteText}`);
    return 0;
  },
});

function parseWorkloads(value: string | undefined): Set<Workload> {
  if (value === undefined) return new Set(DEFAULT_WORKLOADS);
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) {
    if (!(WORKLOADS as readonly string[]).includes(n)) throw new UsageError(`unknown workload '${n}' (choose from ${WORKLOADS.join(', ')})`);
  }
  return new Set(names as Workload[]);
}

// ── timing ───────────────────────────────────────────────────────────────────────────────────────

/** Median milliseconds per call of fn: one warm-up call, then at least `reps` calls and `minMs` in total. */
function medianMs(fn: () => void, reps: number, minMs: number): number {
  fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < reps || performance.now() - start < minMs) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
    if (times.length >= 50) break;
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

function randomArray(length: number, rng: Rng): Float32Array {
  const a = new Float32Array(length);
  for (let i = 0; i < length; i++) a[i] = rng.next() * 2 - 1;
  return a;
}

// ── lang ─────────────────────────────────────────────────────────────────────────────────────────

function benchLang(): Row {
  const ms = medianAnalyzeMs(largeModel(1000));
  return {
    workload: 'lang', case: 'analyze a 1,000-line model (median)', ours: 1000 / ms, baseline: 1000 / LANG_BUDGET_MS,
    unit: 'analyses/s', oursLabel: `${ms.toFixed(2)} ms`, baselineLabel: `the ${LANG_BUDGET_MS} ms budget`,
  };
}

// ── gemm ─────────────────────────────────────────────────────────────────────────────────────────

function gemmCases(quick: boolean): GemmCase[] {
  const squares = (quick ? [128, 256] : [128, 256, 512]).map((s) => ({ name: `${s}×${s}×${s}`, m: s, n: s, k: s, transA: false, transB: false }));
  return [...squares, ...lenetGemmCases(quick ? 16 : 64)];
}

/** The baseline: the textbook ikj loop (row-major, cache-friendly inner loop), transposes by indexing. */
function naiveGemm(c: GemmCase, a: Float32Array, b: Float32Array, out: Float32Array): void {
  const { m, n, k, transA, transB } = c;
  out.fill(0);
  for (let i = 0; i < m; i++) {
    const row = i * n;
    for (let p = 0; p < k; p++) {
      const aip = transA ? a[p * m + i] : a[i * k + p];
      if (transB) for (let j = 0; j < n; j++) out[row + j] += aip * b[j * k + p];
      else {
        const bRow = p * n;
        for (let j = 0; j < n; j++) out[row + j] += aip * b[bRow + j];
      }
    }
  }
}

function benchGemm(quick: boolean): Row[] {
  const cpu = new CpuBackend({ precision: 'f32' });
  const rng = new Rng(1);
  const rows: Row[] = [];
  try {
    for (const c of gemmCases(quick)) {
      const aHost = randomArray(c.m * c.k, rng), bHost = randomArray(c.k * c.n, rng);
      const a = cpu.zeros(aHost.length), b = cpu.zeros(bHost.length), out = cpu.zeros(c.m * c.n);
      cpu.write(a, aHost); cpu.write(b, bHost);
      const flops = 2 * c.m * c.n * c.k;
      const reps = quick ? 3 : 5, minMs = quick ? 100 : 300;
      const ours = medianMs(() => cpu.gemm(a, b, out, c.m, c.n, c.k, { transA: c.transA, transB: c.transB }), reps, minMs);
      const naiveOut = new Float32Array(c.m * c.n);
      const base = medianMs(() => naiveGemm(c, aHost, bHost, naiveOut), reps, minMs);
      rows.push({ workload: 'gemm', case: c.name, ours: flops / ours / 1e6, baseline: flops / base / 1e6, unit: 'GFLOP/s',
        oursLabel: `${cpu.kernels} GEMM`, baselineLabel: 'ikj loop' });
      cpu.dispose(a); cpu.dispose(b); cpu.dispose(out);
    }
  } finally {
    cpu.destroy();
  }
  return rows;
}

// ── conv ─────────────────────────────────────────────────────────────────────────────────────────

function convGeometry(n: number, c: number, h: number, m: number, k: number, pad: number): ConvGeometry {
  const o = outputSize(h, k, 1, pad);
  return { n, c, h, w: h, m, kh: k, kw: k, sh: 1, sw: 1, ph: pad, pw: pad, oh: o, ow: o };
}

/** The lecture's sequential convLayer_forward, in the d × (N·H·W) layout, with padding. */
function directConv(g: ConvGeometry, x: Float32Array, w: Float32Array, y: Float32Array): void {
  const { n, c, h, w: width, m, kh, kw, ph, pw, oh, ow } = g;
  for (let b = 0; b < n; b++) {
    for (let o = 0; o < m; o++) {
      for (let r = 0; r < oh; r++) {
        for (let s = 0; s < ow; s++) {
          let acc = 0;
          for (let ch = 0; ch < c; ch++) {
            for (let p = 0; p < kh; p++) {
              const ih = r + p - ph;
              if (ih < 0 || ih >= h) continue;
              for (let q = 0; q < kw; q++) {
                const iw = s + q - pw;
                if (iw < 0 || iw >= width) continue;
                acc += x[((ch * n + b) * h + ih) * width + iw] * w[((o * c + ch) * kh + p) * kw + q];
              }
            }
          }
          y[((o * n + b) * oh + r) * ow + s] = acc;
        }
      }
    }
  }
}

function benchConv(quick: boolean): Row[] {
  const batch = quick ? 16 : 64;
  const cases = [
    { name: `LeNet C1 1×28×28→6×28×28 (b=${batch})`, g: convGeometry(batch, 1, 28, 6, 5, 2) },
    { name: `LeNet C3 6×14×14→16×10×10 (b=${batch})`, g: convGeometry(batch, 6, 14, 16, 5, 0) },
    { name: `3×32×32→32×32×32 k3 (b=${batch / 2})`, g: convGeometry(batch / 2, 3, 32, 32, 3, 1) },
  ];
  const cpu = new CpuBackend({ precision: 'f32' });
  const rng = new Rng(2);
  const rows: Row[] = [];
  try {
    for (const { name, g } of cases) {
      const xHost = randomArray(g.c * g.n * g.h * g.w, rng), wHost = randomArray(g.m * g.c * g.kh * g.kw, rng);
      const x = cpu.zeros(xHost.length), w = cpu.zeros(wHost.length), y = cpu.zeros(g.m * g.n * g.oh * g.ow);
      cpu.write(x, xHost); cpu.write(w, wHost);
      const flops = 2 * g.m * g.c * g.kh * g.kw * g.oh * g.ow * g.n;
      const reps = quick ? 3 : 5, minMs = quick ? 100 : 300;
      const ours = medianMs(() => cpu.convForward(g, x, w, null, y), reps, minMs);
      const yHost = new Float32Array(g.m * g.n * g.oh * g.ow);
      const base = medianMs(() => directConv(g, xHost, wHost, yHost), reps, minMs);
      rows.push({ workload: 'conv', case: name, ours: flops / ours / 1e6, baseline: flops / base / 1e6, unit: 'GFLOP/s',
        oursLabel: `${cpu.kernels} im2col+GEMM`, baselineLabel: 'direct loops' });
      // The same convolution on the TypeScript kernels (the test oracle), to show what the wasm kernels add.
      const ts = new CpuBackend({ precision: 'f32', kernels: 'typescript' });
      const [tx, tw, ty] = [ts.zeros(xHost.length), ts.zeros(wHost.length), ts.zeros(g.m * g.n * g.oh * g.ow)];
      ts.write(tx, xHost); ts.write(tw, wHost);
      const typescript = medianMs(() => ts.convForward(g, tx, tw, null, ty), reps, minMs);
      rows.push({ workload: 'conv', case: name, ours: flops / ours / 1e6, baseline: flops / typescript / 1e6, unit: 'GFLOP/s',
        oursLabel: `${cpu.kernels} im2col+GEMM`, baselineLabel: 'typescript kernels' });
      cpu.dispose(x); cpu.dispose(w); cpu.dispose(y);
    }
  } finally {
    cpu.destroy();
  }
  return rows;
}

// ── train ────────────────────────────────────────────────────────────────────────────────────────

/** The model the train workload runs: --model FILE, else the bundled examples/lenet5.cnn. */
function benchModel(file: string | undefined, io: Io): { name: string; spec: ModelSpec } {
  const path = file !== undefined ? resolve(io.cwd, file) : join(__dirname, '..', 'examples', 'lenet5.cnn');
  const { analysis } = analyzeFile(path, io, 'bench');
  return { name: file !== undefined ? basename(file, '.cnn') : 'LeNet-5', spec: analysis.spec };
}

/** Images per second of training over `steps` mini-batches of the model's data set. */
async function trainThroughput(spec: ModelSpec, backend: Backend, batch: number, steps: number): Promise<number> {
  const full = await loadDataset(spec.train.data);
  const count = batch * steps;
  const subset = { ...full, train: takeExamples(full.train, exampleSize(full), Uint32Array.from({ length: count }, (_, i) => i)) };
  const run = async (epochs: number) => {
    const trainer = new Trainer({ spec, dataset: subset, backend, settings: { epochs, batch }, evaluateEachEpoch: false });
    const t0 = performance.now();
    await trainer.run();
    const ms = performance.now() - t0;
    return ms;
  };
  await run(1); // warm-up: pipelines, JIT, scratch buffers
  const ms = await run(1);
  return (count / ms) * 1000;
}

async function benchTrain(model: { name: string; spec: ModelSpec }, quick: boolean, choice: string, notes: string[], autotune: boolean): Promise<Row[]> {
  const batch = quick ? 32 : 64;
  const cpuSteps = quick ? 10 : 40;
  const gpuSteps = quick ? 3 : 8;
  const results = new Map<string, number>();
  // The CPU always runs: it is the baseline the WebGPU figure is a ratio against.
  const cpuBackend = new CpuBackend({ precision: 'f32' });
  try { results.set('cpu', await trainThroughput(model.spec, cpuBackend, batch, cpuSteps)); } finally { cpuBackend.destroy(); }
  if (choice !== 'cpu') {
    try {
      // No budget: the warm-up run tunes every new shape, so the timed run measures the chosen kernels only.
      const tuning = { ...autotuneOptions(autotune, (m) => notes.push(`warning: ${m}`)), budgetMs: Number.POSITIVE_INFINITY };
      const gpu = await createNodeWebGpuBackend({ autotune: tuning });
      try {
        results.set('webgpu', await trainThroughput(model.spec, gpu, batch, gpuSteps));
        notes.push(`webgpu adapter: ${gpu.description}`, kernelChoiceNote(gpu, autotune));
      } finally { gpu.destroy(); }
    } catch (e) {
      notes.push(`webgpu not measured: ${errorMessage(e)}`);
    }
  }
  const cpu = results.get('cpu')!;
  const rows: Row[] = [{ workload: 'train', case: `${model.name} cpu (b=${batch})`, ours: cpu, baseline: cpu, unit: 'images/s', oursLabel: 'cpu', baselineLabel: 'cpu' }];
  const gpu = results.get('webgpu');
  if (gpu !== undefined) {
    rows.push({ workload: 'train', case: `${model.name} webgpu (b=${batch})`, ours: gpu, baseline: cpu, unit: 'images/s', oursLabel: 'webgpu', baselineLabel: 'cpu' });
  }
  return rows;
}

// ── output ───────────────────────────────────────────────────────────────────────────────────────

function header(): string {
  return `${'workload'.padEnd(8)}  ${'case'.padEnd(40)}  ${'ours'.padStart(12)}  ${'baseline'.padStart(12)}  ${'ratio'.padStart(7)}  vs\n`;
}

function formatRow(r: Row): string {
  const unit = { 'GFLOP/s': 'GF/s', 'images/s': 'im/s', 'analyses/s': 'an/s' }[r.unit] ?? r.unit;
  const fmt = (v: number) => `${v >= 100 ? v.toFixed(0) : v.toFixed(2)} ${unit}`;
  return `${r.workload.padEnd(8)}  ${r.case.padEnd(40)}  ${fmt(r.ours).padStart(12)}  ${fmt(r.baseline).padStart(12)}  ${(r.ours / r.baseline).toFixed(2).padStart(6)}×  ${r.oursLabel} vs ${r.baselineLabel}\n`;
}
