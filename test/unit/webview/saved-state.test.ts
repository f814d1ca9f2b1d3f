// The panel's saved state as VS Code hands it back after a reload: checked like a message, a bad
// header rejecting all of it, a bad field only itself, every rejection with its reason, nothing thrown.
import * as assert from 'node:assert/strict';
import { History } from '../../../src/webview/history';
import { readSavedState, settingsToSave, type SavedState } from '../../../src/webview/saved-state';

function saved(overrides: Record<string, unknown> = {}): SavedState & Record<string, unknown> {
  return {
    version: 1,
    modelUri: 'file:///m/lenet5.cnn',
    settings: { epochs: 3, batch: 64, lr: 0.05, backend: 'auto', plotEvery: 10, example: 4 },
    status: 'running',
    progress: { epoch: 1, epochs: 3, globalStep: 250, totalSteps: 375 },
    loss: { x: [2, 4, 6], y: [2.3, 1.9, 1.2] },
    accuracy: { epoch: [1], train: [0.8], test: [0.85] },
    gradNorms: { names: ['layers.0', 'layers.3'], x: [10, 20], y: [[0.5, 0.4], [1.5, 1.2]] },
    confusion: [[5, 1], [0, 6]],
    gradcheck: null,
    checkpoint: '/m/lenet5.ckpt.safetensors',
    folded: ['filters', 'settings'],
    newton: [{ iteration: 1, f: 2.5, gradientNorm: 0.8, stepSize: 1, cgIterations: 7, actualReduction: 0.4, predictedReduction: 0.42, lambda: 0.5, testAccuracy: 0.81 }],
    ...overrides,
  };
}

/** As VS Code stores it: through JSON. */
const reloaded = (state: unknown): unknown => JSON.parse(JSON.stringify(state));

