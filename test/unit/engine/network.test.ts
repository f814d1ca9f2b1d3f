// Network: construction errors, initialisation, partial batches, feature maps, named state.

import * as assert from 'node:assert/strict';
import { CpuBackend } from '../../../src/engine/cpu/backend';
import { Network } from '../../../src/engine/network';
import { randomArray } from './helpers';
import * as L from './specs';

const f64 = () => new CpuBackend({ precision: 'f64' });
const std = (a: ArrayLike<number>) => {
  let s = 0, s2 = 0;
  for (let i = 0; i < a.length; i++) { s += a[i]; s2 += a[i] * a[i]; }
  return Math.sqrt(s2 / a.length - (s / a.length) ** 2);
};

describe('Network', () => {
  it('names parameters by spec index and initialises He (relu) / Xavier (tanh), biases 0, gamma 1', async () => {
    const be = f64();
    const net = new Network(be, L.model([1, 20, 20], [L.flatten, L.dense(300), L.relu, L.dense(200), L.tanh, L.batchnorm, L.dense(3)]), { maxBatch: 2 });
    assert.deepEqual(net.parameters.map((p) => p.name),
      ['layers.1.weight', 'layers.1.bias', 'layers.3.weight', 'layers.3.bias', 'layers.5.weight', 'layers.5.bias', 'layers.6.weight', 'layers.6.bias']);
    assert.deepEqual(net.buffers.map((b) => b.name), ['layers.5.running_mean', 'layers.5.running_var']);
    const value = async (name: string) => be.read(net.parameters.find((p) => p.name === name)!.value);
    const he = std(await value('layers.1.weight')), xavier = std(await value('layers.3.weight'));
    assert.ok(Math.abs(he / Math.sqrt(2 / 400) - 1) < 0.03, `He std ${he}`);
    assert.ok(Math.abs(xavier / Math.sqrt(2 / 500) - 1) < 0.03, `Xavier std ${xavier}`);
    assert.ok((await value('layers.1.bias')).every((v) => v === 0));
    assert.ok((await value('layers.5.weight')).every((v) => v === 1));
    assert.ok((await be.read(net.buffers[1].tensor)).every((v) => v === 1));
    assert.equal(net.parameterCount, 400 * 300 + 300 + 300 * 200 + 200 + 400 + 200 * 3 + 3);
  });

  it('starts from the same weights on every backend for the same seed', async () => {
    const spec = L.model([1, 6, 6], [L.conv(2, 3), L.relu, L.flatten, L.dense(3)]);
    const a = f64(), b = new CpuBackend();
    const wa = await new Network(a, spec, { maxBatch: 1, seed: 5 }).readState();
    const wb = await new Network(b, spec, { maxBatch: 1, seed: 5 }).readState();
    const wc = await new Network(b, spec, { maxBatch: 1, seed: 6 }).readState();
    assert.deepEqual(wa, wb);
    assert.notDeepEqual(wa.get('layers.0.weight'), wc.get('layers.0.weight'));
  });

  it('gives each example of a partial batch the same outputs as in a full batch', async () => {
    const be = f64();
    const spec = L.model([2, 7, 7], [L.conv(3, 3, { pad: 1, stride: 2 }), L.relu, L.avgpool(2), L.flatten, L.dense(4), L.softmax]);
    const net = new Network(be, spec, { maxBatch: 5 });
    const size = 2 * 49, x = randomArray(size * 5, 1);
    // Example-major data → the c × (N·H·W) layout for n examples.
    const layout = (n: number) => {
      const out = new Float64Array(size * n);
      for (let b = 0; b < n; b++) for (let c = 0; c < 2; c++) out.set(x.subarray(b * size + c * 49, b * size + (c + 1) * 49), (c * n + b) * 49);
      return out;
    };
    be.write(net.input, layout(5));
    const full = await be.read(net.predict({ n: 5, training: false, seed: 0 }));
    be.write(net.input, layout(3));
    const part = await be.read(net.predict({ n: 3, training: false, seed: 0 }));
    for (let b = 0; b < 3; b++) for (let f = 0; f < 4; f++) assert.ok(Math.abs(part[f * 3 + b] - full[f * 5 + b]) < 1e-14);
    assert.throws(() => net.forward({ n: 6, training: false, seed: 0 }), /batch of 6 examples: must be 1 … 5/);
  });

  it('reads one example\'s feature maps of a conv or pool layer', async () => {
    const be = f64();
    const net = new Network(be, L.model([1, 4, 4], [L.conv(2, 3, { pad: 1 }), L.maxpool(2), L.flatten, L.dense(2)]), { maxBatch: 3 });
    assert.deepEqual(net.featureMapLayers(), [0, 1]);
    be.write(net.input, randomArray(48, 2));
    net.forward({ n: 3, training: false, seed: 0 });
    const maps = await net.readFeatureMaps(1, 2);
    assert.deepEqual(maps.shape, [2, 2, 2]);
    const all = await be.read(net.layerOutput(1));
    // Channel c of example 2 of 3 starts at (c·3 + 2)·4.
    assert.deepEqual(Array.from(maps.data), [...all.subarray(8, 12), ...all.subarray(20, 24)].map((v) => Math.fround(v)));
    await assert.rejects(net.readFeatureMaps(1, 3), /example 3 is not in the last batch of 3/);
    assert.throws(() => net.layerOutput(9), /layer 9 does not exist/);
  });

  it('writes and reads named state, refusing missing or mis-sized tensors', async () => {
    const be = f64();
    const spec = L.model([1, 3, 3], [L.flatten, L.dense(4), L.batchnorm, L.dense(2)]);
    const a = new Network(be, spec, { maxBatch: 1, seed: 1 }), b = new Network(be, spec, { maxBatch: 1, seed: 2 });
    const state = await a.readState();
    b.writeState(state);
    assert.deepEqual(await b.readState(), state);
    const missing = new Map(state);
    missing.delete('layers.2.running_var');
    assert.throws(() => b.writeState(missing), /no tensor 'layers.2.running_var'/);
    assert.throws(() => b.writeState(new Map(state).set('layers.1.bias', new Float32Array(3))), /'layers.1.bias' has 3 values, the model needs 4/);
  });

  it('rejects models it cannot build, naming the layer and line', () => {
    const be = f64();
    assert.throws(() => new Network(be, L.model([1, 8, 8], [L.conv(2, 3), L.dense(4)]), { maxBatch: 1 }),
      /layer 1 \(dense, line 3\): input is a 2×6×6 feature map; add `flatten` before dense/);
    assert.throws(() => new Network(be, L.model([1, 8, 8], [L.conv(2, 3)]), { maxBatch: 1 }),
      /must end in a vector of class scores, not a 2×6×6 feature map/);
    assert.throws(() => new Network(be, L.model([1, 4, 4], [L.flatten, L.conv(2, 3)]), { maxBatch: 1 }),
      /layer 1 \(conv, line 3\): needs a C×H×W feature map, got a vector of 16/);
    assert.throws(() => new Network(be, L.model([1, 4, 4], [L.conv(2, 5)]), { maxBatch: 1 }), /a 5×5 kernel does not fit the 4×4 input/);
    assert.throws(() => new Network(be, L.model([1, 4, 4], []), { maxBatch: 1 }), /the model has no layers/);
    assert.throws(() => new Network(be, { ...L.model([1, 4, 4], [L.flatten, L.dense(2)]), input: null }, { maxBatch: 1 }), /no valid `input`/);
    assert.throws(() => new Network(be, L.model([1, 4, 4], [L.flatten, L.dense(2)]), { maxBatch: 0 }), /batch size must be a positive integer/);
  });
});
