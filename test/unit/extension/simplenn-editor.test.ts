// A simpleNN .config in the editor: hints follow each vector entry (one per layer, a conv and its
// ReLU sharing one), and hovers give the shapes of the layers whose entry is under the cursor.
import { strict as assert } from 'node:assert';
import { analyzeConfig } from '../../../src/lang';
import { entryHoverAt } from '../../../src/extension/hovers';
import { layerHints } from '../../../src/extension/present';

const CONFIG = [
  'L = 3;',
  'LC = 2;',
  'LF = 1;',
  'wd_input = 28;',
  'ht_input = 28;',
  'ch_input = [1, 8, 16];',
  'wd_pad_added = [2, 1];',
  'wd_filter = [5, 3];',
  'strides = [1, 1];',
  'wd_subimage_pool = [2, 2];',
  'full_neurons = [10];',
].join('\n');
const lines = CONFIG.split('\n');

describe('simpleNN .config in the editor', () => {
  const analysis = analyzeConfig(CONFIG);

  it('analyzes cleanly', () => {
    assert.deepEqual(analysis.diagnostics.filter((d) => d.severity === 'error'), []);
  });

  it('puts each hint right after its entry, one per entry', () => {
    const hints = layerHints(analysis.layers, { showParams: false, showFlops: false, placement: 'entry' }, (l) => lines[l]!.length);
    const chInput = lines.findIndex((l) => l.startsWith('ch_input'));
    const onChInput = hints.filter((h) => h.position.line === chInput);
    assert.equal(onChInput.length, 2, 'one hint per conv entry, not one for the conv and one for its ReLU');
    // Each sits at the end of its own number, not at the end of the line.
    const ends = onChInput.map((h) => lines[chInput]!.slice(0, h.position.character));
    assert.deepEqual(ends, ['ch_input = [1, 8', 'ch_input = [1, 8, 16']);
    assert.match(onChInput[0]!.label, /8×28×28/);
    const pools = hints.filter((h) => h.position.line === lines.findIndex((l) => l.startsWith('wd_subimage_pool')));
    assert.deepEqual(pools.map((h) => h.label.match(/\d+×\d+×\d+/)?.[0]), ['8×14×14', '16×7×7']);
    // The same layers in a .cnn: every hint at the end of its line.
    const lineEnd = layerHints(analysis.layers, { showParams: false, showFlops: false }, (l) => lines[l]!.length);
    assert.ok(lineEnd.every((h) => h.position.character === lines[h.position.line]!.length));
  });

  it('hovers over an entry with the shapes of its layers', () => {
    const chInput = lines.findIndex((l) => l.startsWith('ch_input'));
    const hover = entryHoverAt(analysis.layers, { line: chInput, character: lines[chInput]!.indexOf('16') });
    assert.ok(hover, 'a hover on the second conv entry');
    assert.match(hover.markdown, /16×14×14/, hover.markdown);
    assert.match(hover.markdown, /relu/i, 'its ReLU shares the entry');
    assert.equal(entryHoverAt(analysis.layers, { line: 0, character: 0 }), undefined, 'L names no layer');
  });
});
