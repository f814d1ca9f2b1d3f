// The fuzz suite: over 10,000 generated and mutated model files through the language core and the
// extension's pure providers. Seeds are fixed so a failure repeats; FUZZ_SEED=<n> explores others.
// Each file must finish within FILE_BUDGET_MS (the 10,000-line ones within BIG_FILE_BUDGET_MS):
// generous, so this catches super-linear work and hangs, not the noise of a shared machine.

import assert from 'node:assert/strict';
import fc from 'fast-check';
import { brokenTrain, EXAMPLES, LONG_LINES, mutatedExample, PATHOLOGICAL, picks, randomBytes, tokenSoup, unicodeText } from './generators';
import { analyze, hoverMarkdown, parse } from '../../../src/lang';
import { checkFile, knownFigures } from './invariants';

const FILE_BUDGET_MS = 2000;
const BIG_FILE_BUDGET_MS = 10_000;
const SEED = process.env.FUZZ_SEED === undefined ? 20_251_202 : Number(process.env.FUZZ_SEED);

describe('fuzz: model files through the language and the editor providers', () => {
  const stats = { files: 0, maxMs: 0, slowest: '' };
  const known = new Map([...EXAMPLES].map(([name, text]) => [name, knownFigures(text)]));

  function check(text: string, numbers: readonly number[], lastKnown = new Map(), budgetMs = FILE_BUDGET_MS): void {
    const ms = checkFile(text, numbers, lastKnown);
    stats.files++;
    if (ms > stats.maxMs) {
      stats.maxMs = ms;
      stats.slowest = JSON.stringify(text.slice(0, 60));
    }
    assert.ok(ms < budgetMs, `${ms.toFixed(0)} ms for ${JSON.stringify(text.slice(0, 200))}`);
  }

  const run = <T>(arbitrary: fc.Arbitrary<T>, numRuns: number, body: (value: T, numbers: number[]) => void, offset: number) =>
    fc.assert(fc.property(arbitrary, picks, body), { numRuns, seed: SEED + offset });

  it('random bytes (2,000 files)', () => run(randomBytes, 2000, (text, n) => check(text, n), 1));
  it('random unicode (1,500 files)', () => run(unicodeText, 1500, (text, n) => check(text, n), 2));
  it('statement-like lines: huge numbers, kernel=0, mixed line endings (3,500 files)', () => run(tokenSoup, 3500, (text, n) => check(text, n), 3));
  it('broken train statements (1,500 files)', () => run(brokenTrain, 1500, (text, n) => check(text, n), 4));
  it('mutations of examples/*.cnn, with their last known figures (2,500 files)', () =>
    run(mutatedExample, 2500, ({ name, text }, n) => check(text, n, known.get(name)), 5));

  for (const [what, text] of PATHOLOGICAL) {
    it(`pathological: ${what}`, () => check(text, [1, 7, 4242, 99_999, 3, 12_345], new Map(), BIG_FILE_BUDGET_MS));
  }

  it('the language core reads 200,000-character lines and a 50,000-letter keyword within the budget', () => {
    const started = performance.now();
    parse(LONG_LINES);
    analyze(LONG_LINES).layers.forEach(hoverMarkdown);
    const ms = performance.now() - started;
    assert.ok(ms < FILE_BUDGET_MS, `${ms.toFixed(0)} ms`);
  });

  it('pathological sizes are budget diagnostics, not allocations', () => {
    const [, text] = PATHOLOGICAL.find(([what]) => what === 'dense 10000000 after a big map')!;
    const memory = analyze(text).diagnostics.find((d) => d.code === 'memory-budget');
    assert.match(memory?.message ?? '', /^training needs at least [\d,]+ PiB at batch 1000000/);
  });

  it('fuzzed at least 10,000 files, each within the budget', () => {
    console.log(`      ${stats.files.toLocaleString('en-US')} files; slowest ${stats.maxMs.toFixed(1)} ms (${stats.slowest})`);
    assert.ok(stats.files >= 10_000, `only ${stats.files} files`);
  });
});
