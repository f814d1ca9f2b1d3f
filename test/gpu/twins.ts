// Runs the same calls on the cpu reference and the WebGPU backend and compares the results.
//
// Tolerance: |gpu − cpu| ≤ rtol · max(|cpu|, scale) per element, where scale is the largest |cpu|
// value in the tensor. Relative to the tensor's magnitude rather than the element's, because a
// sum that cancels to ~0 carries the rounding error of its large terms. Both sides are f32 but
// sum in different orders (GPU tiles and tree reductions vs the cpu's f64 accumulators), so
// rtol is a few f32 ulps times √(terms summed): F32_RTOL for short sums, looser where a test says why.

import * as assert from 'node:assert/strict';
import type { Backend, Tensor } from '../../src/engine/backend';
import { CpuBackend } from '../../src/engine/cpu/backend';
import { Rng } from '../../src/engine/random';
import type { WebGpuBackend } from '../../src/engine/webgpu/backend';

export const F32_RTOL = 1e-5;

/** The cpu reference, in f32 like the GPU. */
export function cpuBackend(): CpuBackend {
  return new CpuBackend({ precision: 'f32' });
}

export interface Pair {
  readonly cpu: Tensor;
  readonly gpu: Tensor;
  readonly length: number;
}

export function randomValues(length: number, seed: number, scale = 1): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length }, () => (rng.next() * 2 - 1) * scale);
}

export class Twins {
  private readonly pairs: Pair[] = [];

  constructor(readonly cpu: Backend, readonly gpu: WebGpuBackend) {}

  random(length: number, seed: number, scale = 1): Pair { return this.values(randomValues(length, seed, scale)); }

  values(data: ArrayLike<number>): Pair {
    const p = this.zeros(data.length);
    this.cpu.write(p.cpu, data);
    this.gpu.write(p.gpu, data);
    return p;
  }

  zeros(length: number): Pair { return this.track({ cpu: this.cpu.zeros(length), gpu: this.gpu.zeros(length), length }); }

  indices(data: ArrayLike<number>): Pair {
    const p = this.track({ cpu: this.cpu.indices(data.length), gpu: this.gpu.indices(data.length), length: data.length });
    this.cpu.write(p.cpu, data);
    this.gpu.write(p.gpu, data);
    return p;
  }

  /** Calls `f` once per backend; `on(pair)` is that backend's tensor. */
  run(f: (b: Backend, on: (p: Pair) => Tensor) => void): void {
    f(this.cpu, (p) => p.cpu);
    f(this.gpu, (p) => p.gpu);
  }

  async expectClose(p: Pair, what: string, rtol = F32_RTOL): Promise<void> {
    const [expected, actual] = await Promise.all([this.cpu.read(p.cpu), this.gpu.read(p.gpu)]);
    assertNear(actual, expected, what, rtol);
  }

  async expectEqualIndices(p: Pair, what: string): Promise<void> {
    const [expected, actual] = await Promise.all([this.cpu.readIndices(p.cpu), this.gpu.readIndices(p.gpu)]);
    assert.deepEqual(Array.from(actual), Array.from(expected), what);
  }

  dispose(): void {
    for (const p of this.pairs.splice(0)) { this.cpu.dispose(p.cpu); this.gpu.dispose(p.gpu); }
  }

  private track(p: Pair): Pair { this.pairs.push(p); return p; }
}

export function assertNear(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, rtol = F32_RTOL): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    const bound = rtol * Math.max(Math.abs(e), scale);
    if (!(Math.abs(a - e) <= bound) && !(Number.isNaN(a) && Number.isNaN(e))) {
      assert.fail(`${what}: element ${i} of ${expected.length} is ${a}, expected ${e} (|diff| ${Math.abs(a - e)} > ${bound})`);
    }
  }
}
