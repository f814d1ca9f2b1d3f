// LeNet-5 checked against hand computation: every shape, parameter count, FLOP count, and the GPU
// lecture's im2col replication figures (19.1× for C1, 12.8× for C3).
import assert from 'node:assert/strict';
import { analyze, DEFAULT_TRAIN, hoverMarkdown } from '../../../src/lang';
import { LENET } from './util';

describe('LeNet-5', () => {
  const a = analyze(LENET);

  it('has no diagnostics', () => {
    assert.deepEqual(a.diagnostics, []);
  });

  it('has the exact shape, parameters and FLOPs of every layer', () => {
    // [kind, line (1-based), output, params, flops]
    const expected: [string, number, number[], number, number][] = [
      ['conv', 4, [6, 28, 28], 6 * 1 * 5 * 5 + 6, 2 * 6 * 1 * 25 * 28 * 28 + 6 * 28 * 28],
      ['relu', 5, [6, 28, 28], 0, 6 * 28 * 28],
      ['maxpool', 6, [6, 14, 14], 0, 6 * 14 * 14 * 4],
      ['conv', 7, [16, 10, 10], 16 * 6 * 25 + 16, 2 * 16 * 6 * 25 * 100 + 16 * 100],
      ['relu', 8, [16, 10, 10], 0, 1600],
      ['maxpool', 9, [16, 5, 5], 0, 16 * 25 * 4],
      ['flatten', 10, [400], 0, 0],
      ['dense', 11, [120], 400 * 120 + 120, 2 * 400 * 120 + 120],
      ['relu', 12, [120], 0, 120],
      ['dense', 13, [84], 120 * 84 + 84, 2 * 120 * 84 + 84],
      ['relu', 14, [84], 0, 84],
      ['dense', 15, [10], 84 * 10 + 10, 2 * 84 * 10 + 10],
      ['softmax', 16, [10], 0, 30],
    ];
    assert.deepEqual(
      a.layers.map((l) => [l.layer.kind, l.layer.line + 1, l.output, l.params, l.flops]),
      expected,
    );
    assert.deepEqual([156, 2416, 48120, 10164, 850], a.layers.filter((l) => l.params > 0).map((l) => l.params));
  });

  it('has 61,706 parameters and a 10-class output', () => {
    assert.equal(a.totalParams, 61706);
    assert.deepEqual(a.outputShape, [10]);
    assert.equal(a.classes, 10);
  });

  it('chains every layer input to the previous output', () => {
    assert.deepEqual(a.layers[0].input, [1, 28, 28]);
    for (let i = 1; i < a.layers.length; i++) assert.deepEqual(a.layers[i].input, a.layers[i - 1].output);
  });

  it('gives the im2col replication of the GPU lecture: 19.1× for C1, 12.8× for C3', () => {
    const [c1, c3] = a.layers.filter((l) => l.layer.kind === 'conv');
    assert.equal(c1.im2colReplication, (25 * 784) / 1024);
    assert.equal(c1.im2colReplication!.toFixed(1), '19.1');
    assert.equal(c3.im2colReplication, (150 * 100) / (6 * 14 * 14));
    assert.equal(c3.im2colReplication!.toFixed(1), '12.8');
    assert.equal(a.layers.filter((l) => l.im2colReplication !== undefined).length, 2);
  });

  it('counts f32 activation bytes per example (flatten is a view)', () => {
    assert.deepEqual(a.layers.map((l) => l.activationBytes), [
      4 * 4704, 4 * 4704, 4 * 1176, 4 * 1600, 4 * 1600, 4 * 400, 0, 4 * 120, 4 * 120, 4 * 84, 4 * 84, 4 * 10, 4 * 10,
    ]);
  });

  it('shows the arithmetic with numbers filled in', () => {
    assert.equal(a.layers[0].formula, '(28 + 2·2 − 5)/1 + 1 = 28');
    assert.equal(a.layers[2].formula, '(28 − 2)/2 + 1 = 14');
    assert.equal(a.layers[3].formula, '(14 + 2·0 − 5)/1 + 1 = 10');
    assert.equal(a.layers[6].formula, '16·5·5 = 400');
  });

  it('builds the spec: input, layers, implied cross-entropy, train settings', () => {
    assert.deepEqual(a.spec.input, [1, 28, 28]);
    assert.deepEqual(a.spec.layers[0], {
      line: 3, range: { start: { line: 3, character: 0 }, end: { line: 3, character: 21 } },
      kind: 'conv', filters: 6, kernel: [5, 5], stride: [1, 1], pad: [2, 2], bias: true,
    });
    assert.deepEqual(a.spec.layers[2], {
      line: 5, range: { start: { line: 5, character: 0 }, end: { line: 5, character: 9 } },
      kind: 'maxpool', window: [2, 2], stride: [2, 2],
    });
    assert.equal(a.spec.layers.length, 13);
    assert.deepEqual(a.spec.loss, { kind: 'cross_entropy', line: null });
    const { range, ...train } = a.spec.train;
    assert.deepEqual(train, { ...DEFAULT_TRAIN, data: { kind: 'mnist' }, epochs: 3, batch: 64, optimizer: 'sgd', lr: 0.05, momentum: 0.9, seed: 1 });
    assert.deepEqual(range, { start: { line: 17, character: 0 }, end: { line: 17, character: 76 } });
  });

  it('hover shows shapes, formula, params with breakdown, FLOPs, memory and replication', () => {
    const md = hoverMarkdown(a.layers[0]);
    assert.match(md, /\*\*conv\*\* 6 × 5×5 pad 2×2 — 1×28×28 → 6×28×28/);
    assert.match(md, /`\(28 \+ 2·2 − 5\)\/1 \+ 1 = 28`/);
    assert.match(md, /parameters: 156 \(6·1·5·5 \+ 6\)/);
    assert.match(md, /FLOPs per example: 239,904 \(240 k\)/);
    assert.match(md, /activations per example: 18\.4 KiB/);
    assert.match(md, /im2col replication: 19\.1×/);
    const dense = hoverMarkdown(a.layers[7]);
    assert.match(dense, /400 → 120/);
    assert.match(dense, /parameters: 48,120 \(400·120 \+ 120\)/);
    assert.doesNotMatch(dense, /im2col/);
  });
});
