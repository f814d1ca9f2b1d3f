// ONNX import: export → import → export gives the same bytes; graphs written the way other tools
// write them (MatMul + Add, Reshape by a Constant, Identity, initializers listed as inputs) import to
// models whose engine outputs equal onnxruntime's on the original; anything else is refused naming the node.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeModel } from '../../../src/export/onnx/codec';
import { exportOnnx, importOnnx } from '../../../src/export/onnx/index';
import { ATTRIBUTE, FLOAT, INT64, type OnnxAttribute, type OnnxModel, type OnnxNode, type OnnxTensor } from '../../../src/export/onnx/schema';
import { randomArray } from '../engine/helpers';
import { engineOutputs, maxAbsDiff, MIXED, randomWeights, ROOT, runOnnx, specOf } from './onnx-helpers';

// ── building graphs by hand, as other tools write them ──────────────────────────────────────────

const ints = (name: string, values: number[]): OnnxAttribute => ({ name, type: ATTRIBUTE.INTS, ints: values });
const int = (name: string, i: number): OnnxAttribute => ({ name, type: ATTRIBUTE.INT, i });
const node = (op: string, input: string[], output: string[], attribute: OnnxAttribute[] = [], name = `${op.toLowerCase()}_${input[0]}`): OnnxNode =>
  ({ name, op_type: op, input, output, attribute });
const floats = (name: string, dims: number[], seed: number): OnnxTensor => {
  const data = Float32Array.from(randomArray(dims.reduce((a, b) => a * b, 1), seed, 0.4));
  return { name, dims, data_type: FLOAT, float_data: [...data] };
};
const int64s = (name: string, values: number[]): OnnxTensor => ({ name, dims: [values.length], data_type: INT64, int64_data: values });
const info = (name: string, dims: (number | string)[]) =>
  ({ name, type: { tensor_type: { elem_type: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) } } } });

function graphModel(nodes: OnnxNode[], initializers: OnnxTensor[], inputDims: (number | string)[] = ['batch', 1, 6, 6], output = 'y', opset = 13,
  extraInputs: [string, number[]][] = []): Uint8Array {
  const model: OnnxModel = {
    ir_version: 7, producer_name: 'hand', opset_import: [{ domain: '', version: opset }],
    graph: {
      name: 'g', node: nodes, initializer: initializers,
      input: [info('x', inputDims), ...extraInputs.map(([n, dims]) => info(n, dims))],
      output: [info(output, ['batch', 3])],
    },
  };
  return encodeModel(model);
}

/** A conv → relu → pool → flatten-by-Reshape → MatMul + Add → softmax chain, PyTorch/tf2onnx style. */
function pytorchStyle(): Uint8Array {
  return graphModel([
    node('Conv', ['x', 'w0', 'b0'], ['c0'], [ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1]), ints('strides', [1, 1]), ints('dilations', [1, 1]), int('group', 1)], '/conv1/Conv'),
    node('Relu', ['c0'], ['r0'], [], '/relu/Relu'),
    node('MaxPool', ['r0'], ['p0'], [ints('kernel_shape', [2, 2]), ints('strides', [2, 2]), ints('pads', [0, 0, 0, 0]), int('ceil_mode', 0)], '/pool/MaxPool'),
    node('Identity', ['p0'], ['p1'], [], '/Identity'),
    node('Constant', [], ['shape'], [{ name: 'value', type: ATTRIBUTE.TENSOR, t: int64s('', [0, -1]) }], '/Constant'),
    node('Reshape', ['p1', 'shape'], ['f0'], [], '/Reshape'),
    node('MatMul', ['f0', 'w1'], ['m0'], [], '/fc/MatMul'),
    node('Add', ['b1', 'm0'], ['a0'], [], '/fc/Add'),
    node('Dropout', ['a0'], ['d0', ''], [], '/drop/Dropout'),
    node('Softmax', ['d0'], ['y'], [int('axis', 1)], '/Softmax'),
  ], [floats('w0', [2, 1, 3, 3], 1), floats('b0', [2], 2), floats('w1', [18, 3], 3), floats('b1', [3], 4)], ['batch', 1, 6, 6], 'y', 13, [['w0', [2, 1, 3, 3]]]);
}

