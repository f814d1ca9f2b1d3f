// globalavgpool end to end: the language's shape rule and diagnostics, the hover, the engine's
// forward values and its gradients.
import * as assert from 'node:assert/strict';
import { CpuBackend } from '../../../src/engine/cpu/backend';
import { gradientCheck } from '../../../src/engine/gradcheck';
import { Network } from '../../../src/engine/network';
import { analyze, hoverMarkdown } from '../../../src/lang';
import * as L from '../engine/specs';

describe('globalavgpool', () => {
  it('turns C×H×W into a vector of C that dense takes without flatten', () => {
    const a = analyze('input 3x32x32\nconv 16 kernel=3 pad=1\nrelu\nglobalavgpool\ndense 10\ntrain data=cifar10:c');
    assert.deepEqual(a.diagnostics, []);
    const gap = a.layers[2];
    assert.deepEqual(gap.output, [16]);
    assert.equal(gap.params, 0);
    assert.equal(gap.flops, 16 * 32 * 32);
    assert.equal(gap.activationBytes, 4 * 16);
    assert.equal(a.totalParams, 16 * 3 * 9 + 16 + 16 * 10 + 10);
    const hover = hoverMarkdown(gap);
    assert.match(hover, /\*\*globalavgpool\*\*.*16×32×32 → 16/);
    assert.match(hover, /mean of each 32×32 map → 16 values/);
  });

  it('needs a feature map', () => {
    const a = analyze('input 1x28x28\nflatten\nglobalavgpool\ndense 10');
    const d = a.diagnostics.find((x) => x.code === 'needs-feature-map');
    assert.ok(d, JSON.stringify(a.diagnostics));
    assert.equal(d.range.start.line, 2);
    assert.match(d.message, /globalavgpool \(line 3\): needs a C×H×W feature map, but its input is a vector of 784 values/);
  });

  it('averages each channel of each example', async () => {
    const backend = new CpuBackend({ precision: 'f64' });
    const net = new Network(backend, L.model([2, 2, 3], [L.globalavgpool, L.dense(2)]), { maxBatch: 2 });
    // Layout c × (N·H·W): channel 0 of example 0, then of example 1, then channel 1.
    const x = [1, 2, 3, 4, 5, 6, /* */ 0, 0, 0, 0, 0, 12, /* */ -6, -6, -6, -6, -6, -6, /* */ 1, 1, 1, 1, 1, 1];
    backend.write(net.input, x);
    net.forward({ n: 2, training: false, seed: 0 });
    assert.deepEqual([...await backend.read(net.layerOutput(0))], [3.5, 2, -6, 1]);
  });

  it('has exact gradients', async () => {
    const spec = L.model([3, 5, 4], [L.conv(4, 3, { pad: 1 }), L.tanh, L.globalavgpool, L.dense(3)]);
    const r = await gradientCheck(new CpuBackend({ precision: 'f64' }), spec, { seed: 6 });
    assert.ok(r.passed, r.tensors.map((t) => `${t.name}: ${t.maxRelativeError}`).join('\n'));
  });
});

describe('batchnorm after dense', () => {
  it('is accepted, with per-feature statistics', () => {
    const a = analyze('input 1x28x28\nflatten\ndense 32\nbatchnorm\nrelu\ndense 10\ntrain data=mnist');
    assert.deepEqual(a.diagnostics, []);
    const bn = a.layers[2];
    assert.deepEqual(bn.output, [32]);
    assert.equal(bn.params, 64);
    assert.match(bn.formula!, /each of 32 features/);
    assert.match(hoverMarkdown(bn), /scale and shift for 32 features/);
  });

  it('normalises each feature over the batch', async () => {
    const backend = new CpuBackend({ precision: 'f64' });
    const net = new Network(backend, L.model([1, 1, 2], [L.flatten, L.batchnorm, L.dense(2)]), { maxBatch: 4 });
    // Input c × (N·H·W) with one channel of 1×2: example i holds (i + 1, 10·(i + 1) + 5), so after
    // flatten feature 0 is [1, 2, 3, 4] and feature 1 is [15, 25, 35, 45] over the batch.
    backend.write(net.input, [1, 15, 2, 25, 3, 35, 4, 45]);
    net.forward({ n: 4, training: true, seed: 0 });
    const y = await backend.read(net.layerOutput(1));
    // Rows are features; each is normalised with its own mean and (biased) variance: 1.25 and 125.
    const expected = (mean: number, variance: number, values: number[]) => values.map((v) => (v - mean) / Math.sqrt(variance + 1e-5));
    const want = [...expected(2.5, 1.25, [1, 2, 3, 4]), ...expected(30, 125, [15, 25, 35, 45])];
    for (let i = 0; i < 8; i++) assert.ok(Math.abs(y[i] - want[i]) < 1e-9, `element ${i}: ${y[i]} vs ${want[i]}`);
  });
});
