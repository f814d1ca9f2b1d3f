// Every layer kind's Jacobian-vector product (Layer.jvp, the R-op of simpleNN's Gauss-Newton) is the
// directional derivative of its forward pass. On the f64 cpu it is compared with central finite
// differences of forward, (f(x + εdx, θ + εdθ) − f(x − εdx, θ − εdθ)) / 2ε, for random input and
// parameter tangents; every backend's jvp (the f32 cpu, WebGPU) is then compared with the f64 cpu's on
// the same f32-rounded values.
//
// Error = max|a − b| / max|b| over the output tensor. Measured: f64 vs differences ≤ 4e-11 (ε = 1e-5);
// f32 cpu vs f64 ≤ 2e-7; WebGPU (SwiftShader) vs f64 ≤ 3e-7.

import * as assert from 'node:assert/strict';
import type { Backend, FloatArray, Tensor } from '../../../src/engine/backend';
import { CpuBackend } from '../../../src/engine/cpu/backend';
import { createLayer, type Layer, type Param, type Pass } from '../../../src/engine/layers/index';
import type { LayerSpec, Shape } from '../../../src/lang/spec';
import { elements } from '../../../src/lang/shapes';
import { forEachBackend } from '../../backends';
import * as L from '../engine/specs';
import { randomArray, relativeError as relativeErrorOf } from '../engine/helpers';

const N = 3;
const EPSILON = 1e-5;
const FD_TOLERANCE = 1e-8;
const F32_TOLERANCE = 1e-5;

interface Case {
  readonly name: string;
  readonly layer: Parameters<typeof L.model>[1][number];
  readonly input: Shape;
  readonly training?: boolean;
}

const CASES: readonly Case[] = [
  { name: 'conv with bias', layer: L.conv(3, 3), input: [2, 5, 5] },
  { name: 'conv without bias, stride 2, pad 1', layer: L.conv(2, 3, { stride: 2, pad: 1, bias: false }), input: [2, 5, 5] },
  { name: 'conv 1×1 with pad 2', layer: L.conv(2, 1, { pad: 2 }), input: [3, 2, 3] },
  { name: 'maxpool 2', layer: L.maxpool(2), input: [2, 4, 4] },
  { name: 'maxpool 3 stride 2 (overlapping)', layer: L.maxpool(3, 2), input: [2, 5, 5] },
  { name: 'avgpool 2', layer: L.avgpool(2), input: [2, 4, 4] },
  { name: 'avgpool 3 stride 2', layer: L.avgpool(3, 2), input: [2, 5, 5] },
  { name: 'globalavgpool', layer: L.globalavgpool, input: [3, 3, 2] },
  { name: 'relu', layer: L.relu, input: [2, 3, 3] },
  { name: 'sigmoid', layer: L.sigmoid, input: [2, 3, 3] },
  { name: 'tanh', layer: L.tanh, input: [5] },
  { name: 'flatten', layer: L.flatten, input: [2, 3, 2] },
  { name: 'dense with bias', layer: L.dense(4), input: [6] },
  { name: 'dense without bias', layer: L.dense(3, false), input: [5] },
  { name: 'dropout in training (fixed mask)', layer: L.dropout(0.4), input: [2, 3, 3], training: true },
  { name: 'dropout in evaluation', layer: L.dropout(0.4), input: [7] },
  { name: 'batchnorm in evaluation (feature maps)', layer: L.batchnorm, input: [3, 2, 2] },
  { name: 'batchnorm in evaluation (vectors)', layer: L.batchnorm, input: [4] },
  { name: 'softmax', layer: L.softmax, input: [5] },
];

/** One case's point and direction, as f32-representable numbers so every backend sees the same. */
interface Point {
  readonly x: Float64Array; readonly dx: Float64Array;
  readonly params: readonly Float64Array[]; readonly dparams: readonly Float64Array[];
  readonly buffers: readonly Float64Array[];
}

function specOf(c: Case): LayerSpec {
  return L.model([1, 1, 1], [c.layer]).layers[0];
}

function f32(values: Float64Array): Float64Array {
  return values.map(Math.fround);
}

function pointFor(layer: Layer, seed: number): Point {
  const size = elements(layer.inputShape) * N;
  return {
    x: f32(randomArray(size, seed, 2)),
    dx: f32(randomArray(size, seed + 1)),
    params: layer.params.map((p, i) => f32(randomArray(p.length, seed + 10 + i))),
    dparams: layer.params.map((p, i) => f32(randomArray(p.length, seed + 20 + i))),
    // Running mean in (−0.5, 0.5), running variance in (0.5, 1.5): a batch norm that is not the identity.
    buffers: layer.buffers.map((b, i) => f32(randomArray(b.length, seed + 30 + i, 0.5).map((v) => b.initial + v))),
  };
}

/** A layer on a backend at a point, able to run forward at a shifted point and its jvp. */
class LayerAt {
  readonly layer: Layer;
  readonly pass: Pass;
  private readonly x: Tensor; private readonly dx: Tensor; private readonly y: Tensor; private readonly dy: Tensor;
  private readonly tangents: Map<Param, Tensor>;
  private point: Point | null = null;

