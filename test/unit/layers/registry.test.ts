// The layer kinds' definitions are the one place a layer lives: the catalog lists exactly them, and
// each definition's shape rule (the language) agrees with the layer its engine half builds.
import * as assert from 'node:assert/strict';
import { CpuBackend } from '../../../src/engine/cpu/backend';
import { Network } from '../../../src/engine/network';
import { analyze, LAYER_KEYWORDS, statementInfo } from '../../../src/lang';
import { LAYERS, layerDefinition } from '../../../src/layers';

/** The snippet with its placeholders filled by their defaults. */
function snippetLine(keyword: string): string {
  return statementInfo(keyword)!.snippet.replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$\{\d+\|([^,|]*)[^}]*\}/g, '$1');
}

describe('layer kinds', () => {
  it('the catalog lists every definition\'s statement, and nothing else, as a layer', () => {
    assert.deepEqual([...LAYER_KEYWORDS], LAYERS.map((d) => d.statement.keyword));
    for (const d of LAYERS) {
      assert.equal(statementInfo(d.statement.keyword), d.statement, d.statement.keyword);
      assert.equal(layerDefinition(d.statement.keyword), d);
    }
    assert.throws(() => layerDefinition('nope'), /unknown layer kind "nope"/);
  });

  it('every kind\'s engine layer has the output shape and parameter count its shape rule predicts', () => {
    const backend = new CpuBackend({ precision: 'f32' });
    for (const d of LAYERS) {
      const keyword = d.statement.keyword;
      // Feature-map kinds on a map, vector kinds after flatten; then enough to end in 10 classes.
      const vectorIn = keyword === 'dense' || keyword === 'softmax';
      const text = `input 3x12x12\n${vectorIn ? 'flatten\n' : ''}${snippetLine(keyword)}\nflatten\ndense 10\ntrain data=libsvm:x`;
      const a = analyze(text);
      assert.deepEqual(a.diagnostics.filter((x) => x.severity === 'error' && x.code !== 'redundant-flatten'), [], `${keyword}: ${text}`);
      const net = new Network(backend, a.spec, { maxBatch: 2 });
      try {
        a.layers.forEach((info, i) => {
          assert.deepEqual([...net.layers[i].outputShape], [...info.output!], `${keyword}: layer ${i} (${info.layer.kind}) output`);
          const params = net.layers[i].params.reduce((s, p) => s + p.length, 0);
          assert.equal(params, info.params, `${keyword}: layer ${i} (${info.layer.kind}) parameters`);
        });
      } finally {
        net.dispose();
      }
    }
  });

  it('roles drive initialisation: He after relu, Xavier otherwise, batchnorm scale 1', () => {
    const a = analyze('input 1x8x8\nconv 4 kernel=3\nrelu\nglobalavgpool\nbatchnorm\ndense 10\ntrain data=mnist');
    const net = new Network(new CpuBackend({ precision: 'f64' }), a.spec, { maxBatch: 1, seed: 2 });
    return net.readState().then((state) => {
      const std = (x: Float32Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);
      assert.ok(Math.abs(std(state.get('layers.0.weight')!) - Math.sqrt(2 / 9)) < 0.2, 'He normal for the conv before relu');
      assert.deepEqual([...state.get('layers.3.weight')!], [1, 1, 1, 1]);
      assert.deepEqual([...state.get('layers.3.bias')!], [0, 0, 0, 0]);
      const xavier = Math.sqrt(2 / (4 + 10));
      assert.ok(Math.abs(std(state.get('layers.4.weight')!) - xavier) < 0.15, 'Xavier for the last dense');
    });
  });
});
