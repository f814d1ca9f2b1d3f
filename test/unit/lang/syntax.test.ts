// The parser: exact token ranges, continuation lines, quoting, spacing around '=', recovery.
import assert from 'node:assert/strict';
import { analyze, hoverMarkdown, parse } from '../../../src/lang';
import type { SettingArgument } from '../../../src/lang';
import { codes, only, tuple } from './util';

describe('syntax', () => {
  it('gives every token an exact half-open range', () => {
    const { tree, diagnostics } = parse('  conv 6 kernel=5   # five\n');
    assert.deepEqual(diagnostics, []);
    const [s] = tree.statements;
    assert.deepEqual(tuple(s.keyword.range), [0, 2, 0, 6]);
    assert.equal(s.keyword.text, 'conv');
    assert.equal(s.args[0].kind, 'positional');
    assert.deepEqual(tuple(s.args[0].range), [0, 7, 0, 8]);
    const setting = s.args[1] as SettingArgument;
    assert.deepEqual([setting.key.text, tuple(setting.key.range)], ['kernel', [0, 9, 0, 15]]);
    assert.deepEqual(tuple(setting.equals), [0, 15, 0, 16]);
    assert.deepEqual([setting.value!.text, tuple(setting.value!.range)], ['5', [0, 16, 0, 17]]);
    assert.deepEqual(tuple(s.range), [0, 2, 0, 17]);
    assert.deepEqual(tree.comments.map((c) => [c.text, tuple(c.range)]), [['# five', [0, 20, 0, 26]]]);
  });

  it('accepts spaces around =', () => {
    for (const [text, at] of [['conv 6 kernel = 5', 16], ['conv 6 kernel= 5', 15], ['conv 6 kernel =5', 15]] as const) {
      const s = parse(text).tree.statements[0];
      const setting = s.args[1] as SettingArgument;
      assert.equal(setting.kind, 'setting', text);
      assert.equal(setting.key.text, 'kernel');
      assert.equal(setting.value!.text, '5');
      assert.deepEqual(tuple(setting.value!.range), [0, at, 0, at + 1], text);
      assert.deepEqual(tuple(setting.key.range), [0, 7, 0, 13], text);
    }
    assert.deepEqual(analyze('input 1x28x28\nconv 6 kernel = 5\nflatten\ndense 10').layers[0].output, [6, 24, 24]);
  });

  it('a line starting with key=value continues the statement above, across comments and blank lines', () => {
    const text = 'input 1x28x28\nflatten\ndense 10\ntrain data=mnist\n  # the schedule\n\n  epochs=7 batch=32\n  lr=0.01\n';
    const a = analyze(text);
    assert.deepEqual(a.diagnostics, []);
    assert.equal(a.spec.train.epochs, 7);
    assert.equal(a.spec.train.batch, 32);
    assert.equal(a.spec.train.lr, 0.01);
    assert.deepEqual(a.spec.train.range, { start: { line: 3, character: 0 }, end: { line: 7, character: 9 } });
    const train = a.syntax.statements[3];
    assert.deepEqual([train.firstLine, train.lastLine], [3, 7]);
  });

  it('handles \\r\\n and lone \\r line breaks like the editor', () => {
    const a = analyze('input 1x28x28\r\nflatten\rdense 10\r\n');
    assert.deepEqual(a.diagnostics, []);
    assert.deepEqual(a.layers.map((l) => l.layer.line), [1, 2]);
  });

  it('reads double-quoted values without the quotes, with # and spaces inside', () => {
    const a = analyze('input 1x28x28\nflatten\ndense 10\ntrain data="idx:my data/#1"', { baseDir: '/models' });
    assert.deepEqual(a.diagnostics, []);
    assert.deepEqual(a.spec.train.data, { kind: 'idx', dir: '/models/my data/#1' });
  });

  it('accepts × in shapes and sizes', () => {
    const a = analyze('input 1×28×28\nconv 4 kernel=3×5\nflatten\ndense 10');
    assert.deepEqual(a.diagnostics, []);
    assert.deepEqual(a.layers[0].output, [4, 26, 24]);
  });

  it('recovers: a bad line in the middle keeps the layers and diagnostics after it', () => {
    const text = [
      'input 1x28x28',
      'conv 6 kernel=5',
      'relu x y',             // line 3: garbage
      'maxpool 2',
      'conv 16 kernel=abc',   // line 5: bad value
      'flatten',
      'dense 10 bias=nope',   // line 7: bad value
      'softmax',
    ].join('\n');
    const a = analyze(text);
    assert.deepEqual(a.spec.layers.map((l) => l.kind), ['conv', 'relu', 'maxpool', 'conv', 'flatten', 'dense', 'softmax']);
    assert.deepEqual(a.diagnostics.map((d) => [d.range.start.line, d.code]), [
      [2, 'too-many-arguments'], [2, 'too-many-arguments'],
      [4, 'not-a-number'],
      [6, 'invalid-value'],
    ]);
    // relu with stray arguments is unreadable: shapes flow on with its defaults, marked provisional
    // from there on, without cascading errors (conv 16 kernel=abc falls back to kernel 3).
    assert.deepEqual(a.layers.map((l) => l.output), [[6, 24, 24], [6, 24, 24], [6, 12, 12], [16, 10, 10], [1600], [10], [10]]);
    assert.deepEqual(a.layers.map((l) => l.provisional?.line ?? null), [null, 2, 2, 2, 2, 2, 2]);
    assert.match(a.layers[1].provisional!.reason, /assuming defaults for the unreadable arguments on line 3/);
    assert.equal(a.outputShape, null, 'a provisional output is not checked against the classes');
  });

  it('an unknown statement: later shapes assume it is skipped, marked provisional, with no shape diagnostics', () => {
    const a = analyze('input 1x28x28\nconv 6 kernel=5\nConv 16 kernel=5\nflatten\ndense 12\ntrain data=mnist');
    assert.deepEqual(codes(a), ['unknown-statement']);
    assert.deepEqual(a.layers.map((l) => l.output), [[6, 24, 24], [3456], [12]]);
    assert.deepEqual(a.layers.map((l) => l.provisional?.reason ?? null), [null, 'assuming line 3 (`Conv`) is skipped', 'assuming line 3 (`Conv`) is skipped']);
    assert.equal(a.outputShape, null);
    assert.match(hoverMarkdown(a.layers[1]), /- provisional: assuming line 3 \(`Conv`\) is skipped/);
    // A provisional layer with a shape problem reports nothing: the problem may be the guess's.
    assert.deepEqual(codes(analyze('input 1x28x28\nfoo\nconv 4 kernel=5 stride=2\nflatten\ndense 10')), ['unknown-statement']);
  });

  it('typing a new layer mid-model keeps every shape below it (provisional while the line is partial)', () => {
    const lenet = ['input 1x28x28', 'conv 6 kernel=5 pad=2', 'relu', 'maxpool 2', '%', 'conv 16 kernel=5', 'relu', 'maxpool 2', 'flatten', 'dense 10'];
    for (const partial of ['c', 'conv', 'conv 8', 'conv 8 kerne', 'conv 8 kernel=', 'conv 8 kernel=3', 'conv 8 kernel=3 pad=1']) {
      const text = lenet.join('\n').replace('%', partial);
      const a = analyze(text);
      const shown = a.layers.filter((l) => l.output !== null).length;
      assert.equal(shown, a.layers.length, `${partial}: every layer keeps a shape`);
      assert.ok(a.layers.every((l) => l.output !== null), partial);
    }
  });

  it('statements after an unknown one still get their own diagnostics', () => {
    const a = analyze('input 1x28x28\nfoo\nflatten\ndense 0\ntrain epochs=-1');
    assert.deepEqual(codes(a), ['unknown-statement', 'out-of-range', 'out-of-range']);
  });

  it('an unknown statement after the last layer makes the output unknown (no class check)', () => {
    const a = analyze('input 1x28x28\nflatten\ndense 12\nsofmax');
    assert.deepEqual(codes(a), ['unknown-statement']);
    assert.equal(a.outputShape, null);
    assert.equal(only(a, 'unknown-statement').message, 'line 4: unknown statement `sofmax`; did you mean `softmax`?');
  });

  it('parses the empty document and comment-only lines to nothing', () => {
    assert.deepEqual(parse('').tree, { statements: [], comments: [], lineCount: 1 });
    assert.equal(parse('# a\n   # b\n').tree.comments.length, 2);
    assert.equal(parse('# a\n   # b\n').tree.statements.length, 0);
  });

  it('a new, empty or comment-only file has no diagnostics (no red error before anything is written)', () => {
    for (const text of ['', '\n\n', '# my model\n', '  # a\n\n# b']) assert.deepEqual(analyze(text).diagnostics, [], JSON.stringify(text));
    assert.deepEqual(codes(analyze('flatten\ndense 10')), ['missing-input']);
  });
});
