import { strict as assert } from 'node:assert';
import { STATEMENTS } from '../../../src/lang/catalog';
import { parse } from '../../../src/lang/syntax';
import { completionsAt } from '../../../src/extension/completions';

/** Completions at the `|` in `text`. */
function at(text: string) {
  const offset = text.indexOf('|');
  assert.ok(offset >= 0, 'test text needs a | cursor');
  const source = text.slice(0, offset) + text.slice(offset + 1);
  const lines = source.split('\n');
  const before = source.slice(0, offset).split('\n');
  const line = before.length - 1;
  const character = before[line]!.length;
  return completionsAt(parse(source).tree, lines[line]!, { line, character });
}

const labels = (items: ReturnType<typeof at>) => items.map((i) => i.label);

describe('extension completions', () => {
  it('offers every statement keyword at the start of a line, replacing the partial word', () => {
    const items = at('input 1x28x28\nco|');
    assert.deepEqual(labels(items), STATEMENTS.map((s) => s.keyword));
    const conv = items.find((i) => i.label === 'conv')!;
    assert.equal(conv.kind, 'keyword');
    assert.equal(conv.snippet, STATEMENTS.find((s) => s.keyword === 'conv')!.snippet);
    assert.deepEqual(conv.range, { start: { line: 1, character: 0 }, end: { line: 1, character: 2 } });
    assert.match(conv.documentation, /\*\*conv\*\*/);
    assert.match(conv.documentation, /`kernel`/);
  });

  it('offers the parameters a statement does not have yet', () => {
    const items = at('conv 6 kernel=5 |');
    assert.deepEqual(labels(items), ['stride=', 'pad=', 'bias=']);
    assert.ok(items.every((i) => i.kind === 'property'));
    const pad = items.find((i) => i.label === 'pad=')!;
    assert.equal(pad.snippet, 'pad=${1|same,0,1,2|}');
    assert.equal(pad.detail, 'default 0');
    assert.match(pad.documentation, /same/);
  });

  it('counts a bare value as the positional parameter it sets', () => {
    assert.ok(!labels(at('dense 10 |')).includes('units='));
    assert.ok(labels(at('dense |')).includes('units='));
  });

  it('completes a partial key and replaces just that word', () => {
    const items = at('conv 6 ker|');
    assert.ok(labels(items).includes('kernel='));
    assert.deepEqual(items[0]!.range, { start: { line: 0, character: 7 }, end: { line: 0, character: 10 } });
  });

  it('offers values after data= and optimizer=', () => {
    assert.deepEqual(labels(at('train optimizer=|')), ['sgd', 'adam', 'newton']);
    assert.deepEqual(labels(at('train optimizer = a|')), ['sgd', 'adam', 'newton']);
    const data = at('train epochs=2 data=|');
    assert.deepEqual(labels(data), ['mnist', 'idx:', 'cifar10:', 'libsvm:', 'mat:']);
    assert.equal(data.find((i) => i.label === 'mnist')!.detail, 'default');
    assert.deepEqual(labels(at('conv 6 bias=|')), ['true', 'false']);
  });

  it('offers train settings on a continuation line after train', () => {
    const items = at('train data=mnist\n  epochs=3\n  |');
    assert.ok(labels(items).includes('lr='));
    assert.ok(!labels(items).includes('epochs='), 'epochs is already set');
    assert.ok(!labels(at('dense 10\n  |')).includes('units='), 'only train continues on the next line');
  });

  it('offers nothing in comments or after an unknown keyword', () => {
    assert.deepEqual(at('# conv |'), []);
    assert.deepEqual(at('conv 6 # |'), []);
    assert.deepEqual(at('frobnicate |'), []);
  });
});
