// The TextMate grammar colours what the language means: a small first-match tokenizer (as TextMate
// scans a line) runs the grammar's own regular expressions over LeNet-5 and a CIFAR model.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '../../../..');
const grammar = JSON.parse(readFileSync(join(root, 'syntaxes', 'cnn.tmLanguage.json'), 'utf8'));
const config = JSON.parse(readFileSync(join(root, 'syntaxes', 'language-configuration.json'), 'utf8'));
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

interface Rule { regex: RegExp; name?: string; captures?: Record<string, { name: string }> }

/** The grammar's match rules in priority order (its `include`s expanded). */
function rules(): Rule[] {
  const out: Rule[] = [];
  const add = (p: { include?: string; patterns?: unknown[]; match?: string; name?: string; captures?: Rule['captures'] }) => {
    if (p.include) return add(grammar.repository[p.include.slice(1)]);
    if (p.patterns) return p.patterns.forEach((q) => add(q as typeof p));
    out.push({ regex: new RegExp(p.match!, 'dgu'), name: p.name, captures: p.captures });
  };
  grammar.patterns.forEach(add);
  return out;
}

/** [text, scope] pairs for one line: at each position the earliest match wins, ties by rule order. */
function tokenize(line: string): [string, string][] {
  const out: [string, string][] = [];
  const all = rules();
  let at = 0;
  while (at < line.length) {
    let best: { rule: Rule; m: RegExpExecArray } | null = null;
    for (const rule of all) {
      rule.regex.lastIndex = 0;
      const m = rule.regex.exec(line.slice(at));
      if (m && m[0].length > 0 && (!best || m.index < best.m.index)) best = { rule, m };
    }
    if (!best) break;
    const { rule, m } = best;
    if (rule.name) out.push([m[0], rule.name]);
    for (const [group, capture] of Object.entries(rule.captures ?? {})) {
      const text = m[Number(group)];
      if (text) out.push([text, capture.name]);
    }
    at += m.index + m[0].length;
  }
  return out;
}

describe('TextMate grammar', () => {
  it('is the grammar package.json points at, with # line comments', () => {
    const contributed = manifest.contributes.grammars[0];
    assert.equal(contributed.scopeName, grammar.scopeName);
    assert.equal(contributed.path, './syntaxes/cnn.tmLanguage.json');
    assert.equal(manifest.contributes.languages[0].configuration, './syntaxes/language-configuration.json');
    assert.equal(config.comments.lineComment, '#');
  });

  it('colours keywords, keys, numbers, shapes and comments', () => {
    assert.deepEqual(tokenize('input 1x28x28            # channels x height x width'), [
      ['input', 'keyword.control.statement.cnn'],
      ['1x28x28', 'constant.numeric.shape.cnn'],
      ['# channels x height x width', 'comment.line.number-sign.cnn'],
      ['#', 'punctuation.definition.comment.cnn'],
    ]);
    assert.deepEqual(tokenize('conv 6 kernel=5 pad=same'), [
      ['conv', 'keyword.other.layer.cnn'],
      ['6', 'constant.numeric.cnn'],
      ['kernel', 'variable.parameter.key.cnn'], ['=', 'keyword.operator.assignment.cnn'],
      ['5', 'constant.numeric.cnn'],
      ['pad', 'variable.parameter.key.cnn'], ['=', 'keyword.operator.assignment.cnn'],
      ['same', 'constant.language.cnn'],
    ]);
    assert.deepEqual(tokenize('dropout 0.5'), [['dropout', 'keyword.other.layer.cnn'], ['0.5', 'constant.numeric.cnn']]);
    assert.deepEqual(tokenize('  maxpool 3×3'), [['maxpool', 'keyword.other.layer.cnn'], ['3×3', 'constant.numeric.shape.cnn']]);
  });

  it('colours data specs and settings of a train statement', () => {
    assert.deepEqual(tokenize('train data=cifar10:data/c10 lr=1e-3 bias=false'), [
      ['train', 'keyword.control.statement.cnn'],
      ['data', 'variable.parameter.key.cnn'], ['=', 'keyword.operator.assignment.cnn'],
      ['cifar10', 'support.constant.dataset.cnn'], [':', 'punctuation.separator.dataset.cnn'], ['data/c10', 'string.unquoted.path.cnn'],
      ['lr', 'variable.parameter.key.cnn'], ['=', 'keyword.operator.assignment.cnn'],
      ['1e-3', 'constant.numeric.cnn'],
      ['bias', 'variable.parameter.key.cnn'], ['=', 'keyword.operator.assignment.cnn'],
      ['false', 'constant.language.boolean.cnn'],
    ]);
    assert.deepEqual(tokenize('train data=mnist'), [
      ['train', 'keyword.control.statement.cnn'],
      ['data', 'variable.parameter.key.cnn'], ['=', 'keyword.operator.assignment.cnn'],
      ['mnist', 'support.constant.dataset.cnn'],
    ]);
  });

  it('does not colour a misspelt keyword as one', () => {
    assert.deepEqual(tokenize('Conv 6'), [['6', 'constant.numeric.cnn']]);
    assert.deepEqual(tokenize('convolution 6').map(([, scope]) => scope), ['constant.numeric.cnn']);
  });
});
