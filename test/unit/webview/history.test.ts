// The panel's plotted history: accuracy rows per epoch, gradient norms per layer, resuming from a
// checkpoint's step, and the round trip through the saved state.
import * as assert from 'node:assert/strict';
import type { GradientTensor } from '../../../src/webview/engine-protocol';
import { History } from '../../../src/webview/history';
import { MAX_SAVED_POINTS, readSavedState } from '../../../src/webview/saved-state';

const grad = (name: string, norm: number): GradientTensor => ({ name, norm, min: -1, max: 1, counts: [1, 2] });

describe('webview: history', () => {
  it('keeps one accuracy row per epoch, filled in by the training and the test evaluation', () => {
    const h = new History();
    assert.deepEqual(h.lastAccuracy, { train: null, test: null });
    h.trainAccuracy(1, 0.7);
    h.testAccuracy(1, 0.75);
    h.testAccuracy(2, 0.8);
    h.trainAccuracy(2, 0.78);
    assert.deepEqual(h.accuracy, { epoch: [1, 2], train: [0.7, 0.78], test: [0.75, 0.8] });
    assert.deepEqual(h.lastAccuracy, { train: 0.78, test: 0.8 });
  });

  it('sums weight and bias into one gradient norm per layer, once per step', () => {
    const h = new History();
    assert.equal(h.addGradients(5, [grad('layers.0.weight', 3), grad('layers.0.bias', 4), grad('layers.3.weight', 1)]), true, 'new layers');
    assert.equal(h.addGradients(5, [grad('layers.0.weight', 3), grad('layers.0.bias', 4), grad('layers.3.weight', 1)]), false);
    assert.equal(h.addGradients(10, [grad('layers.0.weight', 6), grad('layers.0.bias', 8), grad('layers.3.weight', 2)]), false);
    assert.deepEqual(h.gradNorms.names, ['layers.0', 'layers.3']);
    assert.deepEqual(Array.from(h.gradNorms.series[0].x), [5, 10]);
    assert.deepEqual(Array.from(h.gradNorms.series[0].y), [5, 10]);
    assert.deepEqual(Array.from(h.gradNorms.series[1].y), [1, 2]);
    assert.equal(h.latestGradients.length, 3);
    assert.equal(h.addGradients(15, [grad('layers.1.weight', 1)]), true, 'another model starts new series');
    assert.deepEqual(h.gradNorms.names, ['layers.1']);
  });

  it('keeps what came before a checkpoint when resuming from it, and forgets everything on a new run', () => {
    const h = new History();
    for (let step = 1; step <= 10; step++) h.loss.push(step, step);
    h.addGradients(4, [grad('layers.0.weight', 1)]);
    h.addGradients(8, [grad('layers.0.weight', 1)]);
    h.trainAccuracy(1, 0.5);
    h.trainAccuracy(2, 0.6);
    h.keepUpTo(6, 1);
    assert.equal(h.loss.lastX, 6);
    assert.deepEqual(Array.from(h.gradNorms.series[0].x), [4]);
    assert.deepEqual(h.accuracy, { epoch: [1], train: [0.5], test: [null] });
    h.confusion = [[1]];
    h.reset();
    assert.equal(h.loss.length, 0);
    assert.deepEqual(h.gradNorms, { names: [], series: [] });
    assert.equal(h.confusion, null);
  });

  it('comes back from its saved state (through JSON) with its curves decimated', () => {
    const h = new History();
    for (let step = 1; step <= 5000; step++) h.loss.push(step, Math.exp(-step / 1000));
    h.trainAccuracy(1, 0.9);
    for (let step = 10; step <= 5000; step += 10) h.addGradients(step, [grad('layers.0.weight', step)]);
    h.confusion = [[3, 1], [0, 4]];
    const raw = JSON.parse(JSON.stringify({ version: 1, modelUri: 'file:///m.cnn', ...h.saved() }));
    const back = new History();
    back.restore(readSavedState(raw).state!);
    assert.ok(back.loss.length <= MAX_SAVED_POINTS && back.loss.length > MAX_SAVED_POINTS / 2);
    assert.equal(back.loss.lastX, 5000);
    assert.deepEqual(back.accuracy, h.accuracy);
    assert.equal(back.gradNorms.series[0].length, back.gradNorms.series[0].x.length);
    assert.ok(back.gradNorms.series[0].length <= MAX_SAVED_POINTS);
    assert.deepEqual(back.confusion, [[3, 1], [0, 4]]);
  });

  it('restores only the parts a saved state still has', () => {
    const h = new History();
    h.loss.push(1, 1);
    h.restore({ version: 1, modelUri: 'file:///m.cnn', gradNorms: { names: [], x: [], y: [] } });
    assert.equal(h.loss.length, 1, 'no saved loss: the current one stays');
    assert.deepEqual(h.gradNorms.names, []);
  });

  it('keeps one row per Newton iteration: a resumed run replaces what came after its checkpoint', () => {
    const h = new History();
    const row = (iteration: number, f: number) => ({ iteration, f, gradientNorm: f / 2, stepSize: 1, cgIterations: 3, actualReduction: 0.1, predictedReduction: 0.1, lambda: 1 / iteration, testAccuracy: null });
    for (let i = 1; i <= 4; i++) h.addNewton(row(i, 3 - i / 2));
    h.keepUpTo(2, 2);
    assert.deepEqual(h.newton.map((r) => r.iteration), [1, 2], 'iterations are epochs');
    h.addNewton(row(3, 1.9));
    h.addNewton(row(2, 2.2));
    assert.deepEqual(h.newton.map((r) => [r.iteration, r.f]), [[1, 2.5], [2, 2.2]], 'an iteration seen again replaces itself and what followed');
    const back = new History();
    const { state } = readSavedState(JSON.parse(JSON.stringify({ version: 1, modelUri: 'file:///m.cnn', newton: h.saved().newton })));
    back.restore(state!);
    assert.deepEqual(back.newton, h.newton);
    h.reset();
    assert.deepEqual(h.newton, []);
  });
});
