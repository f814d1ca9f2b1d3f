// The Gauss-Newton product G·v = Jᵀ B J v of src/engine/newton/gauss-newton.ts, on tiny models with
// every layer kind and both losses, against an explicit Jᵀ B J: J built column by column from central
// differences of the network output on the f64 cpu (one column per parameter element), B written out
// on the host from the loss's definition (mse 2I/n; cross-entropy (diag p − ppᵀ)/n per example).
// The f64 cpu's product must match it to 1e-8; every backend's (the f32 cpu, WebGPU), on the same
// f32-rounded weights, inputs and directions, within f32 rounding. G must also be symmetric
// (vᵀGw = wᵀGv) and positive semi-definite (vᵀGv ≥ 0) on random vectors.
//
// Error = max|Gv − ref| / max|ref|. Measured: f64 cpu ≤ 4e-10; f32 cpu ≤ 5e-7; WebGPU (SwiftShader) ≤ 8e-7.

import * as assert from 'node:assert/strict';
import type { Backend, FloatArray, Tensor } from '../../../src/engine/backend';
import { CpuBackend } from '../../../src/engine/cpu/backend';
import type { Pass } from '../../../src/engine/layers/layer';
import { Network } from '../../../src/engine/network';
import { GaussNewton } from '../../../src/engine/newton/gauss-newton';
import type { LossKind, ModelSpec } from '../../../src/lang/spec';
import { forEachBackend } from '../../backends';
import * as L from './specs';
import { randomArray, relativeError as relativeErrorOf } from './helpers';

const N = 3;
const EPSILON = 1e-6;
const F64_TOLERANCE = 1e-8;
const F32_TOLERANCE = 1e-5;

interface Case { readonly name: string; readonly input: [number, number, number]; readonly layers: Parameters<typeof L.model>[1]; readonly training?: boolean }

const MODELS: readonly Case[] = [
  { name: 'conv + dense', input: [1, 4, 4], layers: [L.conv(2, 3, { pad: 1 }), L.flatten, L.dense(3)] },
  { name: 'conv without bias + maxpool', input: [2, 5, 5], layers: [L.conv(2, 3, { stride: 2, pad: 1, bias: false }), L.maxpool(2, 1), L.flatten, L.dense(3)] },
  { name: 'conv + relu + avgpool', input: [1, 4, 4], layers: [L.conv(2, 3, { pad: 1 }), L.relu, L.avgpool(2), L.flatten, L.dense(3)] },
  { name: 'conv + tanh + globalavgpool', input: [2, 4, 4], layers: [L.conv(3, 3), L.tanh, L.globalavgpool, L.dense(3)] },
  { name: 'dense + relu, sigmoid, tanh', input: [1, 2, 3], layers: [L.flatten, L.dense(4), L.relu, L.dense(4), L.sigmoid, L.dense(4, false), L.tanh, L.dense(3)] },
  { name: 'batchnorm in evaluation', input: [1, 3, 3], layers: [L.conv(2, 2), L.batchnorm, L.relu, L.flatten, L.dense(4), L.batchnorm, L.dense(3)] },
  { name: 'dropout in evaluation', input: [1, 2, 3], layers: [L.flatten, L.dense(5), L.dropout(0.4), L.dense(3)] },
  { name: 'dropout in training (fixed mask)', input: [1, 2, 3], layers: [L.flatten, L.dense(5), L.dropout(0.4), L.dense(3)], training: true },
  { name: 'final softmax layer', input: [1, 2, 2], layers: [L.flatten, L.dense(4), L.sigmoid, L.dense(3), L.softmax] },
];
const LOSSES: readonly LossKind[] = ['cross_entropy', 'mse'];

/** Weights, batch-norm statistics, input and directions, f32-representable so every backend sees the same. */
interface Point {
  readonly params: readonly Float64Array[];
  readonly buffers: readonly Float64Array[];
  readonly input: Float64Array;
  /** Random parameter-space directions, one array per parameter tensor. */
  readonly directions: readonly (readonly Float64Array[])[];
}

const f32 = (a: Float64Array) => a.map(Math.fround);

function drawPoint(net: Network, seed: number): Point {
  return {
    params: net.parameters.map((p, i) => f32(randomArray(p.length, seed + i, 0.8))),
    // Running mean in (−0.3, 0.3), running variance in (0.7, 1.3).
    buffers: net.buffers.map((b, i) => f32(randomArray(b.length, seed + 50 + i, 0.3).map((v) => b.initial + v))),
    input: f32(randomArray(net.input.length, seed + 99, 1.5)),
    directions: [0, 1, 2].map((d) => net.parameters.map((p, i) => f32(randomArray(p.length, seed + 100 * (d + 2) + i)))),
  };
}

/** A network on a backend set to a point and forwarded. */
class NetworkAt {
  readonly net: Network;
  readonly pass: Pass;
  readonly gn: GaussNewton;

