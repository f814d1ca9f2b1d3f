import { strict as assert } from 'node:assert';
import { analyze } from '../../../src/lang';
import { DATA_PATH_MISSING, dataPaths, missingDataDiagnostic } from '../../../src/extension/dataPaths';

const DIGITS = ['input 1x28x28', 'flatten', 'dense 10'];

describe('data paths checked in the editor', () => {
  it('lists the folder of idx: and cifar10: data with the range of the value that names it', () => {
    const a = analyze([...DIGITS, 'train data=idx:data/mnist-raw epochs=1'].join('\n'), { baseDir: '/models' });
    const paths = dataPaths(a);
    assert.deepEqual(paths, [{
      path: '/models/data/mnist-raw', what: 'folder', kind: 'idx', key: 'data',
      range: { start: { line: 3, character: 11 }, end: { line: 3, character: 29 } },
    }]);
    const cifar = analyze(['input 3x32x32', 'flatten', 'dense 10', 'train data=cifar10:data/cifar'].join('\n'), { baseDir: '/m' });
    assert.deepEqual(dataPaths(cifar).map((p) => [p.path, p.kind]), [['/m/data/cifar', 'cifar10']]);
  });

  it('lists both libsvm files and a validation set, and nothing for the built-in digits', () => {
    const a = analyze([...DIGITS, 'train data=libsvm:a.txt,b.txt validation=idx:val'].join('\n'), { baseDir: '/m' });
    assert.deepEqual(dataPaths(a).map((p) => [p.key, p.what, p.path]), [
      ['data', 'file', '/m/a.txt'], ['data', 'file', '/m/b.txt'], ['validation', 'folder', '/m/val'],
    ]);
    assert.deepEqual(dataPaths(analyze([...DIGITS, 'train data=mnist validation=0.1'].join('\n'))), []);
    assert.deepEqual(dataPaths(analyze(DIGITS.join('\n'))), []);
  });

  it('warns about a missing path, offering data=mnist when the input is 1×28×28', () => {
    const a = analyze([...DIGITS, 'train data=idx:data/mnist-raw'].join('\n'), { baseDir: '/models' });
    const [p] = dataPaths(a);
    const d = missingDataDiagnostic(p!, a.spec.input);
    assert.equal(d.code, DATA_PATH_MISSING);
    assert.equal(d.severity, 'warning');
    assert.match(d.message, /^The folder \/models\/data\/mnist-raw does not exist: .*docs\/data\.md/);
    assert.deepEqual(d.fixes, [{ title: 'Use data=mnist (the built-in digits)', edits: [{ range: p!.range, newText: 'mnist' }] }]);
  });

  it('says where to get CIFAR-10, and offers no digits for colour images', () => {
    const a = analyze(['input 3x32x32', 'flatten', 'dense 10', 'train data=cifar10:data/cifar'].join('\n'), { baseDir: '/m' });
    const d = missingDataDiagnostic(dataPaths(a)[0]!, a.spec.input);
    assert.match(d.message, /download the binary version .* from https:\/\/www\.cs\.toronto\.edu\/~kriz\/cifar\.html/);
    assert.equal(d.fixes, undefined);
  });
});
