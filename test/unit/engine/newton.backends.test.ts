// simpleNN's Newton method, its parts on every backend: vector dot products through the backend,
// CG on a known SPD system, and Newton on a least-squares model, where Gauss-Newton is the exact
// Hessian so a near-exact solve converges in a couple of iterations with actual/predicted ≈ 1.

import * as assert from 'node:assert/strict';
import type { Backend, Tensor } from '../../../src/engine/backend';
import { exampleSize, fillBatch } from '../../../src/engine/data/dataset';
import { Network } from '../../../src/engine/network';
import { cgVectors, conjugateGradient } from '../../../src/engine/newton/cg';
import { NetworkObjective } from '../../../src/engine/newton/network-objective';
import { NewtonMethod, type NewtonIteration } from '../../../src/engine/newton/newton-method';
import { ParamSpace } from '../../../src/engine/newton/param-space';
import { forEachBackend } from '../../backends';
import { blocks } from './blocks';
import * as L from './specs';

/** A symmetric positive definite n×n matrix MᵀM + I, row-major, and a right-hand side. */
function spdSystem(n: number): { a: number[]; g: number[] } {
  const m = Array.from({ length: n * n }, (_, i) => Math.sin(1.3 * i + 0.7));
  const a = Array.from({ length: n * n }, (_, ij) => {
    const i = Math.floor(ij / n), j = ij % n;
    let s = i === j ? 1 : 0;
    for (let k = 0; k < n; k++) s += m[k * n + i] * m[k * n + j];
    return s;
  });
  return { a, g: Array.from({ length: n }, (_, i) => Math.cos(i + 0.3)) };
}

/** x with A·x = b, by Gaussian elimination (f64, on the host). */
function solve(a: readonly number[], b: readonly number[]): number[] {
  const n = b.length, m = a.map((v) => v), x = [...b];
  for (let c = 0; c < n; c++) {
    for (let r = c + 1; r < n; r++) {
      const f = m[r * n + c] / m[c * n + c];
      for (let k = c; k < n; k++) m[r * n + k] -= f * m[c * n + k];
      x[r] -= f * x[c];
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    for (let k = r + 1; k < n; k++) x[r] -= m[r * n + k] * x[k];
    x[r] /= m[r * n + r];
  }
  return x;
}

/** The blocks data as Newton's objective for `spec`, every training example in the subsample. */
function objectiveFor(backend: Backend, network: Network, space: ParamSpace, subsampleSize: number): NetworkObjective {
  const images = new Float32Array(exampleSize(blocks) * network.maxBatch), labels = new Uint32Array(network.maxBatch);
  return new NetworkObjective(backend, network, space, {
    examples: Int32Array.from({ length: blocks.train.count }, (_, i) => i), subsampleSize, seed: 3,
    load: (indices) => {
      fillBatch(blocks.train, blocks.shape, indices, images, labels);
      backend.write(network.input, images.subarray(0, indices.length * exampleSize(blocks)));
      backend.write(network.labels, labels.subarray(0, indices.length));
    },
  });
}

forEachBackend('Newton parts', (b) => {
  it('a dot product spans every tensor of a parameter vector', async () => {
    const backend = b.create(), space = new ParamSpace(backend, [3, 2]);
    const [x, y] = [space.zeros(), space.zeros()];
    backend.write(x[0], [1, 2, 3]); backend.write(x[1], [4, 5]);
    backend.write(y[0], [0.5, -1, 2]); backend.write(y[1], [1, -2]);
    assert.equal(await space.dot(x, y), 0.5 - 2 + 6 + 4 - 10);
    space.axpy(2, x, y);
    assert.equal(await space.dot(y, y), 2.5 ** 2 + 3 ** 2 + 8 ** 2 + 9 ** 2 + 8 ** 2);
    space.dispose();
  });

  it('CG solves a symmetric positive definite system to its tolerance, within n steps', async () => {
    const backend = b.create(), n = 6, { a, g } = spdSystem(n);
    const space = new ParamSpace(backend, [n]), matrix = backend.zeros(n * n);
    backend.write(matrix, a);
    const grad = space.zeros();
    backend.write(grad[0], g);
    const work = cgVectors(space);
    const result = await conjugateGradient(space, (v, out) => backend.gemm(matrix, v[0], out[0], n, 1, n), grad, work, { xi: 1e-5, maxIterations: 50 });
    assert.ok(result.converged, `converged (‖r‖ = ${result.residualNorm})`);
    assert.ok(result.iterations <= n + 1, `${result.iterations} iterations`);
    const expected = solve(a, g.map((v) => -v)), got = await backend.read(work.s[0]);
    expected.forEach((e, i) => assert.ok(Math.abs(got[i] - e) <= 1e-4 * (1 + Math.abs(e)), `s[${i}] = ${got[i]}, expected ${e}`));
    space.dispose();
  });

  it('CG stops at maxIterations and at ‖r‖ ≤ xi·‖g‖', async () => {
    const backend = b.create(), n = 6, { a, g } = spdSystem(n);
    const space = new ParamSpace(backend, [n]), matrix = backend.zeros(n * n);
    backend.write(matrix, a);
    const grad = space.zeros();
    backend.write(grad[0], g);
    const apply = (v: readonly Tensor[], out: readonly Tensor[]) => backend.gemm(matrix, v[0], out[0], n, 1, n);
    const capped = await conjugateGradient(space, apply, grad, cgVectors(space), { xi: 1e-9, maxIterations: 2 });
    assert.equal(capped.iterations, 2);
    assert.equal(capped.converged, false);
    const loose = await conjugateGradient(space, apply, grad, cgVectors(space), { xi: 0.5, maxIterations: 50 });
    assert.ok(loose.converged && loose.residualNorm <= 0.5 * loose.gradientNorm);
    assert.ok(loose.iterations < n, `a loose tolerance stops early (${loose.iterations} iterations)`);
    space.dispose();
  });

  it('on least squares (a linear model with mse) Newton converges in a few iterations', async function () {
    this.timeout(60_000);
    const backend = b.create();
    const spec = L.model([1, 6, 6], [L.flatten, L.dense(3)], 'mse');
    const network = new Network(backend, spec, { maxBatch: 100, seed: 5 });
    const space = new ParamSpace(backend, network.parameters.map((p) => p.length));
    const objective = objectiveFor(backend, network, space, blocks.train.count);
    const method = new NewtonMethod(space, objective, { l2: 1e-3, lambda: 1e-6, xi: 1e-6, cgMax: 200, drop: 2 / 3, boost: 1.5, eta: 1e-4 });
    const start = await method.state();
    const its: NewtonIteration[] = [];
    for (let k = 0; k < 3; k++) its.push(await method.iterate());
    // Exact curvature and a near-exact solve: the full step is taken and the model predicts the reduction.
    assert.equal(its[0].stepSize, 1);
    const ratio = its[0].actualReduction / its[0].predictedReduction;
    assert.ok(Math.abs(ratio - 1) < 0.02, `actual/predicted = ${ratio}`);
    assert.ok(its[1].gradientNorm < 1e-3 * start.gradientNorm, `‖g‖ ${start.gradientNorm} → ${its[1].gradientNorm} after two iterations`);
    for (let k = 1; k < its.length; k++) assert.ok(its[k].f <= its[k - 1].f + 1e-6, `f does not rise: ${its.map((i) => i.f).join(', ')}`);
    objective.dispose();
    space.dispose();
    network.dispose();
  });
});