  constructor(readonly b: Backend, readonly spec: ModelSpec, training: boolean) {
    this.net = new Network(b, spec, { maxBatch: N, seed: 1 });
    this.pass = { n: N, training, seed: 77 };
    this.gn = new GaussNewton(b, this.net);
  }

  at(point: Point): this {
    this.net.parameters.forEach((p, i) => this.b.write(p.value, point.params[i]));
    this.net.buffers.forEach((buf, i) => this.b.write(buf.tensor, point.buffers[i]));
    this.b.write(this.net.input, point.input);
    this.net.forward(this.pass);
    return this;
  }

  /** The tensor the loss reads: logits, or the mse output. */
  output(): Tensor {
    return this.net.layerOutput(this.net.fusedSoftmax ? this.net.layers.length - 2 : this.net.layers.length - 1);
  }

  /** Parameter vectors as device tensors. */
  vector(arrays: readonly Float64Array[]): Tensor[] {
    const v = this.gn.zeros();
    v.forEach((t, i) => this.b.write(t, arrays[i]));
    return v;
  }

  async product(direction: readonly Float64Array[]): Promise<Float64Array> {
    const out = this.gn.zeros();
    this.gn.product(this.vector(direction), out, this.pass);
    return concat(await Promise.all(out.map((t) => this.b.read(t))));
  }
}

