// The editor takes over a `.config` file only when it reads like a simpleNN model, never XML settings.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { looksLikeSimpleNNConfig } from '../../../src/lang';

/** The repository root, from the bundled test (out/test/unit/simplenn). */
const root = join(__dirname, '../../../..');
const fixture = (name: string) => readFileSync(join(root, 'test/fixtures/simplenn', name), 'utf8');

describe('simpleNN .config detection', () => {
  it('recognises simpleNN models, broken ones included', () => {
    for (const name of ['mnist-demo-layer4.config', 'cifar-small.config', 'no-pool.config', 'broken.config']) {
      assert.equal(looksLikeSimpleNNConfig(fixture(name)), true, name);
    }
    assert.equal(looksLikeSimpleNNConfig('LC = 1\nch_input = [1 8]\nwd_filter = [3]\n'), true, 'without semicolons');
  });

  it('leaves XML settings, other MATLAB and plain text alone', () => {
    const xml = '<?xml version="1.0" encoding="utf-8"?>\n<configuration>\n  <appSettings>\n    <add key="L" value="4"/>\n  </appSettings>\n</configuration>\n';
    assert.equal(looksLikeSimpleNNConfig(xml), false);
    assert.equal(looksLikeSimpleNNConfig('% not a model\nL = 4;\nx = 3;\ny = [1,2];\n'), false, 'L alone is not distinctive');
    assert.equal(looksLikeSimpleNNConfig('[core]\n\trepositoryformatversion = 0\n'), false);
    assert.equal(looksLikeSimpleNNConfig(''), false);
  });
});
