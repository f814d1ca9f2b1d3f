// What the panel asks before reading workspace data in an untrusted workspace, and what it says when a
// model has no `train` statement (the defaults are never silent).
import * as assert from 'node:assert/strict';
import { analyze } from '../../../src/lang';
import { dataFiles, defaultTrainingNotice, untrustedDataQuestion } from '../../../src/extension/panel/summaries';

describe('panel: untrusted workspaces and default training', () => {
  it('asks before reading workspace data, never for the built-in MNIST', () => {
    assert.equal(untrustedDataQuestion('lenet5', { kind: 'mnist' }), null);
    assert.equal(untrustedDataQuestion('cifar', { kind: 'cifar10', dir: '/w/data/cifar' }),
      'This workspace is not trusted. Training cifar reads its cifar10 data from /w/data/cifar. Train anyway?');
    assert.deepEqual(dataFiles({ kind: 'libsvm', train: '/w/a.txt', test: '/w/b.txt' }), ['/w/a.txt', '/w/b.txt']);
  });

  it('says which defaults a model without `train` trains with', () => {
    const without = analyze('input 1x28x28\nflatten\ndense 10').spec;
    assert.equal(defaultTrainingNotice('tiny', without),
      'tiny has no `train` statement, so it trains on the built-in MNIST with the defaults: 3 epochs, batch 64, sgd at lr 0.05, momentum 0.9, seed 1. Add a `train` line to choose.');
    assert.equal(defaultTrainingNotice('tiny', analyze('input 1x28x28\nflatten\ndense 10\ntrain epochs=1').spec), null);
  });
});

describe('panel: which checkpoint files the page may name', () => {
  it('only the model\'s own checkpoints beside it', async () => {
    const { isModelCheckpoint } = await import('../../../src/extension/panel/summaries');
    assert.equal(isModelCheckpoint('/w/m/lenet5.cnn', '/w/m/lenet5.ckpt.safetensors'), true);
    assert.equal(isModelCheckpoint('/w/m/lenet5.cnn', '/w/m/lenet5.step-000377.ckpt.safetensors'), true);
    assert.equal(isModelCheckpoint('/w/m/lenet5.cnn', '/w/m/../m/lenet5.step-000377.ckpt.safetensors'), true);
    for (const other of ['/etc/passwd', '/w/m/other.ckpt.safetensors', '/w/lenet5.ckpt.safetensors',
      '/w/m/lenet5.step-1/../../../etc/x.ckpt.safetensors', '/w/m/lenet5.step-abc.ckpt.safetensors']) {
      assert.equal(isModelCheckpoint('/w/m/lenet5.cnn', other), false, other);
    }
  });
});
