// Every layer and loss: analytic gradients against central finite differences on the f64 cpu, then
// on every backend in f32, against finite differences and against the f64 cpu's gradients on the
// same weights and batch (the check `convlab gradcheck --backend webgpu` runs). Layers without
// parameters are covered through the parameters below them.

import * as assert from 'node:assert/strict';
import { CpuBackend } from '../../../src/engine/cpu/backend';
import { gradientCheck, type GradCheckResult } from '../../../src/engine/gradcheck';
import type { ModelSpec } from '../../../src/lang/spec';
import { forEachBackend } from '../../backends';
import * as L from './specs';

function report(r: GradCheckResult): string {
  return r.tensors.map((t) => `${t.name}: ${t.maxRelativeError.toExponential(2)} (a=${t.worst.analytic}, n=${t.worst.numeric})`).join('\n');
}

const cases: [string, ModelSpec][] = [
  ['conv (stride 2, pad 1) + relu + maxpool + dense, fused softmax CE',
    L.model([2, 7, 7], [L.conv(3, 3, { stride: 2, pad: 1 }), L.relu, L.maxpool(2, 1), L.flatten, L.dense(4), L.softmax])],
  ['conv without bias + tanh + avgpool (overlapping) + dense, CE on logits',
    L.model([1, 8, 6], [L.conv(2, 3, { bias: false }), L.tanh, L.avgpool(3, 2), L.flatten, L.dense(3)])],
  ['sigmoid MLP with softmax and MSE (standalone softmax backward)',
    L.model([1, 3, 3], [L.flatten, L.dense(5), L.sigmoid, L.dense(3), L.softmax], 'mse')],
  ['MSE on raw outputs, dense without bias',
    L.model([1, 2, 2], [L.flatten, L.dense(6, false), L.tanh, L.dense(3)], 'mse')],
  ['dropout (fixed seed) between dense layers',
    L.model([1, 4, 4], [L.flatten, L.dense(12), L.relu, L.dropout(0.5), L.dense(3), L.softmax])],
  ['batch norm on feature maps and on vectors',
    L.model([2, 5, 5], [L.conv(3, 3, { pad: 1 }), L.batchnorm, L.relu, L.flatten, L.dense(6), L.batchnorm, L.tanh, L.dense(3)])],
  ['LeNet-5 shape, smaller maps',
    L.model([1, 12, 12], [L.conv(3, 5, { pad: 2 }), L.relu, L.maxpool(2), L.conv(4, 3), L.relu, L.maxpool(2),
      L.flatten, L.dense(10), L.relu, L.dense(5), L.softmax])],
];

/** f32 analytic gradients against the f64 cpu's: the largest error allowed differs by model. */
interface ReferenceCase {
  readonly name: string;
  readonly spec: ModelSpec;
  readonly seed: number;
  readonly batch?: number;
  readonly bound: number;
}

const f32Case = ([name, spec]: [string, ModelSpec]): ReferenceCase => ({ name, spec, seed: 3, bound: 2e-4 });

/** Every case above plus two deeper models, in two suites so that neither runs long on SwiftShader. */
const referenceSuites: [string, ReferenceCase[]][] = [
  ['convolution and pooling', [
    f32Case(cases[0]), f32Case(cases[1]), f32Case(cases[6]),
    { name: 'conv (stride 2) + batch norm + overlapping maxpool + conv + tanh + avgpool + dropout', seed: 4, batch: 3, bound: 1e-4,
      spec: L.model([2, 9, 9], [
        L.conv(3, 3, { stride: 2, pad: 1 }), L.batchnorm, L.relu, L.maxpool(2, 1), L.conv(4, 2), L.tanh, L.avgpool(2),
        L.flatten, L.dense(8), L.relu, L.dropout(0.25), L.dense(3), L.softmax,
      ]) },
  ]],
  ['dense layers, losses, dropout and batch norm', [
    ...cases.slice(2, 6).map(f32Case),
    // The dense before the batchnorm has no bias: batchnorm removes the mean, so its true gradient is 0.
    { name: 'globalavgpool, and batchnorm on vectors', seed: 8, batch: 4, bound: 1e-4,
      spec: L.model([2, 6, 5], [
        L.conv(3, 3, { pad: 1 }), L.relu, L.globalavgpool, L.dense(6, false), L.batchnorm, L.tanh, L.dense(3),
      ]) },
  ]],
];

