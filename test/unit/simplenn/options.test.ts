// simpleNN's option strings (cnn_train's `options`) as `train` settings: names, -s numbers, simpleNN's
// own defaults per solver, what is dropped and why, and clear errors naming the option.
import assert from 'node:assert/strict';
import { analyze, SimpleNNOptionError, simpleNNOptions } from '../../../src/lang';

const settings = (text: string) => Object.fromEntries(simpleNNOptions(text).settings.map((s) => [s.key, s.value]));

describe('simpleNN options', () => {
  it('no options is simpleNN\'s default run: Newton with its defaults from cnn_train.m', () => {
    assert.deepEqual(settings(''), {
      optimizer: 'newton', C: '0.01', batch: '128', epochs: '100', xi: '0.1', CGmax: '250', lambda: '1',
      drop: String(2 / 3), boost: '1.5', eta: '0.0001',
    });
    const notes = simpleNNOptions('').notes.join('\n');
    assert.match(notes, /epochs is simpleNN's -iter_max/);
    assert.match(notes, /GNsize is left at its default, 5 % of the training examples/);
  });

  it('reads every Newton option, fractions as str2num does, and the seed', () => {
    const o = simpleNNOptions('-s 1 -C 0.1 -bsize 256 -GNsize 4096 -iter_max 20 -xi 0.05 -CGmax 100 -lambda 2 -drop 2/3 -boost 3/2 -eta 1e-4 -seed 7');
    assert.equal(o.trainText, 'optimizer=newton C=0.1 batch=256 epochs=20 xi=0.05 CGmax=100 lambda=2 drop=0.6666666666666666 boost=1.5 eta=0.0001 GNsize=4096 seed=7');
  });

  it('-s 2 is stochastic gradient with simpleNN\'s momentum 0 and lr 0.01; -s 3 is Adam; Newton-only options are dropped with a note', () => {
    assert.deepEqual(settings('-s 2'), { optimizer: 'sgd', batch: '128', epochs: '500', lr: '0.01', decay: '0', momentum: '0' });
    const sgd = simpleNNOptions('-s 2 -lr 0.05 -momentum 0.9 -decay 1e-3 -epoch_max 3 -iter_max 9 -xi 0.2 -C 0.01');
    assert.equal(sgd.trainText, 'optimizer=sgd batch=128 epochs=3 lr=0.05 decay=0.001 momentum=0.9');
    assert.deepEqual(sgd.notes, [
      '-iter_max is ignored: simpleNN\'s sgd solver counts its passes with -epoch_max',
      '-xi is ignored: only Newton\'s method (-s 1) uses it',
      '-C is not carried over: ConvLab\'s C is Newton\'s; for the same penalty simpleNN\'s sgd applies, write weight_decay=1/(C·l) with l the number of training examples',
    ]);
    assert.deepEqual(settings('-s 3 -momentum 0.5'), { optimizer: 'adam', batch: '128', epochs: '100', lr: '0.001' });
  });

  it('notes the options ConvLab has no use for instead of failing', () => {
    const o = simpleNNOptions('-s 1 -ftype 1 -gpu_use 0 -Jacobian 1');
    assert.equal(o.settings[0].value, 'newton');
    assert.deepEqual(o.notes.slice(0, 3).map((n) => n.split(':')[0]), ['-ftype is ignored', '-gpu_use is ignored', '-Jacobian is ignored']);
  });

  it('refuses unknown options, missing values, bad numbers and solvers, naming the option', () => {
    const cases: [string, RegExp][] = [
      ['-lr', /come in pairs `-name value`; `-lr` has no value/],
      ['-learning_rate 0.1', /^-learning_rate is not a simpleNN option; the options are -s -C -bsize/],
      ['-SR 0.05', /^-SR \(the sampling rate of older simpleNN versions\) is not supported; .* -GNsize/],
      ['-lr fast', /^-lr: `fast` is not a number$/],
      ['-bsize 12.5', /^-bsize: 12\.5 is not a whole number$/],
      ['-s 4', /^-s: 4 is not a simpleNN solver; use 1 \(Newton\), 2 .* or 3 \(Adam\)$/],
      ['-C 0', /^-C: 0 must be above 0/],
      ['-momentum -1', /^-momentum: -1 is below 0$/],
    ];
    for (const [text, message] of cases) {
      assert.throws(() => simpleNNOptions(text), (err: unknown) => err instanceof SimpleNNOptionError && message.test(err.message), text);
    }
  });

  it('the train line it writes is one the language accepts, for each solver', () => {
    for (const options of ['-s 1 -GNsize 64 -iter_max 2', '-s 2 -lr 0.05 -momentum 0.9 -epoch_max 2', '-s 3 -iter_max 2']) {
      const a = analyze(`input 1x28x28\nflatten\ndense 10\nloss mse\ntrain data=mnist ${simpleNNOptions(options).trainText}\n`);
      assert.deepEqual(a.diagnostics.filter((d) => d.severity !== 'info').map((d) => d.message), [], options);
      assert.equal(a.spec.train.epochs, 2, options);
    }
  });
});
