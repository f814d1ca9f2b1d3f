// The network's fusion plan (engine/fusion-plan.ts): which pairs it fuses, and that the fused run
// gives what running every layer on its own gives — exactly on the cpu, which makes the same calls,
// and within f32 rounding on webgpu, whose kernels apply the activation in their epilogues.

import * as assert from 'node:assert/strict';
import { CpuBackend } from '../../../src/engine/cpu/backend';
import { Network } from '../../../src/engine/network';
import { forEachBackend, type BackendUnderTest } from '../../backends';
import { assertNear, F32_RTOL } from '../../gpu/twins';
import { randomArray } from './helpers';
import * as L from './specs';

const LENET = L.model([1, 12, 12], [
  L.conv(4, 3, { pad: 1 }), L.relu, L.maxpool(2), L.conv(6, 3), L.tanh, L.maxpool(2),
  L.flatten, L.dense(12), L.sigmoid, L.dense(9), L.relu, L.dense(5), L.softmax,
], 'cross_entropy');

describe('fusion plan', () => {
  it('fuses each conv/dense with the activation after it, and gates dense backward through the activation before', () => {
    const net = new Network(new CpuBackend(), LENET, { maxBatch: 2 });
    assert.deepEqual(net.fusion.fused, [0, 3, 7, 9]);
    assert.deepEqual([0, 1, 2, 3, 7, 9].map((i) => net.fusion.activationAfter(i)), ['relu', null, null, 'tanh', 'sigmoid', 'relu']);
    // dense 9 follows sigmoid 8, dense 11 follows relu 10; dense 7 follows flatten: no gate.
    assert.deepEqual([7, 9, 11].map((i) => net.fusion.gateBefore(i)), [null, 'sigmoid', 'relu']);
  });

  it('leaves a leading activation alone (no input gradient to gate) and plans nothing when fuse is false', () => {
    const spec = L.model([16, 1, 1], [L.relu, L.dense(3), L.dense(2)]);
    const net = new Network(new CpuBackend(), spec, { maxBatch: 1 });
    assert.deepEqual(net.fusion.fused, []);
    assert.equal(net.fusion.gateBefore(1), null);
    const off = new Network(new CpuBackend(), LENET, { maxBatch: 1, fuse: false });
    assert.deepEqual(off.fusion.fused, []);
    assert.equal(off.fusion.gateBefore(9), null);
  });
});

/** Bit for bit on the cpu (the same calls); on webgpu a few f32 ulps (other kernels, other summation orders). */
function assertSame(b: BackendUnderTest, actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  if (b.name === 'cpu') assert.deepEqual(Array.from(actual), Array.from(expected), what);
  else assertNear(actual, expected, what, F32_RTOL);
}

forEachBackend('fused network equals the unfused one', (b) => {
  it('in every layer output, the loss gradient of every parameter and the probabilities', async () => {
    const be = b.create();
    const n = 3;
    const nets = [true, false].map((fuse) => new Network(be, LENET, { maxBatch: 4, seed: 3, fuse }));
    const input = randomArray(n * 144, 8), labels = [1, 4, 2];
    const metrics = nets.map(() => be.zeros(3));
    nets.forEach((net, i) => {
      be.write(net.input, input);
      be.write(net.labels, labels);
      const pass = { n, training: true, seed: 1 };
      net.forward(pass);
      net.computeLoss(n, metrics[i], true);
      net.backward(pass);
    });
    const [fused, plain] = nets;
    for (let i = 0; i < LENET.layers.length - 1; i++) {
      const [f, p] = await Promise.all([be.read(fused.layerOutput(i)), be.read(plain.layerOutput(i))]);
      assertSame(b, f, p, `layer ${i} output`);
    }
    for (const [i, p] of plain.parameters.entries()) {
      const [gf, gp] = await Promise.all([be.read(fused.parameters[i].grad), be.read(p.grad)]);
      assertSame(b, gf, gp, `${p.name} gradient`);
    }
    assertSame(b, await be.read(fused.output()), await be.read(plain.output()), 'probabilities');
    for (const net of nets) net.dispose();
  });
});