describe('ONNX import', function () {
  this.timeout(60_000);

  for (const [name, text] of [['LeNet-5', readFileSync(join(ROOT, 'examples', 'lenet5.cnn'), 'utf8')], ['the mixed model', MIXED]] as const) {
    it(`round-trips ${name}: export → import → export gives the same graph and weights`, () => {
      const spec = specOf(text), weights = randomWeights(spec, 11);
      const first = exportOnnx(spec, weights);
      const imported = importOnnx(first, 'model.onnx');
      const again = exportOnnx(specOf(imported.text), imported.weights);
      assert.ok(Buffer.from(first).equals(Buffer.from(again)), 'the re-exported bytes differ');
      assert.deepEqual([...imported.weights.keys()].sort(), [...weights.keys()].sort());
      for (const [key, t] of weights) assert.deepEqual(imported.weights.get(key)!.data, t.data, key);
    });
  }

  it('writes readable statements with only the non-default settings, and a train line for MNIST-shaped models', () => {
    const spec = specOf(MIXED);
    const { text } = importOnnx(exportOnnx(spec, randomWeights(spec, 12)), 'dir/mixed.onnx');
    const statements = text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.replace(/\s*#.*$/, ''));
    assert.deepEqual(statements, ['input 3x12x12', 'conv 4 kernel=3 stride=2 pad=1', 'batchnorm momentum=0.2 epsilon=0.001', 'tanh', 'avgpool 2',
      'conv 6 kernel=3x1 pad=1x0 bias=false', 'sigmoid', 'maxpool 2 stride=1', 'dropout 0.3', 'globalavgpool', 'dense 5', 'batchnorm', 'relu', 'dense 3']);
    assert.match(text, /^# Imported from mixed\.onnx \(made by convlab\)/);
    assert.match(text, /conv 4 kernel=3 stride=2 pad=1\s+# node 0 'layers\.0\.Conv' \(Conv\)/);
    assert.match(text, /globalavgpool\s+# node 8 'layers\.8\.GlobalAveragePool' \(GlobalAveragePool\) \+ node 9 'layers\.8\.Flatten' \(Flatten\)\n/);
    const lenet = specOf(readFileSync(join(ROOT, 'examples', 'lenet5.cnn'), 'utf8'));
    assert.match(importOnnx(exportOnnx(lenet, randomWeights(lenet, 13)), 'lenet.onnx').text, /\ntrain data=mnist /);
  });

  it('imports MatMul + Add, Reshape by a Constant, Identity, Dropout and initializers listed as inputs, with onnxruntime\'s outputs', async () => {
    const bytes = pytorchStyle();
    const imported = importOnnx(bytes, 'torch.onnx');
    const spec = specOf(imported.text);
    assert.deepEqual(spec.layers.map((l) => l.kind), ['conv', 'relu', 'maxpool', 'flatten', 'dense', 'dropout', 'softmax']);
    const x = Float32Array.from(randomArray(4 * 36, 21));
    const onnx = await runOnnx(bytes, x, [4, 1, 6, 6]);
    const error = maxAbsDiff(onnx.data, await engineOutputs(spec, imported.weights, x, 4));
    console.log(`      imported variants: max abs error ${error.toExponential(2)}`);
    assert.ok(error <= 1e-4, `max abs error ${error}`);
  });

  it('imports Gemm with transB 0 and alpha/beta, folding them into the weights', async () => {
    const bytes = graphModel([
      node('Flatten', ['x'], ['f'], [int('axis', 1)]),
      node('Gemm', ['f', 'w', 'b'], ['y'], [int('transB', 0), { name: 'alpha', type: ATTRIBUTE.FLOAT, f: 0.5 }, { name: 'beta', type: ATTRIBUTE.FLOAT, f: 2 }]),
    ], [floats('w', [36, 3], 5), floats('b', [1, 3], 6)]);
    const imported = importOnnx(bytes, 'gemm.onnx');
    const spec = specOf(imported.text);
    const x = Float32Array.from(randomArray(2 * 36, 22));
    const error = maxAbsDiff((await runOnnx(bytes, x, [2, 1, 6, 6])).data, await engineOutputs(spec, imported.weights, x, 2));
    assert.ok(error <= 1e-5, `max abs error ${error}`);
  });

  it('imports opset 11 conventions (Softmax\'s axis 1, Dropout\'s ratio attribute), auto_pad SAME and an exact ceil_mode', async () => {
    const str = (name: string, text: string): OnnxAttribute => ({ name, type: ATTRIBUTE.STRING, s: new TextEncoder().encode(text) });
    const bytes = graphModel([
      node('Conv', ['x', 'w0'], ['c'], [ints('kernel_shape', [3, 3]), str('auto_pad', 'SAME_UPPER')]),
      node('AveragePool', ['c'], ['p'], [ints('kernel_shape', [2, 2]), ints('strides', [2, 2]), int('ceil_mode', 1)]),
      node('Flatten', ['p'], ['f']),
      node('Dropout', ['f'], ['d'], [{ name: 'ratio', type: ATTRIBUTE.FLOAT, f: 0.25 }]),
      node('Gemm', ['d', 'w1', 'b1'], ['g'], [int('transB', 1)]),
      node('Softmax', ['g'], ['y']),
    ], [floats('w0', [2, 1, 3, 3], 14), floats('w1', [3, 18], 15), floats('b1', [3], 16)], ['batch', 1, 6, 6], 'y', 11);
    const imported = importOnnx(bytes, 'opset11.onnx');
    assert.match(imported.text, /\nconv 2 kernel=3 pad=1 .*\navgpool 2 .*\nflatten .*\ndropout 0\.25 .*\ndense 3 .*\nsoftmax /s);
    const x = Float32Array.from(randomArray(3 * 36, 23));
    const error = maxAbsDiff((await runOnnx(bytes, x, [3, 1, 6, 6])).data, await engineOutputs(specOf(imported.text), imported.weights, x, 3));
    assert.ok(error <= 1e-5, `max abs error ${error}`);
  });

  describe('refuses, naming the node and why', () => {
    const refuses = (bytes: Uint8Array, message: RegExp) => assert.throws(() => importOnnx(bytes, 'm.onnx'), message);
    const tail = [node('Flatten', ['h'], ['f']), node('Gemm', ['f', 'w', 'b'], ['y'], [int('transB', 1)])];
    const tailWeights = [floats('w', [3, 36], 7), floats('b', [3], 8)];

    it('an operator outside the subset', () => {
      refuses(graphModel([node('LeakyRelu', ['x'], ['h'], [], 'act1'), ...tail], tailWeights),
        /m\.onnx: node 0 'act1' \(LeakyRelu\) cannot be imported: LeakyRelu is not an operator ConvLab can map/);
    });

    it('a branch (a residual connection)', () => {
      refuses(graphModel([node('Relu', ['x'], ['r'], [], 'relu1'), node('Relu', ['r'], ['s'], [], 'relu2'), node('Add', ['r', 's'], ['h'], [], 'skip'), ...tail], tailWeights),
        /m\.onnx: node 0 'relu1' \(Relu\) cannot be imported: its output 'r' feeds 2 places; ConvLab imports a single chain/);
    });

    it('settings a ConvLab layer would not compute exactly', () => {
      const conv = (attributes: OnnxAttribute[], w = [2, 1, 3, 3]) => graphModel([node('Conv', ['x', 'cw'], ['c'], attributes, 'conv1'), node('GlobalAveragePool', ['c'], ['h']), ...tail],
        [floats('cw', w, 9), ...tailWeights]);
      refuses(conv([ints('pads', [0, 0, 1, 1])]), /node 0 'conv1' \(Conv\) cannot be imported: pads \[0, 0, 1, 1\] differ between opposite sides/);
      refuses(conv([int('group', 2)], [2, 1, 3, 3]), /node 0 'conv1' \(Conv\) cannot be imported: group 2/);
      refuses(conv([ints('dilations', [2, 2])]), /dilations \[2, 2\]: ConvLab has no dilated windows/);
      refuses(conv([int('alpha', 2)]), /attribute 'alpha' is not one ConvLab can map/);
      refuses(graphModel([node('MaxPool', ['x'], ['h'], [ints('kernel_shape', [4, 4]), ints('strides', [4, 4]), int('ceil_mode', 1)], 'pool1'), ...tail], tailWeights),
        /node 0 'pool1' \(MaxPool\) cannot be imported: ceil_mode 1 keeps the partial window/);
      refuses(graphModel([node('Reshape', ['x', 'shape'], ['h'], [], 'reshape1'), ...tail], [int64s('shape', [-1, 6, 6]), ...tailWeights]),
        /node 0 'reshape1' \(Reshape\) cannot be imported: reshape to \[-1, 6, 6\] is not a flatten to \[N, 36\]/);
    });

    it('a graph that is not a CNN on one [N, C, H, W] input, or not ONNX at all', () => {
      refuses(graphModel([node('Relu', ['x'], ['h']), ...tail], tailWeights, ['batch', 36]), /the input 'x' has shape \[batch, 36\]; ConvLab needs \[N, C, H, W\]/);
      refuses(graphModel([node('Relu', ['x'], ['h']), ...tail], tailWeights, ['batch', 1, 6, 6], 'z'), /the graph's output 'z' is not the end of the chain \('y'\)/);
      refuses(new Uint8Array([1, 2, 3, 4, 5]), /m\.onnx: not an ONNX model/);
    });
  });

  it('keeps float32 settings readable: 1 − ONNX momentum and epsilon as the shortest decimals', () => {
    const bytes = graphModel([
      node('BatchNormalization', ['x', 's', 'b', 'm', 'v'], ['h'], [{ name: 'epsilon', type: ATTRIBUTE.FLOAT, f: 1e-3 }, { name: 'momentum', type: ATTRIBUTE.FLOAT, f: 0.99 }]),
      ...[node('Flatten', ['h'], ['f']), node('Gemm', ['f', 'w'], ['y'], [int('transB', 1)])],
    ], [floats('s', [1], 1), floats('b', [1], 2), floats('m', [1], 3), { ...floats('v', [1], 4), float_data: [0.5] }, floats('w', [3, 36], 5)]);
    const { text, weights } = importOnnx(bytes, 'bn.onnx');
    assert.match(text, /\nbatchnorm momentum=0\.01 epsilon=0\.001 /);
    assert.match(text, /\ndense 3 bias=false /);
    assert.deepEqual([...weights.keys()], ['layers.0.weight', 'layers.0.bias', 'layers.0.running_mean', 'layers.0.running_var', 'layers.2.weight']);
    assert.deepEqual(weights.get('layers.0.running_var')!.data, Float32Array.of(0.5));
    assert.deepEqual(weights.get('layers.2.weight')!.shape, [3, 36]);
  });
});
