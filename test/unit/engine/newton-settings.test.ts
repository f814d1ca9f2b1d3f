// optimizer=newton's `train` settings as the language reads them (through analyze()): simpleNN's
// names and defaults, their bounds, and the notes when they meet an optimizer that ignores them.

import * as assert from 'node:assert/strict';
import { analyze } from '../../../src/lang';
import { NEWTON_DEFAULTS } from '../../../src/lang/spec';

const MODEL = 'input 1x28x28\nflatten\ndense 10\n';
const codes = (text: string) => analyze(MODEL + text).diagnostics.map((d) => `${d.severity} ${d.code}`);

describe('newton settings', () => {
  it('default to simpleNN\'s options (C 0.01, GNsize 5%, xi 0.1, CGmax 250, lambda 1, drop 2/3, boost 3/2, eta 1e-4)', () => {
    assert.deepEqual(analyze(`${MODEL}train optimizer=newton`).spec.train.newton,
      { C: 0.01, gnSize: 0, xi: 0.1, cgMax: 250, lambda: 1, drop: 2 / 3, boost: 1.5, eta: 1e-4 });
    assert.deepEqual(analyze(MODEL).spec.train.newton, NEWTON_DEFAULTS);
  });

  it('reads every key, on continuation lines too, without notes when the optimizer is newton', () => {
    const a = analyze(`${MODEL}train optimizer=newton epochs=20 C=0.5 GNsize=512\n  xi=0.05 CGmax=40 lambda=0.3 drop=0.5 boost=2 eta=0.001`);
    assert.deepEqual(a.spec.train.newton, { C: 0.5, gnSize: 512, xi: 0.05, cgMax: 40, lambda: 0.3, drop: 0.5, boost: 2, eta: 0.001 });
    assert.equal(a.spec.train.epochs, 20);
    assert.deepEqual(a.diagnostics, []);
  });

  it('checks bounds at the value', () => {
    for (const bad of ['xi=1', 'drop=1', 'boost=1', 'eta=0', 'lambda=0', 'C=0', 'CGmax=0', 'GNsize=-1']) {
      assert.ok(codes(`train optimizer=newton ${bad}`).includes('error out-of-range'), bad);
    }
    assert.deepEqual(codes('train optimizer=newton CGmax=2.5'), ['error not-an-integer']);
  });

  it('lambda= and eta= with sgd/adam warn that they are not weight_decay and lr', () => {
    const a = analyze(`${MODEL}train optimizer=adam lambda=0.01 eta=0.1`);
    assert.deepEqual(a.diagnostics.map((d) => [d.code, d.fixes?.[0].title]),
      [['newton-setting-misread', 'Change to `weight_decay`'], ['newton-setting-misread', 'Change to `lr`']]);
    assert.match(a.diagnostics[0].message, /lambda is Newton's initial damping .* adam ignores it — did you mean weight_decay\?/);
    assert.equal(a.spec.train.weightDecay, 0, 'lambda does not set the L2 penalty');
  });

  it('other Newton keys with sgd get a note, C naming weight_decay', () => {
    const a = analyze(`${MODEL}train C=1 CGmax=10`);
    assert.deepEqual(a.diagnostics.map((d) => `${d.severity} ${d.code}`), ['info newton-only-setting', 'info newton-only-setting']);
    assert.match(a.diagnostics[0].message, /C only applies to optimizer=newton; sgd ignores it \(its L2 penalty is weight_decay\)/);
  });

  it('newton notes the step-size and L2 keys it ignores, and momentum', () => {
    assert.deepEqual(codes('train optimizer=newton lr=0.1 decay=0.1 weight_decay=0.01 momentum=0.5'),
      ['info ignored-by-newton', 'info ignored-by-newton', 'info ignored-by-newton', 'info momentum-unused']);
    assert.deepEqual(codes('train optimizer=newton'), [], 'no "cannot run it yet" warning any more');
  });

  it('lower-case and habitual spellings are offered the real key', () => {
    const message = (text: string) => analyze(MODEL + text).diagnostics[0].message;
    assert.match(message('train optimizer=newton gnsize=100'), /unknown parameter `gnsize`; did you mean `GNsize`\?/);
    assert.match(message('train optimizer=newton cg_max=100'), /did you mean `CGmax`\?/);
    assert.match(message('train optimizer=newton iter_max=100'), /did you mean `epochs`\?/);
    assert.match(message('train optimizer=newton damping=2'), /did you mean `lambda`\?/);
  });
});
