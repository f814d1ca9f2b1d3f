// Trainer settings: a train statement's values, per-run overrides on top, refused when out of range.

import * as assert from 'node:assert/strict';
import { DEFAULT_TRAIN, type TrainSettings } from '../../../../src/lang/spec';
import { TrainError } from '../../../../src/engine/train/errors';
import { resolveSettings } from '../../../../src/engine/train/settings';

const train: TrainSettings = { ...DEFAULT_TRAIN, epochs: 4, batch: 16, lr: 0.1, validation: 0.1 };

describe('train: settings', () => {
  it('takes the train statement and lets overrides win', () => {
    assert.deepEqual(resolveSettings(train), {
      epochs: 4, batch: 16, optimizer: 'sgd', lr: 0.1, momentum: DEFAULT_TRAIN.momentum, decay: 0, weightDecay: 0,
      seed: DEFAULT_TRAIN.seed, validation: 0.1,
    });
    const s = resolveSettings(train, { lr: 0.5, epochs: 1, validation: 0 });
    assert.deepEqual([s.lr, s.epochs, s.validation, s.batch], [0.5, 1, 0, 16]);
  });

  it('reads a separate validation data set as no held-out fraction', () => {
    assert.equal(resolveSettings({ ...train, validation: { kind: 'mnist' } }).validation, 0);
  });

  it('refuses values out of range with a TrainError that names them', () => {
    const refused = (overrides: Parameters<typeof resolveSettings>[1], message: RegExp) =>
      assert.throws(() => resolveSettings(train, overrides), (e: unknown) => e instanceof TrainError && e.name === 'TrainError' && message.test(e.message));
    refused({ epochs: 0 }, /epochs must be a positive integer, got 0/);
    refused({ batch: 2.5 }, /batch must be a positive integer, got 2\.5/);
    refused({ lr: 0 }, /lr must be a positive number, got 0/);
    refused({ lr: Infinity }, /lr must be a positive number/);
    refused({ momentum: 1 }, /momentum must be in \[0, 1\), got 1/);
    refused({ decay: -1 }, /decay must be ≥ 0, got -1/);
    refused({ weightDecay: NaN }, /weight decay must be ≥ 0, got NaN/);
    refused({ validation: 1 }, /validation fraction must be in \[0, 1\), got 1/);
  });
});
