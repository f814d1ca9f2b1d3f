// A panel in step with its model file: what the host tells the page after the file changed.

import * as assert from 'node:assert/strict';
import { modelChange } from '../../../src/extension/panel/model-sync';
import { analyze } from '../../../src/lang';
import type { ModelPayload } from '../../../src/protocol';

const MODEL = 'input 1x28x28\nconv 4 kernel=3\nrelu\nflatten\ndense 10\nsoftmax\ntrain epochs=3 batch=16 lr=0.05\n';

function payload(text: string): ModelPayload {
  const a = analyze(text);
  return { name: 'm', path: '/m.cnn', uri: 'file:///m.cnn', text, spec: a.spec, layers: [], totalParams: a.totalParams };
}

describe('extension: the panel in step with its model file', () => {
  const loaded = payload(MODEL);

  it('says nothing while the file means the same network and settings (comments, blank lines)', () => {
    assert.equal(modelChange(loaded, analyze(`# LeNet-ish\n${MODEL.replace('relu\n', 'relu   # nonlinearity\n\n')}`), null), null);
  });

  it('reports a changed network with its new parameter count', () => {
    const m = modelChange(loaded, analyze(MODEL.replace('conv 4', 'conv 8')), null);
    assert.ok(m);
    assert.equal(m.networkChanged, true);
    assert.equal(m.parameters, analyze(MODEL.replace('conv 4', 'conv 8')).totalParams);
    assert.notEqual(m.parameters, loaded.totalParams);
  });

  it('reports changed train settings without calling the network changed, and each news once', () => {
    const now = analyze(MODEL.replace('epochs=3', 'epochs=5'));
    const m = modelChange(loaded, now, null);
    assert.deepEqual(m, { type: 'modelChanged', networkChanged: false, parameters: loaded.totalParams, errors: 0, train: { epochs: 5, batch: 16, lr: 0.05 } });
    assert.equal(modelChange(loaded, now, m), null, 'the same news is not sent again');
    const back = modelChange(loaded, analyze(MODEL), m);
    assert.equal(back?.networkChanged, false, 'back to the loaded file');
    assert.equal(back?.train.epochs, 3);
  });

  it('reports a file with errors as changed, with the error count and no parameter count', () => {
    const m = modelChange(loaded, analyze(MODEL.replace('kernel=3', 'kernel=30')), null);
    assert.equal(m?.networkChanged, true);
    assert.equal(m?.parameters, null);
    assert.ok((m?.errors ?? 0) >= 1);
  });
});