function concat(parts: readonly FloatArray[]): Float64Array {
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** The explicit pieces on the f64 cpu: J (rows = output elements c·n + i, one column per parameter element) and B's action. */
interface Explicit {
  readonly point: Point;
  /** J[column][row]. */
  readonly jacobian: readonly Float64Array[];
  /** The network output (classes × n) at the point. */
  readonly output: Float64Array;
  readonly classes: number;
  readonly loss: LossKind;
}

async function buildExplicit(spec: ModelSpec, training: boolean, seed: number): Promise<Explicit> {
  const b = new CpuBackend({ precision: 'f64' });
  const at = new NetworkAt(b, spec, training);
  const point = drawPoint(at.net, seed);
  at.at(point);
  const output = Float64Array.from(await b.read(at.output()));
  const jacobian: Float64Array[] = [];
  for (const [k, p] of at.net.parameters.entries()) {
    for (let j = 0; j < p.length; j++) {
      const base = point.params[k][j];
      const shifted = async (s: number) => {
        b.write(p.value, [base + s * EPSILON], j);
        at.net.forward(at.pass);
        return b.read(at.output());
      };
      const plus = await shifted(1), minus = await shifted(-1);
      b.write(p.value, [base], j);
      jacobian.push(Float64Array.from(plus, (v, r) => (v - minus[r]) / (2 * EPSILON)));
    }
  }
  return { point, jacobian, output, classes: at.net.classes, loss: spec.loss.kind };
}

/** B·u on the host, from the loss's definition (both losses average over the n examples). */
function applyB(e: Explicit, u: Float64Array): Float64Array {
  const { classes } = e, out = new Float64Array(u.length);
  for (let i = 0; i < N; i++) {
    const rows = Array.from({ length: classes }, (_, c) => c * N + i);
    if (e.loss === 'mse') { for (const r of rows) out[r] = 2 * u[r] / N; continue; }
    const top = Math.max(...rows.map((r) => e.output[r]));
    const exps = rows.map((r) => Math.exp(e.output[r] - top)), sum = exps.reduce((a, x) => a + x, 0);
    const p = exps.map((x) => x / sum);
    const pu = rows.reduce((s, r, c) => s + p[c] * u[r], 0);
    rows.forEach((r, c) => { out[r] = (p[c] * u[r] - p[c] * pu) / N; });
  }
  return out;
}

function explicitProduct(e: Explicit, direction: readonly Float64Array[]): Float64Array {
  const v = concat(direction), rows = e.jacobian[0].length;
  const jv = new Float64Array(rows);
  e.jacobian.forEach((column, j) => { for (let r = 0; r < rows; r++) jv[r] += column[r] * v[j]; });
  const u = applyB(e, jv);
  return Float64Array.from(e.jacobian, (column) => column.reduce((s, x, r) => s + x * u[r], 0));
}

/** Relative error against a reference that is not ~0. */
const relativeError = (actual: ArrayLike<number>, expected: ArrayLike<number>, what: string) => relativeErrorOf(actual, expected, what, 1e-4);

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
const norm = (a: ArrayLike<number>) => Math.sqrt(dot(a, a));

/** Checks one backend's products at the explicit point; returns the worst relative error. */
async function checkProducts(b: Backend, spec: ModelSpec, training: boolean, e: Explicit, tolerance: number, what: string): Promise<number> {
  const at = new NetworkAt(b, spec, training).at(e.point);
  try {
    const products: Float64Array[] = [];
    let worst = 0;
    for (const [d, direction] of e.point.directions.entries()) {
      const gv = await at.product(direction);
      const error = relativeError(gv, explicitProduct(e, direction), `${what}, direction ${d}`);
      assert.ok(error <= tolerance, `${what}, direction ${d}: Gv vs explicit JᵀBJv ${error}`);
      worst = Math.max(worst, error);
      products.push(gv);
    }
    const vs = e.point.directions.map(concat);
    for (let d = 0; d < vs.length; d++) {
      const vGv = dot(vs[d], products[d]);
      assert.ok(vGv >= -tolerance * norm(vs[d]) * norm(products[d]), `${what}: vᵀGv = ${vGv} < 0 for direction ${d}`);
      const next = (d + 1) % vs.length, vGw = dot(vs[d], products[next]), wGv = dot(vs[next], products[d]);
      assert.ok(Math.abs(vGw - wGv) <= tolerance * norm(vs[d]) * norm(products[next]),
        `${what}: vᵀGw = ${vGw} but wᵀGv = ${wGv} (directions ${d}, ${next})`);
    }
    return worst;
  } finally { at.net.dispose(); at.gn.dispose(); }
}

/** Explicit pieces are built once and shared by the backends' suites. */
const explicit = new Map<string, Promise<Explicit>>();
function explicitFor(c: Case, loss: LossKind, seed: number): Promise<Explicit> {
  const key = `${c.name}|${loss}|${seed}`;
  if (!explicit.has(key)) explicit.set(key, buildExplicit(L.model(c.input, c.layers, loss), c.training ?? false, seed));
  return explicit.get(key)!;
}

const measured: string[] = [];

forEachBackend('Gauss-Newton products', (backend) => {
  after(() => { if (process.env.CONVLAB_REPORT_ERRORS) console.log(measured.splice(0).join('\n')); });

  MODELS.forEach((c, m) => LOSSES.forEach((loss, l) => {
    const seed = 1000 * (m + 1) + 100 * l, spec = L.model(c.input, c.layers, loss), training = c.training ?? false;
    const title = `${c.name}, ${loss}`;
    if (backend.name === 'cpu') {
      it(`${title}: the f64 Gv equals an explicit JᵀBJv, symmetric and positive semi-definite`, async () => {
        const e = await explicitFor(c, loss, seed);
        const error = await checkProducts(new CpuBackend({ precision: 'f64' }), spec, training, e, F64_TOLERANCE, `${title} (f64)`);
        measured.push(`f64 ${title}: ${error.toExponential(1)}`);
      });
    }
    it(`${title}: the ${backend.name} Gv equals the explicit JᵀBJv within f32 rounding, symmetric and positive semi-definite`, async () => {
      const e = await explicitFor(c, loss, seed);
      const b = backend.create();
      try {
        const error = await checkProducts(b, spec, training, e, F32_TOLERANCE, title);
        measured.push(`${backend.name} ${title}: ${error.toExponential(1)}`);
      } finally { b.destroy(); }
    });
  }));

  it('jvp gives J·v, and scale/accumulate sum products of batches', async () => {
    const c = MODELS[2], e = await explicitFor(c, 'cross_entropy', 3000);
    const b = backend.create();
    const at = new NetworkAt(b, L.model(c.input, c.layers, 'cross_entropy'), false).at(e.point);
    try {
      const direction = e.point.directions[0], v = concat(direction);
      const jv = await b.read(at.gn.jvp(at.vector(direction), at.pass));
      const expected = new Float64Array(e.output.length);
      e.jacobian.forEach((column, j) => column.forEach((x, r) => { expected[r] += x * v[j]; }));
      assert.ok(relativeError(jv.subarray(0, expected.length), expected, 'Jv') <= F32_TOLERANCE);

      const out = at.gn.zeros(), vector = at.vector(direction);
      at.gn.product(vector, out, at.pass, { scale: 0.25 });
      at.gn.product(vector, out, at.pass, { scale: 0.75, accumulate: true });
      const summed = concat(await Promise.all(out.map((t) => b.read(t))));
      assert.ok(relativeError(summed, explicitProduct(e, direction), 'scaled sum') <= F32_TOLERANCE);
    } finally { at.net.dispose(); at.gn.dispose(); b.destroy(); }
  });

  it('refuses a direction that does not fit the parameters, naming it', () => {
    const b = backend.create();
    const at = new NetworkAt(b, L.model([1, 2, 2], [L.flatten, L.dense(3)]), false);
    try {
      const v = at.gn.zeros();
      assert.throws(() => at.gn.product(v.slice(1), at.gn.zeros(), at.pass), /v has 1 tensors, the network has 2 parameters/);
      assert.throws(() => at.gn.product(v, [v[0], b.zeros(1)], at.pass), /out\[1\] must be an f32 tensor of at least 3 values for layers\.1\.bias/);
      assert.throws(() => at.gn.jvp(v, { ...at.pass, n: N + 1 }), /batch of 4 examples: must be 1 … 3/);
    } finally { at.net.dispose(); at.gn.dispose(); b.destroy(); }
  });
});
