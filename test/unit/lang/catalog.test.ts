// The catalog is the single source of truth: its defaults must parse, match the engine's defaults,
// build a layer for every layer keyword, and appear, with every diagnostic code, in docs/language.md.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, DEFAULT_TRAIN, DIAGNOSTIC_CODES, LAYER_KEYWORDS, paramInfo, statementInfo, STATEMENTS } from '../../../src/lang';
import { parseValue } from '../../../src/lang/values';

const docs = readFileSync(join(__dirname, '../../../../docs/language.md'), 'utf8');

describe('catalog', () => {
  it('every default is a valid value of its parameter', () => {
    for (const s of STATEMENTS) {
      for (const p of s.params) {
        assert.ok(p.doc.length > 0 && !p.doc.includes('\n'), `${s.keyword}.${p.name} has a one-line doc`);
        assert.ok(p.snippet.length > 0, `${s.keyword}.${p.name} has a snippet`);
        assert.ok(p.required !== (p.default !== undefined) || (p.name === 'stride' && s.keyword.endsWith('pool')),
          `${s.keyword}.${p.name}: required xor default (pool stride follows the window)`);
        if (p.default !== undefined) assert.ok(parseValue(p, p.default).ok, `${s.keyword}.${p.name} default ${p.default}`);
        for (const v of p.values ?? []) assert.ok(parseValue(p, v).ok, `${s.keyword}.${p.name} value ${v}`);
      }
    }
  });

  it('train defaults equal the spec defaults the engine uses', () => {
    const train = statementInfo('train')!;
    const a = analyze('input 1x28x28\nflatten\ndense 10\ntrain');
    const { range, ...settings } = a.spec.train;
    assert.ok(range);
    assert.deepEqual(settings, DEFAULT_TRAIN);
    assert.equal(paramInfo(train, 'epochs')!.default, String(DEFAULT_TRAIN.epochs));
    assert.equal(paramInfo(train, 'lr')!.default, String(DEFAULT_TRAIN.lr));
    assert.equal(paramInfo(train, 'optimizer')!.default, DEFAULT_TRAIN.optimizer);
  });

  it('every layer keyword builds a layer of that kind, with its snippet as written', () => {
    for (const keyword of LAYER_KEYWORDS) {
      const info = statementInfo(keyword)!;
      // The snippet with its placeholders filled by their defaults.
      const line = info.snippet.replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$\{\d+\|([^,|]*)[^}]*\}/g, '$1');
      // Wrapped into a complete CIFAR-10 model, so that any error is the snippet's fault.
      const before = keyword === 'dense' ? 'flatten\n' : '';
      const after = keyword === 'dense' ? '' : keyword === 'flatten' ? 'dense 10\n' : 'flatten\ndense 10\n';
      const a = analyze(`input 3x32x32\n${before}${line}\n${after}train data=cifar10:c`);
      const layer = a.spec.layers[before ? 1 : 0];
      assert.equal(layer.kind, keyword);
      assert.equal(layer.range.end.character, line.length);
      assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error'), [], `${keyword}: ${line}`);
    }
  });

  it('docs/language.md documents every keyword, parameter and diagnostic code', () => {
    for (const s of STATEMENTS) {
      assert.ok(docs.includes(`\`${s.keyword}`), `keyword ${s.keyword}`);
      for (const p of s.params) assert.ok(docs.includes(`\`${p.name}\``), `parameter ${s.keyword}.${p.name}`);
    }
    for (const code of Object.keys(DIAGNOSTIC_CODES)) assert.ok(docs.includes(`| \`${code}\` |`), `code ${code}`);
  });
});
