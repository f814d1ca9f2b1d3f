// Values: data specs and path resolution, bounds messages, suggestions.
import assert from 'node:assert/strict';
import { analyze } from '../../../src/lang';
import { editDistance, suggest } from '../../../src/lang/suggest';
import { resolvePath } from '../../../src/lang/values';
import { codes, only } from './util';

const model = (train: string) => `input 1x28x28\nflatten\ndense 10\ntrain ${train}`;

describe('values', () => {
  it('resolves relative data paths against the model folder by string join only', () => {
    assert.equal(resolvePath('/home/u/models', 'data/mnist'), '/home/u/models/data/mnist');
    assert.equal(resolvePath('/home/u/models', './data/../mnist'), '/home/u/models/mnist');
    assert.equal(resolvePath('/home/u/models', '../../../../x'), '/x');
    assert.equal(resolvePath('/home/u/models', '/abs/dir'), '/abs/dir');
    assert.equal(resolvePath('C:\\work\\models', 'data\\cifar'), 'C:\\work\\models\\data\\cifar');
    assert.equal(resolvePath('C:\\work\\models', 'D:\\cifar'), 'D:\\cifar');
    assert.equal(resolvePath(undefined, 'data'), 'data');
    assert.equal(resolvePath('models', '../data'), 'data');
  });

  it('expands ~/ in data paths to the home folder, and refuses it clearly when the home folder is unknown', () => {
    const data = (spec: string, homeDir?: string) => analyze(model(`data=${spec}`), { baseDir: '/m', homeDir });
    assert.deepEqual(data('idx:~/mnist', '/home/ann').spec.train.data, { kind: 'idx', dir: '/home/ann/mnist' });
    assert.deepEqual(data('cifar10:~', '/home/ann').spec.train.data, { kind: 'cifar10', dir: '/home/ann' });
    assert.deepEqual(data('libsvm:~/a.txt,~/b.txt', 'C:\\Users\\ann').spec.train.data,
      { kind: 'libsvm', train: 'C:\\Users\\ann\\a.txt', test: 'C:\\Users\\ann\\b.txt' });
    const unknown = data('idx:~/mnist').diagnostics.find((d) => d.code === 'invalid-value');
    assert.match(unknown!.message, /`~\/mnist`: the home folder is not known here, so `~` cannot be expanded; write the full path/);
    const other = data('idx:~bob/mnist', '/home/ann').diagnostics.find((d) => d.code === 'invalid-value');
    assert.match(other!.message, /only `~\/` \(your home folder\) is expanded, not `~user`/);
  });

  it('reads every data spec form', () => {
    const data = (spec: string) => analyze(model(`data=${spec}`), { baseDir: '/m' }).spec.train.data;
    assert.deepEqual(data('mnist'), { kind: 'mnist' });
    assert.deepEqual(data('idx:d'), { kind: 'idx', dir: '/m/d' });
    assert.deepEqual(data('cifar10:../c'), { kind: 'cifar10', dir: '/c' });
    assert.deepEqual(data('libsvm:a.txt'), { kind: 'libsvm', train: '/m/a.txt' });
    assert.deepEqual(data('libsvm:a.txt,/t/b.txt'), { kind: 'libsvm', train: '/m/a.txt', test: '/t/b.txt' });
  });

  it('knows classes only for named data sets', () => {
    assert.equal(analyze(model('data=mnist')).classes, 10);
    assert.equal(analyze('input 3x32x32\nflatten\ndense 10\ntrain data=cifar10:c').classes, 10);
    assert.equal(analyze(model('data=idx:d')).classes, null);
    assert.equal(analyze(model('data=libsvm:a')).classes, null);
  });

  it('rejects malformed data specs with a suggestion where one is obvious', () => {
    const cases: [string, string, string | undefined][] = [
      ['mnst', "train (line 4): `data` must be mnist, idx:DIR, cifar10:DIR or libsvm:TRAIN[,TEST], not `mnst`; did you mean `mnist`?", 'mnist'],
      ['idx:', 'train (line 4): `data=idx` needs a folder: idx:DIR', undefined],
      ['mnist:files', 'train (line 4): `mnist` is built in and takes no path; for MNIST files on disk write idx:files', 'idx:files'],
      ['libsvm:a,', 'train (line 4): `data=libsvm` needs libsvm:TRAIN or libsvm:TRAIN,TEST, not `libsvm:a,`', undefined],
      ['cifar:x', "train (line 4): `data` must be mnist, idx:DIR, cifar10:DIR or libsvm:TRAIN[,TEST], not `cifar:x`; did you mean `cifar10:x`?", 'cifar10:x'],
    ];
    for (const [spec, message, suggestion] of cases) {
      const d = only(analyze(model(`data=${spec}`)), 'invalid-value');
      assert.equal(d.message, message);
      assert.equal(d.fixes?.[0].edits[0].newText, suggestion);
    }
  });

  it('validation takes a fraction or a data set', () => {
    assert.equal(analyze(model('validation=0.2')).spec.train.validation, 0.2);
    assert.deepEqual(analyze(model('validation=idx:v'), { baseDir: '/m' }).spec.train.validation, { kind: 'idx', dir: '/m/v' });
    assert.equal(only(analyze(model('validation=1')), 'out-of-range').message, 'train (line 4): `validation` must be in [0, 1), not 1');
    assert.equal(only(analyze(model('validation=most')), 'invalid-value').message,
      'train (line 4): `validation` takes a fraction in [0, 1) or a data set spec (idx:DIR, cifar10:DIR, libsvm:FILE), not `most`');
  });

  it('states the violated bound', () => {
    const message = (text: string, code: string) => only(analyze(text), code).message;
    assert.equal(message(model('lr=0'), 'out-of-range'), 'train (line 4): `lr` must be > 0, not 0');
    assert.equal(message(model('momentum=-0.1'), 'out-of-range'), 'train (line 4): `momentum` must be in [0, 1), not -0.1');
    assert.equal(message(model('epochs=2000000'), 'out-of-range'), 'train (line 4): `epochs` must be ≤ 1000000, not 2000000'.replace('1000000', '1,000,000'));
    assert.equal(message('input 1x28x28\nconv 4 kernel=0\nflatten\ndense 10', 'out-of-range'), 'conv (line 2): `kernel` must be ≥ 1, not 0');
    assert.equal(message('input 1x28x28\nconv 4 pad=-1\nflatten\ndense 10', 'out-of-range'), 'conv (line 2): `pad` must be ≥ 0, not -1');
    assert.equal(message('input 1x28x28\nconv 4 kernel=3x\nflatten\ndense 10', 'not-a-number'), 'conv (line 2): `kernel` takes K or KxK with whole numbers, not `3x`');
    assert.equal(message('input 1x28x28\nconv 4 stride=1.5\nflatten\ndense 10', 'not-an-integer'), 'conv (line 2): `stride` takes K or KxK with whole numbers, not 1.5');
  });

  it('a shape without channels suggests adding them', () => {
    const d = only(analyze('input 28x28\nflatten\ndense 10'), 'invalid-value');
    assert.equal(d.message, 'input (line 1): the input shape is channels×height×width, e.g. 1x28x28, not `28x28` (channels missing)');
    assert.equal(d.fixes![0].edits[0].newText, '1x28x28');
  });

  it('booleans suggest the lower-case word', () => {
    const d = only(analyze('input 1x28x28\nflatten\ndense 10 bias=False'), 'invalid-value');
    assert.equal(d.fixes![0].edits[0].newText, 'false');
    assert.equal(analyze('input 1x28x28\nflatten\ndense 10 bias=false').spec.layers[1].kind === 'dense' && (analyze('input 1x28x28\nflatten\ndense 10 bias=false').spec.layers[1] as { bias: boolean }).bias, false);
  });

  it('suggests by case, alias and spelling', () => {
    assert.equal(editDistance('kernal', 'kernel'), 1);
    assert.equal(editDistance('ekrnel', 'kernel'), 1); // adjacent swap
    assert.equal(suggest('Conv', [{ name: 'conv' }]), 'conv');
    assert.equal(suggest('padding', [{ name: 'pad', aliases: ['padding'] }]), 'pad');
    assert.equal(suggest('xyzzy', [{ name: 'conv' }, { name: 'dense' }]), undefined);
    const a = analyze('input 1x28x28\nconv 4 padding=1 kernel_size=3\nlinear 10');
    assert.deepEqual(a.diagnostics.map((d) => d.message), [
      'conv (line 2): unknown parameter `padding`; did you mean `pad`?',
      'conv (line 2): unknown parameter `kernel_size`; did you mean `kernel`?',
      'line 3: unknown statement `linear`; did you mean `dense`?',
    ]);
    assert.deepEqual(codes(analyze('input 1x28x28\nflatten\ndense 10\nepochs 3')), ['unknown-statement']);
    assert.equal(analyze('input 1x28x28\nflatten\ndense 10\nepochs 3').diagnostics[0].message,
      'line 4: `epochs` is a `train` setting; write it as epochs=VALUE on a `train` line');
  });
});
