import { strict as assert } from 'node:assert';
import { analyze, hoverMarkdown, statementInfo, STATEMENTS } from '../../../src/lang';
import { statementMarkdown } from '../../../src/extension/docs';
import { hoverAt } from '../../../src/extension/hovers';
import { outline } from '../../../src/extension/outline';
import { targetAt } from '../../../src/extension/locate';

const MODEL = [
  'input 1x28x28',
  '',
  'conv 6 kernel=5 pad=2   # LeNet-style first layer',
  'relu',
  'flatten',
  'dense 10',
  'train data=mnist epochs=2',
  '  optimizer=adam lr=0.001',
].join('\n');

describe('extension hovers, outline and positions', () => {
  const a = analyze(MODEL);

  it('finds the token under the cursor, across continuation lines', () => {
    assert.equal(targetAt(a.syntax, { line: 2, character: 2 })?.kind, 'keyword');
    const key = targetAt(a.syntax, { line: 2, character: 9 });
    assert.equal(key?.kind, 'key');
    assert.equal(key?.kind === 'key' && key.param?.name, 'kernel');
    const positional = targetAt(a.syntax, { line: 2, character: 5 });
    assert.equal(positional?.kind === 'value' && positional.param?.name, 'filters');
    const continued = targetAt(a.syntax, { line: 7, character: 5 });
    assert.equal(continued?.kind === 'key' && `${continued.statement.keyword.text}.${continued.param?.name}`, 'train.optimizer');
    assert.equal(targetAt(a.syntax, { line: 2, character: 30 }), undefined, 'in the comment');
    assert.equal(targetAt(a.syntax, { line: 1, character: 0 }), undefined, 'blank line');
  });

  it('shows a layer\'s shapes and arithmetic on its keyword, then what the keyword means', () => {
    const conv = a.layers.find((l) => l.layer.kind === 'conv')!;
    const h = hoverAt(a, { line: 2, character: 1 })!;
    assert.ok(h.markdown.startsWith(hoverMarkdown(conv)));
    assert.match(h.markdown, /\(28 \+ 2·2 − 5\)\/1 \+ 1 = 28/);
    assert.match(h.markdown, /\*\*conv\*\* — Convolution/);
    assert.deepEqual(h.range, { start: { line: 2, character: 0 }, end: { line: 2, character: 4 } });
  });

  it('documents parameters and non-layer keywords from the catalog', () => {
    const pad = hoverAt(a, { line: 2, character: 17 })!;
    assert.match(pad.markdown, /^\*\*pad\*\* — `conv` parameter/);
    assert.match(pad.markdown, /`same`/);
    assert.match(pad.markdown, /default `0`/);
    const lr = hoverAt(a, { line: 7, character: 18 })!;
    assert.match(lr.markdown, /^\*\*lr\*\* — `train` parameter/);
    const train = hoverAt(a, { line: 6, character: 0 })!;
    assert.match(train.markdown, /^\*\*train\*\* — training settings/);
    assert.match(train.markdown, /- `optimizer` — .*one of `sgd`, `adam`, `newton`/);
    assert.equal(hoverAt(a, { line: 2, character: 30 }), undefined);
  });

  it('outlines the model: input, layers with output shapes, train with its settings', () => {
    const symbols = outline(a);
    assert.deepEqual(symbols.map((s) => [s.kind, s.name, s.detail]), [
      ['input', 'input 1x28x28', ''],
      ['layer', 'conv 6 kernel=5 pad=2', '→ 6×28×28 · 156 params'],
      ['layer', 'relu', '→ 6×28×28'],
      ['layer', 'flatten', '→ 4704'],
      ['layer', 'dense 10', '→ 10 · 47,050 params'],
      ['train', 'train', ''],
    ]);
    assert.deepEqual(symbols.at(-1)!.children.map((c) => `${c.name}=${c.detail}`), ['data=mnist', 'epochs=2', 'optimizer=adam', 'lr=0.001']);
    assert.equal(symbols.at(-1)!.range.end.line, 7, 'train spans its continuation line');
  });

  it('reads naturally on every keyword: no repeated words, no placeholders', () => {
    const model = [
      'input 1x28x28', 'conv 4 kernel=3', 'batchnorm', 'relu', 'maxpool 2', 'avgpool 2', 'sigmoid', 'tanh', 'dropout 0.1',
      'globalavgpool', 'flatten', 'dense 10', 'softmax', 'loss cross_entropy', 'train data=mnist epochs=1',
    ];
    const all = analyze(model.join('\n'));
    assert.deepEqual([...new Set(STATEMENTS.map((st) => st.keyword))].filter((k) => !model.some((l) => l.startsWith(`${k} `) || l === k)), [],
      'the model uses every keyword');
    for (const [line, text] of model.entries()) {
      const md = hoverAt(all, { line, character: 1 })?.markdown ?? '';
      const keyword = text.split(' ')[0]!;
      assert.ok(md, `a hover on \`${keyword}\``);
      assert.doesNotMatch(md, new RegExp(`^\\*\\*${keyword}\\*\\* — ${keyword}$`, 'm'), `${keyword}: the heading repeats the keyword`);
      assert.doesNotMatch(md, /\b(undefined|null|NaN)\b|`name=`|\b(\w+) \2\b/, `${keyword} reads oddly:\n${md}`);
    }
    const conv = statementMarkdown(statementInfo('conv')!);
    assert.match(conv, /`filters` — .*may be written without `filters=`/);
    assert.match(statementMarkdown(statementInfo('input')!), /^\*\*input\*\* — the shape of the data$/m);
  });
});
