// The GEMMs of one LeNet-5 training step at its C3 and F5 layer shapes: the gemm workload times
// them one by one against a plain loop, and the peers bench reports convlab-cpu's GFLOP/s over all of them.

import { CpuBackend, Rng } from '../../engine';
import type { Measurement } from './contestant';
import { spreadOf } from './measure';
import type { RoundPlan } from './workloads';

export interface GemmCase { readonly name: string; readonly m: number; readonly n: number; readonly k: number; readonly transA: boolean; readonly transB: boolean }

export function lenetGemmCases(batch: number): GemmCase[] {
  return [
    // The three GEMMs of LeNet-5's C3 layer (6×14×14 → 16×10×10, K=5) for one mini-batch.
    { name: `C3 forward W·φ (b=${batch})`, m: 16, n: batch * 100, k: 150, transA: false, transB: false },
    { name: `C3 wgrad Δ·φᵀ (b=${batch})`, m: 16, n: 150, k: batch * 100, transA: false, transB: true },
    { name: `C3 dgrad Wᵀ·Δ (b=${batch})`, m: 150, n: batch * 100, k: 16, transA: true, transB: false },
    { name: `F5 forward (b=${batch})`, m: 120, n: batch, k: 400, transA: false, transB: false },
  ];
}

/** convlab-cpu's GFLOP/s over one pass of every LeNet-5 GEMM at batch 64, per timed round. */
export function measureLenetGemm(plan: RoundPlan): Measurement {
  const cpu = new CpuBackend({ precision: 'f32' });
  const rng = new Rng(1);
  try {
    const cases = lenetGemmCases(64).map((c) => {
      const [a, b, out] = [cpu.zeros(c.m * c.k), cpu.zeros(c.k * c.n), cpu.zeros(c.m * c.n)];
      cpu.write(a, Float32Array.from({ length: c.m * c.k }, () => rng.next() * 2 - 1));
      cpu.write(b, Float32Array.from({ length: c.k * c.n }, () => rng.next() * 2 - 1));
      return { c, a, b, out };
    });
    const flops = cases.reduce((sum, { c }) => sum + 2 * c.m * c.n * c.k, 0);
    const rates: number[] = [];
    for (let r = 0; r < plan.warmup + plan.reps; r++) {
      const t0 = performance.now();
      for (const { c, a, b, out } of cases) cpu.gemm(a, b, out, c.m, c.n, c.k, { transA: c.transA, transB: c.transB });
      if (r >= plan.warmup) rates.push(flops / (performance.now() - t0) / 1e6);
    }
    return { contestant: 'convlab-cpu', workload: 'lenet5', metric: 'gemm_gflops', spread: spreadOf(rates) };
  } finally {
    cpu.destroy();
  }
}
