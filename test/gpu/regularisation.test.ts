import * as assert from 'node:assert/strict';
import type { BatchNormTensors } from '../../src/engine/backend';
import { dropoutHash, dropoutThreshold } from '../../src/engine/random';
import { suiteWebGpu } from '../backends';
import { cpuBackend, Twins, type Pair } from './twins';

describe('webgpu dropout and batch norm', () => {
  let t: Twins;
  const gpu = suiteWebGpu();
  beforeEach(() => { t = new Twins(cpuBackend(), gpu()); });
  afterEach(() => t.dispose());

  for (const [p, seed] of [[0.5, 7], [0.3, 0xdeadbeef], [0, 1], [1, 2]] as const) {
    it(`dropout p = ${p}: the mask is bit-identical to the cpu's`, async () => {
      const n = 4099;
      const x = t.random(n, 1), y = t.zeros(n), mask = t.zeros(n), dy = t.random(n, 2), dx = t.zeros(n);
      t.run((b, on) => {
        b.dropoutForward(on(x), on(y), on(mask), n, p, seed);
        b.dropoutBackward(on(dy), on(mask), on(dx), n);
      });
      const [gpuMask, cpuMask] = [await t.gpu.read(mask.gpu), await t.cpu.read(mask.cpu)];
      assert.deepEqual(Array.from(gpuMask), Array.from(cpuMask));
      // And it is the contract's hash, not merely the cpu's behaviour.
      const kept = Array.from(gpuMask, (m) => m !== 0);
      assert.deepEqual(kept, Array.from({ length: n }, (_, i) => p < 1 && dropoutHash(seed, i) >= dropoutThreshold(p)));
      // The cpu multiplies by 1/(1−p) in f64 and rounds once; the GPU by its f32 rounding: 1 ulp.
      await t.expectClose(y, 'y', 2 ** -23);
      await t.expectClose(dx, 'dx', 0);
    });
  }

  function bnTensors(rows: number, seed: number): Record<keyof BatchNormTensors, Pair> {
    return {
      gamma: t.random(rows, seed), beta: t.random(rows, seed + 1),
      runningMean: t.random(rows, seed + 2), runningVar: t.values(Float32Array.from({ length: rows }, (_, i) => 0.5 + i / rows)),
      saveMean: t.zeros(rows), saveInvStd: t.zeros(rows),
    };
  }

  function on(pairs: Record<keyof BatchNormTensors, Pair>, pick: (p: Pair) => unknown): BatchNormTensors {
    return Object.fromEntries(Object.entries(pairs).map(([k, p]) => [k, pick(p)])) as unknown as BatchNormTensors;
  }

  for (const [rows, cols] of [[3, 1000], [5, 1], [1, 300], [6, 65]] as const) {
    it(`batch norm ${rows} × ${cols}: training forward, running stats, backward, inference`, async () => {
      const x = t.random(rows * cols, 10, 3), dy = t.random(rows * cols, 11);
      const bn = bnTensors(rows, 20);
      const y = t.zeros(rows * cols), dx = t.zeros(rows * cols), dg = t.zeros(rows), dbeta = t.zeros(rows), yi = t.zeros(rows * cols);
      t.run((b, pick) => {
        const tensors = on(bn, pick);
        b.batchNormForward(pick(x), pick(y), rows, cols, tensors, true, 0.1, 1e-5);
        b.batchNormBackward(pick(x), pick(dy), pick(dx), rows, cols, tensors, pick(dg), pick(dbeta));
        b.batchNormForward(pick(x), pick(yi), rows, cols, tensors, false, 0.1, 1e-5);
      });
      // Mean and variance are reductions over `cols` values in tree order: 2e-5 relative.
      for (const [name, p] of Object.entries(bn)) await t.expectClose(p, name, 2e-5);
      await t.expectClose(y, 'y', 2e-5);
      await t.expectClose(yi, 'inference y', 2e-5);
      await t.expectClose(dg, 'dgamma', 1e-4);
      await t.expectClose(dbeta, 'dbeta', 1e-4);
      // dx = k·(N·dy − Σdy − x̂·Σdy·x̂) cancels: error relative to the N·dy term, not to dx.
      await t.expectClose(dx, 'dx', 1e-4 * Math.sqrt(cols));
    });
  }
});
