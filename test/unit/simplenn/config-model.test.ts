// A .config as a model: the .cnn it becomes, its shapes and parameter counts (expected values worked
// out by hand with simpleNN's formulas from cnn/train.m), and every diagnostic landing on the
// .config entry it is about, with fixes turned into edits of that entry.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { analyze, analyzeConfig, CONFIG_DIAGNOSTIC_CODES, configToCnn, DIAGNOSTIC_CODES, type Range } from '../../../src/lang';

const root = join(__dirname, '../../../..');
const fixture = (name: string) => readFileSync(join(root, 'test/fixtures/simplenn', name), 'utf8');
type Tuple = [number, number, number, number];
const tuple = (r: Range): Tuple => [r.start.line, r.start.character, r.end.line, r.end.character];

/** A one-conv-layer .config with some fields replaced ('' leaves a field out). */
function config(fields: Record<string, string> = {}): string {
  const all: Record<string, string> = {
    L: '2', LC: '1', LF: '1', wd_input: '28', ht_input: '28', ch_input: '[1,4]', wd_pad_added: '[0]',
    wd_filter: '[5]', strides: '[1]', wd_subimage_pool: '[2]', full_neurons: '[10]', ...fields,
  };
  return Object.entries(all).filter(([, v]) => v !== '').map(([k, v]) => `${k} = ${v};`).join('\n');
}

