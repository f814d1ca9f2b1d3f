// analyze runs on every keystroke: a 1,000-line model must take well under 10 ms.
import assert from 'node:assert/strict';
import { analyze } from '../../../src/lang';

function bigModel(lines: number): string {
  const out = ['# a long model', 'input 3x32x32'];
  const body = ['conv 8 kernel=3 pad=same   # keeps 32×32', 'batchnorm momentum=0.1', 'relu', 'dropout 0.1'];
  while (out.length < lines - 4) out.push(body[out.length % body.length]);
  out.push('flatten', 'dense 10', 'softmax', 'train data=cifar10:data epochs=2 batch=32 optimizer=adam lr=0.001');
  return out.join('\n');
}

describe('performance', () => {
  it('analyzes a 1,000-line model in well under 10 ms', () => {
    const text = bigModel(1000);
    const first = analyze(text);
    assert.equal(first.syntax.statements.length, 1000 - 1);
    assert.equal(first.diagnostics.length, 0);
    for (let i = 0; i < 60; i++) analyze(text); // warm up the JIT, as an editing session does
    const times: number[] = [];
    for (let i = 0; i < 21; i++) {
      const t0 = performance.now();
      analyze(text);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    console.log(`      1,000 lines: median ${median.toFixed(2)} ms, best ${times[0].toFixed(2)} ms`);
    assert.ok(median < 10, `median ${median.toFixed(2)} ms`);
  });

  it('grows linearly: 8× the lines cost far less than the 64× of a quadratic pass', () => {
    const time = (text: string) => {
      for (let i = 0; i < 30; i++) analyze(text);
      const t: number[] = [];
      for (let i = 0; i < 21; i++) { const t0 = performance.now(); analyze(text); t.push(performance.now() - t0); }
      return t.sort((a, b) => a - b)[10];
    };
    const small = time(bigModel(125));
    const large = time(bigModel(1000));
    // Linear work gives about 8×; the young-generation GC adds a little as results grow.
    assert.ok(large < 24 * small, `1,000 lines took ${large.toFixed(2)} ms vs ${small.toFixed(2)} ms for 125`);
  });
});
