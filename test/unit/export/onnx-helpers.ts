// Shared by the ONNX tests: models from .cnn text, random weights with non-trivial batch-norm
// statistics, the CPU engine's evaluation-mode outputs, and onnxruntime-web (wasm) runs of a graph.

import * as assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as Ort from 'onnxruntime-web';
import { CpuBackend } from '../../../src/engine/cpu/backend';
import { Network } from '../../../src/engine/network';
import type { CheckpointTensor } from '../../../src/engine/checkpoint';
import { analyze, type ModelSpec } from '../../../src/lang';
import { randomArray } from '../engine/helpers';

/** The repository root, from the bundle's out/<name>/unit/export/. */
export const ROOT = join(__dirname, '..', '..', '..', '..');

/** The spec of a .cnn text that must check without errors. */
export function specOf(text: string): ModelSpec {
  const analysis = analyze(text);
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors.map((d) => d.message), []);
  return analysis.spec;
}

/** Every weight and buffer of the model, random (running variances in [0.02, 0.52], small enough that epsilon matters), as checkpoint tensors. */
export function randomWeights(spec: ModelSpec, seed: number): Map<string, CheckpointTensor> {
  const net = new Network(new CpuBackend(), spec, { maxBatch: 1 });
  const weights = new Map<string, CheckpointTensor>();
  let s = seed;
  // Scaled by 1/√fan-in, so activations stay in range and a final softmax is not saturated.
  for (const p of net.parameters) {
    const scale = p.shape.length > 1 ? 1.5 / Math.sqrt(p.length / p.shape[0]) : 0.5;
    weights.set(p.name, { shape: p.shape, data: Float32Array.from(randomArray(p.length, s++, scale)) });
  }
  for (const b of net.buffers) {
    const values = randomArray(b.length, s++, 0.5).map((v) => (b.name.endsWith('running_var') ? 0.02 + Math.abs(v) : v));
    weights.set(b.name, { shape: [b.length], data: Float32Array.from(values) });
  }
  net.dispose();
  return weights;
}

/** What the engine's evaluation-mode pass gives for a batch (example-major [N, C, H, W] in, [N, classes] out). */
export async function engineOutputs(spec: ModelSpec, weights: ReadonlyMap<string, CheckpointTensor>, x: Float32Array, n: number): Promise<Float32Array> {
  const be = new CpuBackend();
  const net = new Network(be, spec, { maxBatch: n });
  net.writeState(new Map([...weights].map(([name, t]) => [name, t.data])));
  const size = x.length / n, channels = spec.input![0], plane = size / channels;
  // Example-major → the engine's c × (N·H·W) layout.
  const input = new Float32Array(x.length);
  for (let b = 0; b < n; b++) for (let c = 0; c < channels; c++) input.set(x.subarray(b * size + c * plane, b * size + (c + 1) * plane), (c * n + b) * plane);
  be.write(net.input, input);
  const pass = { n, training: false, seed: 0 };
  const last = spec.layers.length - 1;
  // A final softmax may be fused into the loss; predict() applies it. Otherwise the last layer's output.
  let out: ArrayLike<number>;
  if (spec.layers[last].kind === 'softmax') out = await be.read(net.predict(pass));
  else {
    net.forward(pass);
    out = await be.read(net.layerOutput(last));
  }
  const classes = net.classes, result = new Float32Array(n * classes);
  for (let b = 0; b < n; b++) for (let f = 0; f < classes; f++) result[b * classes + f] = out[f * n + b];
  net.dispose();
  return result;
}

/**
 * onnxruntime-web, loaded from node_modules at run time rather than bundled (a bundled copy cannot
 * find its .wasm files), with the .wasm files beside its entry and one thread, so no worker threads
 * start under mocha.
 */
let loaded: typeof Ort | null = null;
function onnxruntime(): typeof Ort {
  if (loaded) return loaded;
  const require = createRequire(join(ROOT, 'package.json'));
  const ort = require('onnxruntime-web') as typeof Ort;
  ort.env.wasm.wasmPaths = `${dirname(require.resolve('onnxruntime-web'))}/`;
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';  // not the warning about initializers listed as graph inputs
  return loaded = ort;
}

/** Runs an ONNX model of one input and one output on onnxruntime-web's wasm backend. */
export async function runOnnx(bytes: Uint8Array, x: Float32Array, dims: readonly number[]): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const ort = onnxruntime();
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  try {
    const result = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x, [...dims]) });
    const output = result[session.outputNames[0]];
    return { data: output.data as Float32Array, dims: output.dims };
  } finally {
    await session.release();
  }
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'lengths differ');
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** Every exported op at once: batchnorm on maps and vectors (non-default ε and momentum), both pools, a
 * global average pool, stride, padding, a non-square kernel, no bias, sigmoid, tanh and dropout. */
export const MIXED = `
input 3x12x12
conv 4 kernel=3 stride=2 pad=1
batchnorm momentum=0.2 epsilon=0.001
tanh
avgpool 2
conv 6 kernel=3x1 pad=1x0 bias=false
sigmoid
maxpool 2 stride=1
dropout 0.3
globalavgpool
dense 5
batchnorm
relu
dense 3
`;