function applyEdits(text: string, edits: readonly { range: Range; newText: string }[]): string {
  const lines = text.split('\n');
  for (const e of [...edits].sort((a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character)) {
    assert.equal(e.range.start.line, e.range.end.line);
    const l = lines[e.range.start.line];
    lines[e.range.start.line] = l.slice(0, e.range.start.character) + e.newText + l.slice(e.range.end.character);
  }
  return lines.join('\n');
}

describe('simpleNN .config model', () => {
  it('simpleNN\'s demo (mnist-demo-layer4) has its shapes and 62,026 parameters, and a warning on the third pool', () => {
    const a = analyzeConfig(fixture('mnist-demo-layer4.config'));
    // 28 +2·2 −5 +1 = 28, pool 2 → 14; 14 +2 −3 +1 = 14 → 7; 7 +2 −3 +1 = 7 → ⌊7/2⌋ = 3.
    assert.deepEqual(a.layers.map((l) => [l.layer.kind, l.output]), [
      ['conv', [32, 28, 28]], ['relu', [32, 28, 28]], ['maxpool', [32, 14, 14]],
      ['conv', [64, 14, 14]], ['relu', [64, 14, 14]], ['maxpool', [64, 7, 7]],
      ['conv', [64, 7, 7]], ['relu', [64, 7, 7]], ['maxpool', [64, 3, 3]],
      ['flatten', [576]], ['dense', [10]],
    ]);
    // 32(5·5·1+1) + 64(3·3·32+1) + 64(3·3·64+1) + 10(3·3·64+1)
    assert.deepEqual(a.layers.filter((l) => l.params > 0).map((l) => l.params), [832, 18496, 36928, 5770]);
    assert.equal(a.totalParams, 62026);
    assert.deepEqual(a.outputShape, [10]);
    assert.equal(a.spec.loss.kind, 'mse');
    assert.deepEqual(a.spec.input, [1, 28, 28]);
    // simpleNN floors 7/2 as well, so this is a warning about what both drop, not an error.
    assert.deepEqual(a.diagnostics.map((d) => [d.code, d.severity, ...tuple(d.range)]), [['pool-window-not-tiling', 'warning', 14, 24, 14, 25]]);
    const d = a.diagnostics[0];
    assert.match(d.message, /^pooling of conv layer 3 \(line 15\): the 2×2 window with stride 2 does not tile the 7×7 input: .* = 3\.5 are not integers; the last row and column are dropped \(simpleNN floors the pooled size the same way\)$/);
    assert.deepEqual(d.related!.map((r) => [tuple(r.range), r.message]), [[[10, 20, 10, 22], 'conv layer 3 (line 11) produces the 64×7×7 input']]);
    assert.equal(d.fixes, undefined, 'a pooling stride other than its window has no .config form');
  });

  it('puts each layer on the .config entry that defines it (for hints and hovers)', () => {
    const a = analyzeConfig(fixture('mnist-demo-layer4.config'));
    const at = (i: number) => tuple(a.spec.layers[i].range);
    assert.deepEqual(at(0), [10, 14, 10, 16], 'conv 1 at ch_input(2) = 32');
    assert.deepEqual(at(1), [10, 14, 10, 16], 'its relu too');
    assert.deepEqual(at(2), [14, 20, 14, 21], 'pool 1 at wd_subimage_pool(1)');
    assert.deepEqual(at(6), [10, 20, 10, 22], 'conv 3 at ch_input(4)');
    assert.deepEqual(at(9), [15, 0, 15, 12], 'flatten at the name full_neurons');
    assert.deepEqual(at(10), [15, 16, 15, 18], 'dense at full_neurons(1)');
    assert.deepEqual(a.layers.map((l) => l.layer.line), a.spec.layers.map((l) => l.range.start.line));
    assert.equal(a.spec.loss.line, 15);
  });

  it('a CIFAR-shaped config: 136,874 parameters, and a note that without data it would train on MNIST', () => {
    const a = analyzeConfig(fixture('cifar-small.config'));
    assert.deepEqual(a.layers.map((l) => l.output), [[16, 32, 32], [16, 32, 32], [16, 16, 16], [32, 16, 16], [32, 16, 16], [32, 8, 8], [2048], [64], [64], [10]]);
    // 16(3·3·3+1) + 32(3·3·16+1) + 64(32·8·8+1) + 10(64+1)
    assert.equal(a.totalParams, 448 + 4640 + 131136 + 650);
    assert.equal(a.totalParams, 136874);
    assert.deepEqual(a.layers.map((l) => l.layer.kind), ['conv', 'relu', 'maxpool', 'conv', 'relu', 'maxpool', 'flatten', 'dense', 'relu', 'dense']);
    assert.deepEqual(a.diagnostics.map((d) => [d.code, d.severity, ...tuple(d.range)]), [['config-no-data', 'info', 7, 12, 7, 13]]);
    assert.match(a.diagnostics[0].message, /built-in MNIST \(1×28×28\), which this 3×32×32 input does not fit/);
    // With a data set that fits there is nothing to say.
    assert.deepEqual(analyzeConfig(fixture('cifar-small.config'), { train: 'data=cifar10:data' }).diagnostics, []);
  });

  it('wd_subimage_pool 1 means no pooling layer at all', () => {
    const a = analyzeConfig(fixture('no-pool.config'));
    // (28 − 4)/2 + 1 = 13; (13 + 2 − 3)/2 + 1 = 7
    assert.deepEqual(a.layers.map((l) => [l.layer.kind, l.output]), [
      ['conv', [8, 13, 13]], ['relu', [8, 13, 13]], ['conv', [16, 7, 7]], ['relu', [16, 7, 7]], ['flatten', [784]], ['dense', [10]],
    ]);
    assert.equal(a.totalParams, 8 * (4 * 4 + 1) + 16 * (3 * 3 * 8 + 1) + 10 * (784 + 1));
    assert.deepEqual(a.diagnostics, []);
  });

  it('the generated .cnn is the same model under the ordinary analyze(), and configToCnn writes it with a header', () => {
    const text = fixture('mnist-demo-layer4.config');
    const a = analyzeConfig(text);
    const cnn = analyze(a.cnn);
    assert.equal(cnn.totalParams, a.totalParams);
    assert.deepEqual(cnn.layers.map((l) => l.output), a.layers.map((l) => l.output));
    assert.equal(a.cnn, 'input 1x28x28\nconv 32 kernel=5 pad=2 stride=1\nrelu\nmaxpool 2\nconv 64 kernel=3 pad=1 stride=1\nrelu\nmaxpool 2\n' +
      'conv 64 kernel=3 pad=1 stride=1\nrelu\nmaxpool 2\nflatten\ndense 10\nloss mse\n');
    const converted = configToCnn(text, { source: 'demo.config', train: 'data=mnist epochs=1' });
    assert.match(converted, /^# Converted from the simpleNN model demo\.config by `convlab convert`\.\n/);
    assert.match(converted, /\nloss mse\ntrain data=mnist epochs=1\n$/);
    assert.equal(analyze(converted).totalParams, 62026);
  });

  it('structural mistakes land on the .config: L ≠ LC + LF (with a fix), a short vector, a non-integer filter', () => {
    const text = fixture('broken.config');
    const a = analyzeConfig(text);
    assert.deepEqual(a.diagnostics.map((d) => [d.code, ...tuple(d.range)]), [
      ['config-layer-count', 1, 4, 1, 5],
      ['config-vector-length', 7, 15, 7, 18],
      ['not-an-integer', 8, 15, 8, 18],
    ]);
    const [count, length, fraction] = a.diagnostics;
    assert.equal(count.message, 'L (line 2): L = 4 but LC + LF = 2 + 1 = 3; simpleNN\'s L counts every convolutional and fully-connected layer');
    assert.deepEqual(count.related!.map((r) => tuple(r.range)), [[2, 0, 2, 7], [3, 0, 3, 7]]);
    assert.ok(!analyzeConfig(applyEdits(text, count.fixes![0].edits)).diagnostics.some((d) => d.code === 'config-layer-count'));
    assert.match(length.message, /^wd_pad_added \(line 8\): has 1 entry but needs LC = 2/);
    assert.match(fraction.message, /^conv layer 2 \(line 7\): `wd_filter` takes/);
    // Layers after the missing wd_pad_added entry are shown, but marked as resting on a guess.
    assert.equal(a.layers[0].provisional, undefined);
    assert.deepEqual(a.layers[3].provisional, { line: 7, reason: 'wd_pad_added has no entry 2; conv layer 2 is shown without padding' });
  });

  it('a bad value is reported on its own entry, in .config words', () => {
    const cases: [Record<string, string>, string, Tuple, RegExp][] = [
      [{ ht_input: '28.5' }, 'not-an-integer', [4, 11, 4, 15], /^input \(line 6\): .* not 1x28\.5x28$/],
      [{ wd_pad_added: '[-1]' }, 'out-of-range', [6, 16, 6, 18], /^conv layer 1 \(line 6\): `wd_pad_added` must be ≥ 0, not -1$/],
      [{ wd_subimage_pool: '[0]' }, 'out-of-range', [9, 20, 9, 21], /^pooling of conv layer 1 \(line 10\): `wd_subimage_pool` must be ≥ 1, not 0$/],
      [{ ch_input: '[1,0]' }, 'out-of-range', [5, 14, 5, 15], /^conv layer 1 \(line 6\): `ch_input` must be ≥ 1, not 0$/],
    ];
    for (const [fields, code, range, message] of cases) {
      const errors = analyzeConfig(config(fields)).diagnostics.filter((d) => d.severity === 'error');
      assert.deepEqual(errors.map((d) => [d.code, ...tuple(d.range)]), [[code, ...range]], JSON.stringify(fields));
      assert.match(errors[0].message, message);
    }
  });

  it('LC = 0 is a fully-connected network on the flattened input', () => {
    const a = analyzeConfig(config({ L: '1', LC: '0', ch_input: '[1]', wd_pad_added: '[]', wd_filter: '[]', strides: '[]', wd_subimage_pool: '[]' }));
    assert.deepEqual(a.diagnostics, []);
    assert.deepEqual(a.layers.map((l) => [l.layer.kind, l.output, l.params]), [['flatten', [784], 0], ['dense', [10], 7850]]);
  });

  it('a shape fix that changes one value becomes an edit of that entry, and applying it clears the problem', () => {
    const cases: [Record<string, string>, string, string | undefined][] = [
      [{ strides: '[2]', wd_subimage_pool: '[1]' }, 'conv-non-integer-output', undefined],
      [{ wd_input: '4', ht_input: '4', wd_subimage_pool: '[1]' }, 'window-too-large', undefined],
      [{ full_neurons: '[12]' }, 'class-count-mismatch', 'data=mnist'],
    ];
    for (const [fields, code, train] of cases) {
      const text = config(fields);
      const d = analyzeConfig(text, { train }).diagnostics.find((x) => x.code === code);
      assert.ok(d?.fixes && d.fixes.length > 0, `${code}: ${JSON.stringify(d)}`);
      assert.match(d.fixes[0].title, /^Set (strides|wd_filter|wd_pad_added|full_neurons)\(1\) to \d+$/);
      const fixed = applyEdits(text, d.fixes[0].edits);
      assert.ok(!analyzeConfig(fixed, { train }).diagnostics.some((x) => x.code === code), `${code} after ${d.fixes[0].title}:\n${fixed}`);
    }
    const count = analyzeConfig(config({ full_neurons: '[12]' }), { train: 'data=mnist' }).diagnostics.find((x) => x.code === 'class-count-mismatch')!;
    assert.deepEqual(tuple(count.range), [10, 16, 10, 18]);
    assert.equal(count.fixes![0].title, 'Set full_neurons(1) to 10');
  });

  it('a missing field is an error at the end of the text; the train override is checked and named', () => {
    const missing = analyzeConfig(config({ strides: '' }));
    assert.deepEqual(missing.diagnostics.map((d) => [d.code, ...tuple(d.range)]), [['config-missing-field', 9, 20, 9, 20]]);
    assert.match(missing.diagnostics[0].message, /no `strides` \(stride of each convolutional layer\)/);
    const bad = analyzeConfig(config(), { train: 'data=mnist bogus=1' });
    assert.deepEqual(bad.diagnostics.map((d) => [d.code, ...tuple(d.range)]), [['unknown-parameter', 0, 0, 0, 0]]);
    assert.match(bad.diagnostics[0].message, /^train settings: unknown parameter `bogus`/);
    const good = analyzeConfig(config(), { train: 'data=mnist epochs=2 optimizer=sgd lr=0.01' });
    assert.deepEqual(good.diagnostics, []);
    assert.deepEqual([good.spec.train.epochs, good.spec.train.lr, good.spec.train.data], [2, 0.01, { kind: 'mnist' }]);
  });

  it('every .config code is documented in docs/language.md, reported with its severity, and produced by some .config', () => {
    const docs = readFileSync(join(root, 'docs/language.md'), 'utf8');
    const producers: Record<keyof typeof CONFIG_DIAGNOSTIC_CODES, string> = {
      'config-syntax': 'L 4;',
      'config-unknown-field': `${config()}\nwd_filters = [5];`,
      'config-duplicate-field': `${config()}\nLC = 1;`,
      'config-missing-field': config({ L: '' }),
      'config-vector-length': config({ strides: '[1,1]' }),
      'config-layer-count': config({ L: '3' }),
      'config-no-data': config({ wd_input: '32', ht_input: '32' }),
    };
    for (const [code, text] of Object.entries(producers)) {
      assert.ok(docs.includes(`| \`${code}\` |`), `docs: ${code}`);
      const d = analyzeConfig(text).diagnostics.find((x) => x.code === code);
      assert.ok(d, `${code} from:\n${text}`);
      assert.equal(d.severity, CONFIG_DIAGNOSTIC_CODES[code as keyof typeof CONFIG_DIAGNOSTIC_CODES]);
    }
    assert.deepEqual(Object.keys(producers).sort(), Object.keys(CONFIG_DIAGNOSTIC_CODES).sort());
  });

  it('is total: any text gives an Analysis whose ranges lie inside it and whose codes are registered', () => {
    const piece = fc.constantFrom('L', 'LC', 'LF', 'ch_input', 'wd_filter', 'strides', 'full_neurons', 'wd_input', '=', ';', '[', ']', ',', ' ', '\n', '%', '0', '1', '2', '3', '28', '2.5', '-1', 'x');
    fc.assert(fc.property(fc.array(piece, { maxLength: 60 }), (pieces) => {
      const text = pieces.join('');
      const a = analyzeConfig(text);
      const lengths = text.split(/\r\n|\r|\n/).map((l) => l.length);
      const inside = (r: Range) => [r.start, r.end].every((p) => p.line >= 0 && p.line < lengths.length && p.character >= 0 && p.character <= lengths[p.line]);
      for (const d of a.diagnostics) {
        assert.ok(inside(d.range), `${d.code} ${JSON.stringify(d.range)} in ${JSON.stringify(text)}`);
        for (const r of d.related ?? []) assert.ok(inside(r.range), `${d.code} related`);
        for (const f of d.fixes ?? []) for (const e of f.edits) assert.ok(inside(e.range), `${d.code} fix`);
        const severity = (CONFIG_DIAGNOSTIC_CODES as Record<string, string>)[d.code] ?? (DIAGNOSTIC_CODES as Record<string, string>)[d.code];
        assert.equal(d.severity, severity, d.code);
      }
      for (const l of a.layers) assert.ok(inside(l.layer.range), `layer ${l.layer.kind}`);
    }), { numRuns: 300 });
  });
});
