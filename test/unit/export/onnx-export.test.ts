// ONNX export: the graph runs in onnxruntime-web (wasm) and gives the CPU engine's evaluation-mode
// outputs; models or weights that cannot be exported are refused naming the layer and line.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeModel } from '../../../src/export/onnx/codec';
import { exportOnnx } from '../../../src/export/onnx/index';
import type { ModelSpec } from '../../../src/lang';
import { randomArray } from '../engine/helpers';
import * as L from '../engine/specs';
import { engineOutputs, maxAbsDiff, MIXED, randomWeights, ROOT, runOnnx, specOf } from './onnx-helpers';

// The issue asks for ≤ 1e-4; float32 rounding alone stays near 1e-7, so 1e-5 also catches small slips
// (a batch norm exported with the default epsilon instead of 0.001 is off by 3e-5 in the mixed model).
const TOLERANCE = 1e-5;

/** Exports with random weights, runs a batch in onnxruntime and in the engine; the max abs error. */
async function compare(spec: ModelSpec, n: number, seed: number): Promise<{ error: number; dims: readonly number[]; ops: string[]; engine: Float32Array }> {
  const weights = randomWeights(spec, seed);
  const bytes = exportOnnx(spec, weights);
  const x = Float32Array.from(randomArray(n * spec.input!.reduce((a, b) => a * b, 1), seed + 100));
  const onnx = await runOnnx(bytes, x, [n, ...spec.input!]);
  const engine = await engineOutputs(spec, weights, x, n);
  return { error: maxAbsDiff(onnx.data, engine), dims: onnx.dims, ops: decodeModel(bytes).graph.node.map((node) => node.op_type), engine };
}

const SOFTMAX_MSE = `
input 2x9x9
conv 3 kernel=3 pad=same
relu
maxpool 3 stride=2
flatten
dropout 0.5
dense 4
softmax
loss mse
`;

describe('ONNX export', function () {
  this.timeout(60_000);

  it('LeNet-5 (examples/lenet5.cnn) gives the engine\'s probabilities', async () => {
    const spec = specOf(readFileSync(join(ROOT, 'examples', 'lenet5.cnn'), 'utf8'));
    const { error, dims, ops, engine } = await compare(spec, 4, 1);
    console.log(`      lenet5: max abs error ${error.toExponential(2)}`);
    // Not saturated, so the comparison says something about every layer.
    assert.ok(Math.max(...engine) < 0.95, `largest probability ${Math.max(...engine)}`);
    assert.deepEqual(dims, [4, 10]);
    assert.deepEqual(ops, ['Conv', 'Relu', 'MaxPool', 'Conv', 'Relu', 'MaxPool', 'Flatten', 'Gemm', 'Relu', 'Gemm', 'Relu', 'Gemm', 'Softmax']);
    assert.ok(error <= TOLERANCE, `max abs error ${error}`);
  });

  it('batchnorm (running statistics), avgpool, globalavgpool, stride, padding, sigmoid, tanh and dropout give the engine\'s logits', async () => {
    const spec = specOf(MIXED);
    const { error, dims, ops } = await compare(spec, 5, 2);
    console.log(`      mixed: max abs error ${error.toExponential(2)}`);
    assert.deepEqual(dims, [5, 3]);
    assert.deepEqual(ops, ['Conv', 'BatchNormalization', 'Tanh', 'AveragePool', 'Conv', 'Sigmoid', 'MaxPool', 'Dropout',
      'GlobalAveragePool', 'Flatten', 'Gemm', 'BatchNormalization', 'Relu', 'Gemm']);
    assert.ok(error <= TOLERANCE, `max abs error ${error}`);
  });

  it('a softmax that is not fused into the loss (mse), overlapping pools and pad=same', async () => {
    const { error, dims } = await compare(specOf(SOFTMAX_MSE), 3, 3);
    console.log(`      softmax+mse: max abs error ${error.toExponential(2)}`);
    assert.deepEqual(dims, [3, 4]);
    assert.ok(error <= TOLERANCE, `max abs error ${error}`);
  });

  it('flattens a C×1×1 map the engine reads as a vector (before dense and at the output)', async () => {
    for (const spec of [L.model([2, 5, 5], [L.conv(4, 5), L.relu, L.dense(3)]), L.model([2, 5, 5], [L.conv(3, 5), L.tanh])]) {
      const { error, dims, ops } = await compare(spec, 2, 4);
      assert.ok(ops.includes('Flatten'), ops.join(' '));
      assert.deepEqual(dims, [2, 3]);
      assert.ok(error <= TOLERANCE, `max abs error ${error}`);
    }
  });

  it('writes opset 13 with a symbolic batch dimension and the checkpoint names as initializers', () => {
    const spec = specOf(MIXED), model = decodeModel(exportOnnx(spec, randomWeights(spec, 5)));
    assert.deepEqual(model.opset_import.map((o) => [o.domain ?? '', o.version]), [['', 13]]);
    assert.deepEqual(model.graph.input[0].type.tensor_type.shape.dim, [{ dim_param: 'N' }, { dim_value: 3 }, { dim_value: 12 }, { dim_value: 12 }]);
    assert.deepEqual(model.graph.output[0].type.tensor_type.shape.dim, [{ dim_param: 'N' }, { dim_value: 3 }]);
    const names = model.graph.initializer.map((t) => t.name);
    assert.ok(names.includes('layers.1.running_var') && names.includes('layers.4.weight') && !names.includes('layers.4.bias'), names.join(' '));
    const bn = model.graph.node.find((node) => node.name === 'layers.1.BatchNormalization')!;
    const attribute = (name: string) => bn.attribute.find((a) => a.name === name)!.f!;
    assert.ok(Math.abs(attribute('momentum') - 0.8) < 1e-6 && Math.abs(attribute('epsilon') - 0.001) < 1e-9);
  });

  it('refuses missing, mis-sized or extra weights, naming the layer and line', () => {
    const spec = specOf(SOFTMAX_MSE), weights = randomWeights(spec, 6);
    const without = new Map(weights);
    without.delete('layers.5.bias');
    assert.throws(() => exportOnnx(spec, without), /layer 5 \(dense, line 8\): the weights have no 'layers\.5\.bias'/);
    const short = new Map(weights).set('layers.0.weight', { shape: [3, 2, 3], data: new Float32Array(18) });
    assert.throws(() => exportOnnx(spec, short), /layer 0 \(conv, line 3\): 'layers\.0\.weight' has 18 values \(shape \[3, 2, 3\]\); the layer needs \[3, 2, 3, 3\] = 54/);
    const extra = new Map(weights).set('layers.9.weight', { shape: [1], data: new Float32Array(1) });
    assert.throws(() => exportOnnx(spec, extra), /'layers\.9\.weight', which this model does not have/);
  });

  it('refuses a model whose shapes do not work out, naming the layer', () => {
    const spec = L.model([1, 4, 4], [L.conv(2, 5), L.flatten, L.dense(2)]);
    assert.throws(() => exportOnnx(spec, new Map()), /layer 0 \(conv, line 2\): its output shape is unknown/);
  });
});
