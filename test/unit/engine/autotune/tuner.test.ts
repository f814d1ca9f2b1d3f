import * as assert from 'node:assert/strict';
import type { ConvGeometry } from '../../../../src/engine/backend';
import { convCandidates, gemmCandidates, validConvAlgorithms, type Candidate } from '../../../../src/engine/webgpu/autotune/candidates';
import { KernelChoiceTable } from '../../../../src/engine/webgpu/autotune/choice-table';
import { KernelChooser } from '../../../../src/engine/webgpu/autotune/chooser';
import { convKey, gemmKey, type ConvDecision, type Decision, type GemmDecision } from '../../../../src/engine/webgpu/autotune/decisions';
import { median, tuneDecision, type CandidateTimer } from '../../../../src/engine/webgpu/autotune/tuner';
import { ruleFor } from '../../../../src/engine/webgpu/conv';
import type { GemmCall } from '../../../../src/engine/webgpu/gemm';
import { GEMM_TILES, selectGemmTile, selectSplitK } from '../../../../src/engine/webgpu/kernel-select';

const slice = (size: number) => ({ size }) as unknown as GPUBuffer;

function gemmDecision(m: number, n: number, k: number): GemmDecision {
  const call: GemmCall = { operands: 'matrix', m, n, k, a: slice(m * k * 4), b: slice(k * n * 4), c: slice(m * n * 4), operandParams: { trans_a: 0, trans_b: 1 } };
  return { kind: 'gemm', key: gemmKey(call, m, n, k), call, m, n, k };
}

const C3: ConvGeometry = { n: 16, c: 6, h: 14, w: 14, m: 16, kh: 5, kw: 5, sh: 1, sw: 1, ph: 0, pw: 0, oh: 10, ow: 10 };
const convDecision = (pass: ConvDecision['pass'], g = C3): ConvDecision => ({ kind: 'conv', key: convKey(pass, g), pass, g, hasBias: true, activation: null });

/** Times from a table by candidate name (ns); records every call. */
function fakeTimer(times: Readonly<Record<string, number>>): CandidateTimer & { calls: { name: string; repeats: number }[] } {
  const calls: { name: string; repeats: number }[] = [];
  return {
    calls,
    async time(_d: Decision, c: Candidate, repeats: number) {
      calls.push({ name: c.name, repeats });
      const t = times[c.name];
      if (t === undefined) throw new Error(`no fake time for ${c.name}`);
      return Array.from({ length: repeats }, () => t);
    },
  };
}

const NO_DEADLINE = { repeats: 3 };

describe('autotune candidates', () => {
  it('puts the rule\'s pick first and lists every tile once', () => {
    const d = gemmDecision(64, 300, 200);
    const candidates = gemmCandidates(d);
    assert.equal(candidates[0].tile, selectGemmTile(64, 300, 200));
    assert.deepEqual(candidates[0].splitK, selectSplitK(64, 300, 200, candidates[0].tile));
    const names = candidates.map((c) => c.name);
    assert.equal(new Set(names).size, names.length);
    for (const tile of Object.values(GEMM_TILES)) assert.ok(candidates.some((c) => c.tile === tile), tile.name);
  });

  it('tries split counts only where the rule\'s tile leaves few workgroups and k is long', () => {
    const wgrad = gemmCandidates(gemmDecision(6, 26, 12544));
    assert.ok(wgrad.some((c) => c.splitK.splits === 8) && wgrad.some((c) => c.tile === wgrad[0].tile && c.splitK.splits === 1), wgrad.map((c) => c.name).join());
    for (const c of wgrad) assert.ok(c.splitK.splits * c.splitK.chunk >= 12544);
    assert.ok(gemmCandidates(gemmDecision(256, 4096, 256)).every((c) => c.splitK.splits === 1), 'enough workgroups: no split');
  });

  it('offers only the algorithms valid for a pass, the rule first', () => {
    assert.deepEqual(validConvAlgorithms('forward', C3), ['direct', 'implicit', 'im2col']);
    assert.deepEqual(validConvAlgorithms('wgrad', C3), ['implicit', 'direct', 'im2col']);
    assert.deepEqual(validConvAlgorithms('dgrad', { ...C3, sh: 2, sw: 2, oh: 5, ow: 5 }), ['implicit', 'im2col'], 'direct gradients need stride 1');
    const pointwise = { ...C3, kh: 1, kw: 1, oh: 14, ow: 14 };
    assert.deepEqual(validConvAlgorithms('dgrad', pointwise), ['pointwise']);
    for (const pass of ['forward', 'dgrad', 'wgrad'] as const) assert.equal(convCandidates(convDecision(pass))[0].algorithm, ruleFor(pass, C3));
    const huge = { ...C3, n: 4096, c: 64, h: 32, w: 32, kh: 3, kw: 3, oh: 30, ow: 30 };
    assert.ok(!validConvAlgorithms('dgrad', huge).includes('im2col'), 'over the unrolled-matrix budget');
  });
});