describe('webview: saved state', () => {
  it('reads back a complete state as it was saved', () => {
    const { state, problems } = readSavedState(reloaded(saved()));
    assert.deepEqual(problems, []);
    assert.deepEqual(state, saved());
  });

  it('reads a state saved before cards could fold or Newton could run as nothing folded and no iterations, without a complaint', () => {
    const old: Record<string, unknown> = saved();
    delete old.folded;
    delete old.newton;
    const { state, problems } = readSavedState(reloaded(old));
    assert.deepEqual(problems, []);
    assert.deepEqual(state?.folded, []);
    assert.deepEqual(state?.newton, [], 'nor Newton iterations');
  });

  it('has nothing to restore for a new panel', () => {
    assert.deepEqual(readSavedState(undefined), { state: null, problems: [] });
    assert.deepEqual(readSavedState(null), { state: null, problems: [] });
  });

  it('rejects the whole state when its header is bad, saying why', () => {
    const cases: [unknown, RegExp][] = [
      [saved({ version: 2 }), /^ignored the panel's saved state: state\.version: expected 1, got 2$/],
      [{ ...saved(), modelUri: undefined }, /state\.modelUri: expected a string, got undefined/],
      ['lenet5', /state: expected an object, got "lenet5"/],
      [[1, 2], /state\.version: missing/],
    ];
    for (const [raw, reason] of cases) {
      const { state, problems } = readSavedState(raw);
      assert.equal(state, null);
      assert.equal(problems.length, 1);
      assert.match(problems[0], reason);
    }
  });

  it('drops each malformed field on its own and keeps the rest', () => {
    const raw = reloaded(saved({
      loss: { x: [2, 4, 'six'], y: [1, 2, 3] },
      settings: { epochs: 3, batch: 64, lr: 0.05, backend: 'tpu', plotEvery: 10, example: 4 },
      confusion: 'none',
    }));
    const { state, problems } = readSavedState(raw);
    assert.ok(state);
    assert.equal(state.loss, undefined);
    assert.equal(state.settings, undefined);
    assert.equal(state.confusion, undefined);
    assert.deepEqual(state.accuracy, saved().accuracy, 'the valid fields survive');
    assert.equal(state.checkpoint, '/m/lenet5.ckpt.safetensors');
    assert.deepEqual(problems, [
      'ignored part of the panel\'s saved state: state.settings.backend: expected one of "auto", "webgpu", "cpu", got "tpu"',
      'ignored part of the panel\'s saved state: state.loss.x[2]: expected a number, got "six"',
      'ignored part of the panel\'s saved state: state.confusion: expected an array, got "none"',
    ]);
  });

  it('rejects series whose lengths do not agree', () => {
    const { state, problems } = readSavedState(saved({
      loss: { x: [1, 2, 3], y: [1, 2] },
      accuracy: { epoch: [1, 2], train: [0.5], test: [0.5, 0.6] },
      gradNorms: { names: ['layers.0', 'layers.3'], x: [10, 20], y: [[0.5, 0.4], [1.5]] },
    }));
    assert.ok(state);
    assert.equal(state.loss ?? state.accuracy ?? state.gradNorms, undefined);
    assert.match(problems[0], /state\.loss\.y: has 2 values, x has 3$/);
    assert.match(problems[1], /state\.accuracy\.train: has 1 values, epoch has 2$/);
    assert.match(problems[2], /state\.gradNorms\.y\[1\]: has 1 values, x has 2$/);
    const names = readSavedState(saved({ gradNorms: { names: ['layers.0'], x: [1], y: [[1], [2]] } }));
    assert.match(names.problems[0], /state\.gradNorms\.y: has 2 series for 1 names$/);
  });

  it('reports a missing field, and one from a state with every field wrong, without throwing', () => {
    const { gradcheck: _, ...rest } = saved();
    assert.match(readSavedState(rest).problems[0], /state\.gradcheck: expected an object, got undefined/);
    const garbage = { version: 1, modelUri: 'file:///m.cnn', settings: 7, status: 'exploded', progress: [], loss: null, accuracy: 'x', gradNorms: {}, confusion: [[-1]], gradcheck: 5, checkpoint: 42, folded: 'all', newton: [{ iteration: -1 }] };
    const { state, problems } = readSavedState(garbage);
    assert.deepEqual(state, { version: 1, modelUri: 'file:///m.cnn' });
    assert.equal(problems.length, 11, 'one per field');
  });

  it('reads a diverged loss (NaN, stored by JSON as null) back as NaN', () => {
    const raw = reloaded(saved({ loss: { x: [1, 2], y: [0.5, NaN] } }));
    const { state, problems } = readSavedState(raw);
    assert.deepEqual(problems, []);
    assert.equal(state?.loss?.y[0], 0.5);
    assert.ok(Number.isNaN(state?.loss?.y[1]));
  });

  it('reads back what a History saves', () => {
    const h = new History();
    for (let step = 1; step <= 2000; step++) h.loss.push(step, 1 / step);
    h.trainAccuracy(1, 0.5);
    h.addGradients(10, [{ name: 'layers.0.weight', norm: 3, min: 0, max: 1, counts: [1] }, { name: 'layers.0.bias', norm: 4, min: 0, max: 1, counts: [1] }]);
    const { state, problems } = readSavedState(reloaded(saved(h.saved())));
    assert.deepEqual(problems, []);
    assert.ok(state?.loss && state.loss.x.length <= 600, 'decimated to the saved budget');
    assert.deepEqual(state?.gradNorms, { names: ['layers.0'], x: [10], y: [[5]] });
  });
});

describe('webview: settings saved field by field', () => {
  const last = { epochs: 3, batch: 16, lr: 0.05, backend: 'cpu' as const, plotEvery: 10, example: 2 };

  it('keeps the last valid value of a field being edited and the current values of the others', () => {
    // The person cleared Epochs (invalid) after changing the learning rate: the rate is kept, epochs stays 3.
    assert.deepEqual(settingsToSave(last, { batch: 16, lr: 0.2, backend: 'cpu', plotEvery: 10, example: 2 }), { ...last, lr: 0.2 });
    assert.deepEqual(settingsToSave(last, { ...last, epochs: 7 }), { ...last, epochs: 7 });
  });

  it('saves nothing made up: no settings until every field has held a valid value', () => {
    assert.equal(settingsToSave(null, { lr: 0.1 }), null);
    assert.deepEqual(settingsToSave(null, last), last);
    assert.deepEqual(settingsToSave(last, { epochs: 0 } as never), last, 'an out-of-range value never replaces a valid one');
  });
});
