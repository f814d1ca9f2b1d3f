// Reading a simpleNN .config as data: exact ranges of every name and entry, MATLAB's ways of writing
// a vector, comments, and the syntax problems simpleNN's `eval` would trip on (or silently misread).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../../src/lang/simplenn/config-parse';

const fixture = (name: string) => readFileSync(join(__dirname, '../../../../test/fixtures/simplenn', name), 'utf8');
type Tuple = [number, number, number, number];
const tuple = (r: { start: { line: number; character: number }; end: { line: number; character: number } }): Tuple =>
  [r.start.line, r.start.character, r.end.line, r.end.character];

describe('simpleNN .config parser', () => {
  it('reads simpleNN\'s demo config with the exact range of every name and entry', () => {
    const { file, diagnostics } = parseConfig(fixture('mnist-demo-layer4.config'));
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(file.assignments.map((a) => a.name),
      ['L', 'LC', 'LF', 'wd_input', 'ht_input', 'ch_input', 'wd_pad_added', 'wd_filter', 'strides', 'wd_subimage_pool', 'full_neurons']);
    const ch = file.fields.get('ch_input')!;
    // line 11 (0-based 10) is `ch_input = [1,32,64,64];`
    assert.equal(file.lines[10], 'ch_input = [1,32,64,64];');
    assert.deepEqual(tuple(ch.nameRange), [10, 0, 10, 8]);
    assert.deepEqual(tuple(ch.valueRange), [10, 11, 10, 23]);
    assert.deepEqual(tuple(ch.range), [10, 0, 10, 24]);
    assert.deepEqual(ch.entries.map((e) => [e.text, e.value, ...tuple(e.range)]),
      [['1', 1, 10, 12, 10, 13], ['32', 32, 10, 14, 10, 16], ['64', 64, 10, 17, 10, 19], ['64', 64, 10, 20, 10, 22]]);
    const L = file.fields.get('L')!;
    assert.deepEqual([L.bracketed, L.entries.map((e) => e.value), tuple(L.entries[0].range)], [false, [4], [5, 4, 5, 5]]);
    const wd = file.fields.get('wd_input')!;
    assert.deepEqual([wd.bracketed, wd.entries.map((e) => e.value)], [true, [28]]);
  });

  it('takes spaces, commas or semicolons between entries, no trailing `;`, trailing `%` comments and empty vectors', () => {
    const text = 'a_vec = [3 16  32];\nb = [1;2 ,3]   % a comment\nc = 1e-3\nd = [];\n  % indented comment\n\ne = -2.5;';
    const { file, diagnostics } = parseConfig(text);
    assert.deepEqual(diagnostics.filter((d) => d.code !== 'config-unknown-field'), []);
    const values = (n: string) => file.assignments.find((a) => a.name === n)!.entries.map((e) => e.value);
    assert.deepEqual(values('a_vec'), [3, 16, 32]);
    assert.deepEqual(values('b'), [1, 2, 3]);
    assert.deepEqual(values('c'), [0.001]);
    assert.deepEqual(values('d'), []);
    assert.deepEqual(values('e'), [-2.5]);
    assert.deepEqual(file.assignments.find((a) => a.name === 'a_vec')!.entries.map((e) => tuple(e.range)), [[0, 9, 0, 10], [0, 11, 0, 13], [0, 15, 0, 17]]);
    assert.deepEqual(tuple(file.assignments.find((a) => a.name === 'b')!.range), [1, 0, 1, 12]);
  });

  it('reports bad syntax with its range and why', () => {
    const cases: [string, Tuple, RegExp][] = [
      ['L 4;', [0, 0, 0, 4], /expected `=` after `L`/],
      ['L = ;', [0, 0, 0, 5], /`L =` has no value/],
      ['ch_input = [1,2', [0, 11, 0, 15], /the `\[` has no closing `\]`/],
      ['LC = 2; LF = 1;', [0, 8, 0, 15], /one assignment per line: simpleNN reads each line as one field/],
      ['L = 4 5;', [0, 6, 0, 8], /unexpected `5;` after the value of `L`/],
      ['4 = L;', [0, 0, 0, 6], /expected `name = value;`, found `4 = L;`/],
      ['ch_input = [1,[2]];', [0, 14, 0, 15], /nested `\[`/],
    ];
    for (const [text, range, message] of cases) {
      const d = parseConfig(text).diagnostics;
      assert.equal(d.length, 1, `${text}: ${JSON.stringify(d)}`);
      assert.equal(d[0].code, 'config-syntax', text);
      assert.deepEqual(tuple(d[0].range), range, text);
      assert.match(d[0].message, message, text);
    }
  });

  it('reports an entry that is not a number literal, since a .config is read and never evaluated', () => {
    const d = parseConfig('wd_filter = [5,2/3,x];').diagnostics;
    assert.deepEqual(d.map((x) => [x.code, ...tuple(x.range)]), [['not-a-number', 0, 15, 0, 18], ['not-a-number', 0, 19, 0, 20]]);
    assert.match(d[0].message, /^wd_filter \(line 1\): `2\/3` is not a number; a .config holds number literals only/);
  });

  it('warns about an unknown field with a "did you mean" fix, and rejects a duplicate, pointing at the first', () => {
    const { file, diagnostics } = parseConfig('wd_filters = [5];\nLC = 1;\nLC = 2;');
    const [unknown, duplicate] = diagnostics;
    assert.equal(unknown.code, 'config-unknown-field');
    assert.equal(unknown.severity, 'warning');
    assert.deepEqual(tuple(unknown.range), [0, 0, 0, 10]);
    assert.match(unknown.message, /`wd_filters` is not a simpleNN .config field; did you mean `wd_filter`\?/);
    assert.deepEqual(unknown.fixes, [{ title: 'Change to `wd_filter`', edits: [{ range: unknown.range, newText: 'wd_filter' }] }]);
    assert.equal(duplicate.code, 'config-duplicate-field');
    assert.deepEqual(tuple(duplicate.range), [2, 0, 2, 2]);
    assert.deepEqual(tuple(duplicate.related![0].range), [1, 0, 1, 7]);
    assert.equal(file.fields.get('LC')!.entries[0].value, 1, 'the first counts');
  });
});