describe('autotune selection with an injected timer', () => {
  // The dgrad decision's candidates: the rule's pick, one other, and any more (made far slower below).
  const names = convCandidates(convDecision('dgrad')).map((c) => c.name);
  const [rule, other] = names;
  const slowRest = Object.fromEntries(names.slice(2).map((n) => [n, 1e9]));
  const algorithmOf = (c: Awaited<ReturnType<typeof tuneDecision>>) => c?.kind === 'conv' && c.algorithm;

  it('picks the fastest candidate by its median time', async () => {
    const d = convDecision('dgrad');
    const choice = await tuneDecision(d, fakeTimer({ ...slowRest, [rule]: 900, [other]: 300 }), NO_DEADLINE);
    assert.deepEqual(choice, { kind: 'conv', algorithm: other, micros: 0.3, ruleMicros: 0.9 });
    assert.equal(algorithmOf(await tuneDecision(d, fakeTimer({ ...slowRest, [rule]: 300, [other]: 900 }), NO_DEADLINE)), rule);
  });

  it('keeps the rule\'s pick unless another is clearly (5 %) faster', async () => {
    const d = convDecision('dgrad');
    assert.equal(algorithmOf(await tuneDecision(d, fakeTimer({ ...slowRest, [rule]: 1000, [other]: 970 }), NO_DEADLINE)), rule);
    assert.equal(algorithmOf(await tuneDecision(d, fakeTimer({ ...slowRest, [rule]: 0, [other]: 0 }), NO_DEADLINE)), rule,
      'coarse timestamps reading 0 leave the rule');
  });

  it('chooses GEMM tile and split-K together', async () => {
    const d = gemmDecision(6, 26, 12544);
    const names = gemmCandidates(d).map((c) => c.name);
    const times = Object.fromEntries(names.map((n) => [n, n === '16x64/2' ? 100 : 500]));
    assert.ok(names.includes('16x64/2') || names.includes('8x32/2'), names.join());
    const winner = names.includes('16x64/2') ? '16x64/2' : '8x32/2';
    times[winner] = 100;
    const choice = await tuneDecision(d, fakeTimer(times), NO_DEADLINE);
    assert.deepEqual(choice && choice.kind === 'gemm' && [choice.tile, choice.splits], [winner.split('/')[0], 2]);
  });

  it('takes one sample of a clearly slower candidate and the full repeats of the others', async () => {
    const timer = fakeTimer({ ...slowRest, [rule]: 100, [other]: 1000 });
    await tuneDecision(convDecision('dgrad'), timer, NO_DEADLINE);
    assert.deepEqual(timer.calls, [{ name: rule, repeats: 1 }, { name: rule, repeats: 2 }, ...names.slice(1).map((name) => ({ name, repeats: 1 }))]);
  });

  it('has nothing to tune where one kernel can run', async () => {
    const pointwise = { ...C3, kh: 1, kw: 1, oh: 14, ow: 14 };
    assert.equal(await tuneDecision(convDecision('wgrad', pointwise), fakeTimer({}), NO_DEADLINE), null);
  });

  it('medians: odd and even counts', () => {
    assert.equal(median([5, 1, 3]), 3);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.throws(() => median([]), /no samples/);
  });
});

describe('kernel chooser', () => {
  const adapter = 'google|swiftshader||';

  it('answers nothing (the rules decide) without a stored choice, and the stored one with it', () => {
    const chooser = new KernelChooser(adapter);
    const d = gemmDecision(6, 26, 12544);
    assert.equal(chooser.gemmChoice(d.call, d.m, d.n, d.k), undefined, 'no table yet');
    const table = new KernelChoiceTable('k');
    chooser.attach(table);
    assert.equal(chooser.gemmChoice(d.call, d.m, d.n, d.k), undefined);
    table.set(adapter, d.key, { kind: 'gemm', tile: '32x32', splits: 4, micros: 1, ruleMicros: 2 });
    const choice = chooser.gemmChoice(d.call, d.m, d.n, d.k);
    assert.equal(choice?.tile, GEMM_TILES.medium);
    assert.equal(choice?.splitK.splits, 4);
    assert.equal(new KernelChooser('another|gpu||').gemmChoice(d.call, d.m, d.n, d.k), undefined);
  });

  it('ignores a stored algorithm that cannot run the pass', () => {
    const chooser = new KernelChooser(adapter);
    const table = new KernelChoiceTable('k');
    chooser.attach(table);
    table.set(adapter, convKey('dgrad', C3), { kind: 'conv', algorithm: 'pointwise', micros: 1, ruleMicros: 2 });
    assert.equal(chooser.convChoice('dgrad', C3, false, null), undefined, 'a 5×5 layer is not pointwise');
    const strided = { ...C3, sh: 2, sw: 2, oh: 5, ow: 5 };
    table.set(adapter, convKey('wgrad', strided), { kind: 'conv', algorithm: 'direct', micros: 1, ruleMicros: 2 });
    assert.equal(chooser.convChoice('wgrad', strided, false, null), undefined, 'no direct gradient at stride 2');
    table.set(adapter, convKey('forward', C3), { kind: 'conv', algorithm: 'im2col', micros: 1, ruleMicros: 2 });
    assert.equal(chooser.convChoice('forward', C3, true, null), 'im2col');
  });

  it('collects each decision of a pass once, and reports how each is made', () => {
    const chooser = new KernelChooser(adapter);
    const table = new KernelChoiceTable('k');
    chooser.attach(table);
    const g = gemmDecision(10, 84, 120);
    const decisions = chooser.collect(() => {
      chooser.gemmChoice(g.call, g.m, g.n, g.k);
      chooser.convChoice('forward', C3, true, 'relu');
      chooser.gemmChoice(g.call, g.m, g.n, g.k);
    });
    assert.deepEqual(decisions.map((d) => d.key), [g.key, convKey('forward', C3)]);
    assert.deepEqual(chooser.collect(() => {}), [], 'outside collect nothing is noted');
    table.set(adapter, g.key, { kind: 'gemm', tile: '8x32', splits: 1, micros: 1, ruleMicros: 2 });
    chooser.noteMeasured(g.key);
    assert.deepEqual(chooser.report(decisions), [
      { key: g.key, choice: '8x32', rule: selectGemmTile(10, 84, 120).name, source: 'measured' },
      { key: convKey('forward', C3), choice: ruleFor('forward', C3), rule: ruleFor('forward', C3), source: 'rule' },
    ]);
  });
});