  constructor(private readonly b: Backend, c: Case) {
    this.layer = createLayer(b, specOf(c), 0, c.input, N);
    this.pass = { n: N, training: c.training ?? false, seed: 1234 };
    const inSize = elements(c.input) * N, outSize = elements(this.layer.outputShape) * N;
    this.x = b.zeros(inSize); this.dx = b.zeros(inSize); this.y = b.zeros(outSize); this.dy = b.zeros(outSize);
    this.tangents = new Map(this.layer.params.map((p) => [p, b.zeros(p.length)]));
  }

  /** Fixes the point (it needs the layer's params to be drawn). */
  at(point: Point): LayerAt {
    this.point = point;
    this.layer.buffers.forEach((buf, i) => this.b.write(buf.tensor, point.buffers[i]));
    this.b.write(this.dx, point.dx);
    this.layer.params.forEach((p, i) => this.b.write(this.tangents.get(p)!, point.dparams[i]));
    return this;
  }

  /** forward at (x + s·dx, θ + s·dθ). */
  async forwardShifted(s: number): Promise<FloatArray> {
    const p = this.point!;
    this.b.write(this.x, p.x.map((v, i) => v + s * p.dx[i]));
    this.layer.params.forEach((param, k) => this.b.write(param.value, p.params[k].map((v, i) => v + s * p.dparams[k][i])));
    this.layer.forward(this.x, this.y, this.pass);
    return this.b.read(this.y);
  }

  /** forward at the point, then the jvp there; withInput false is the first layer's null dx. */
  async jvp(withInput: boolean): Promise<FloatArray> {
    await this.forwardShifted(0);
    this.layer.jvp(this.x, withInput ? this.dx : null, this.y, this.dy, this.pass, (p) => this.tangents.get(p)!);
    return this.b.read(this.dy);
  }
}

async function finiteDifference(at: LayerAt, withInput: boolean, point: Point): Promise<Float64Array> {
  const shifted = withInput ? point : { ...point, dx: new Float64Array(point.dx.length) };
  at.at(shifted);
  const plus = await at.forwardShifted(EPSILON), minus = await at.forwardShifted(-EPSILON);
  at.at(point);
  return Float64Array.from(plus, (v, i) => (v - minus[i]) / (2 * EPSILON));
}

/** Relative error against a reference that is not ~0. */
const relativeError = (actual: ArrayLike<number>, expected: ArrayLike<number>, what: string) => relativeErrorOf(actual, expected, what, 1e-3);

/** The f64 cpu's jvp of a case (the reference), with and without an input tangent. */
async function reference(c: Case, seed: number): Promise<{ point: Point; withInput: FloatArray; paramsOnly: FloatArray }> {
  const at = new LayerAt(new CpuBackend({ precision: 'f64' }), c);
  const point = pointFor(at.layer, seed);
  at.at(point);
  return { point, withInput: await at.jvp(true), paramsOnly: await at.jvp(false) };
}

const measured: string[] = [];

forEachBackend('layer Jacobian-vector products', (backend) => {
  after(() => { if (process.env.CONVLAB_REPORT_ERRORS) console.log(measured.splice(0).join('\n')); });

  CASES.forEach((c, k) => {
    const seed = 100 * (k + 1);
    if (backend.name === 'cpu') {
      it(`${c.name}: the f64 jvp matches central differences of forward`, async () => {
        const at = new LayerAt(new CpuBackend({ precision: 'f64' }), c);
        const point = pointFor(at.layer, seed);
        at.at(point);
        for (const withInput of at.layer.params.length > 0 ? [true, false] : [true]) {
          const what = `${c.name}${withInput ? '' : ' (parameter tangent only)'}`;
          const error = relativeError(await at.jvp(withInput), await finiteDifference(at, withInput, point), what);
          measured.push(`fd   ${what}: ${error.toExponential(1)}`);
          assert.ok(error <= FD_TOLERANCE, `${what}: jvp vs differences ${error}`);
        }
      });
    }

    it(`${c.name}: the ${backend.name} jvp matches the f64 cpu's`, async () => {
      const ref = await reference(c, seed);
      const b = backend.create();
      try {
        const at = new LayerAt(b, c).at(ref.point);
        const withInput = relativeError(await at.jvp(true), ref.withInput, c.name);
        const paramsOnly = at.layer.params.length > 0
          ? relativeError(await at.jvp(false), ref.paramsOnly, `${c.name} (parameter tangent only)`)
          : Math.max(...(await at.jvp(false)).map(Math.abs));  // no parameters: a zero input tangent gives 0
        measured.push(`${backend.name} ${c.name}: ${withInput.toExponential(1)} / ${paramsOnly.toExponential(1)}`);
        assert.ok(withInput <= F32_TOLERANCE, `${c.name}: ${withInput}`);
        assert.ok(paramsOnly <= F32_TOLERANCE, `${c.name} (parameter tangent only): ${paramsOnly}`);
      } finally { b.destroy(); }
    });
  });

  it('batch norm refuses a jvp in training mode, saying why', async () => {
    const b = backend.create();
    try {
      const c: Case = { name: 'batchnorm', layer: L.batchnorm, input: [2, 2, 2], training: true };
      const at = new LayerAt(b, c);
      at.at(pointFor(at.layer, 5));
      await assert.rejects(at.jvp(true), /layer 0 \(batchnorm, line 2\): a Jacobian-vector product needs an evaluation-mode pass/);
    } finally { b.destroy(); }
  });
});