describe('gradient check (f64 cpu)', () => {
  for (const [name, spec] of cases) {
    it(name, async () => {
      const r = await gradientCheck(new CpuBackend({ precision: 'f64' }), spec, { seed: 3 });
      assert.equal(r.precision, 'f64');
      assert.ok(r.passed, report(r));
      for (const t of r.tensors) assert.equal(t.skipped, 0, `${t.name}: no kink expected within ±1e-6`);
      assert.ok(r.tensors.length > 0);
    });
  }

  it('samples at least 30 elements of a large tensor and all of a small one', async () => {
    const r = await gradientCheck(new CpuBackend({ precision: 'f64' }), L.model([1, 8, 8], [L.flatten, L.dense(10)]));
    const [weight, bias] = r.tensors;
    assert.equal(weight.total, 640);
    assert.ok(weight.checked >= 30 && weight.checked < 640);
    assert.equal(bias.checked, 10);
  });

  it('fails when a gradient is wrong', async () => {
    const backend = new CpuBackend({ precision: 'f64' });
    // Sabotage: the relu backward lets gradients through where it should block them.
    const original = backend.activationBackward.bind(backend);
    backend.activationBackward = (kind, y, dy, dx, length) => original(kind === 'relu' ? 'tanh' : kind, y, dy, dx, length);
    const r = await gradientCheck(backend, L.model([1, 4, 4], [L.flatten, L.dense(6), L.relu, L.dense(3)]), { seed: 5 });
    assert.equal(r.passed, false);
    assert.ok(r.tensors.find((t) => t.name === 'layers.1.weight')!.maxRelativeError > 1e-2);
  });

  it('passes on the f32 backend with the f32 tolerances', async () => {
    const r = await gradientCheck(new CpuBackend(), cases[6][1], { seed: 3 });
    assert.equal(r.precision, 'f32');
    assert.ok(r.passed, report(r));
  });

  it('the reference comparison catches a subtly wrong gradient that f32 differences let through', async () => {
    const backend = new CpuBackend();
    // Sabotage: 1 % too much gradient from every dense layer's bias — far inside the f32 finite-difference
    // tolerance (0.2), far outside the reference tolerance.
    const original = backend.biasGrad.bind(backend);
    backend.biasGrad = (dy, db, rows, cols, accumulate) => { original(dy, db, rows, cols, accumulate); backend.scale(db, 1.01, rows); };
    const spec = L.model([1, 4, 4], [L.flatten, L.dense(6), L.tanh, L.dense(3)]);
    const alone = await gradientCheck(backend, spec, { seed: 5 });
    assert.ok(alone.passed, 'the f32 finite differences alone cannot see a 1 % error');
    const r = await gradientCheck(backend, spec, { seed: 5, reference: new CpuBackend({ precision: 'f64' }) });
    assert.equal(r.passed, false);
    const bias = r.tensors.find((t) => t.name === 'layers.1.bias')!;
    assert.ok(bias.referenceError! > 5e-3 && !bias.passed, `${bias.referenceError}`);
  });
});

for (const [family, referenceCases] of referenceSuites) {
  forEachBackend(`gradient check in f32: ${family}`, (backend) => {
    for (const c of referenceCases) {
      it(`agrees with finite differences and with the f64 cpu's gradients: ${c.name}`, async () => {
        const reference = new CpuBackend({ precision: 'f64' });
        try {
          const r = await gradientCheck(backend.create(), c.spec, { seed: c.seed, batch: c.batch, reference });
          assert.equal(r.precision, 'f32');
          assert.ok(r.backend.startsWith(backend.name), r.backend);
          assert.deepEqual(r.reference, { backend: 'cpu (f64)', tolerance: 1e-3 });
          const summary = r.tensors.map((t) => `${t.name}: fd ${t.maxRelativeError.toExponential(2)}, ref ${t.referenceError?.toExponential(2)}`).join('\n');
          assert.ok(r.passed, summary);
          for (const t of r.tensors) {
            assert.ok(t.referenceError !== undefined && t.referenceError < c.bound, `${t.name}: ${t.referenceError}\n${summary}`);
          }
        } finally {
          reference.destroy();
        }
      });
    }
  });
}
