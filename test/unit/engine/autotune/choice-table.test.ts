import * as assert from 'node:assert/strict';
import {
  KERNEL_CHOICES_FORMAT, KERNEL_CHOICES_VERSION, KernelChoiceTable, type KernelChoiceRecord,
} from '../../../../src/engine/webgpu/autotune/choice-table';
import { adapterIdentity, type KernelChoice } from '../../../../src/engine/webgpu/autotune/decisions';
import { kernelSetVersion } from '../../../../src/engine/webgpu/autotune/kernel-set';

const GEMM: KernelChoice = { kind: 'gemm', tile: '8x32', splits: 4, micros: 12.5, ruleMicros: 20 };
const CONV: KernelChoice = { kind: 'conv', algorithm: 'implicit', micros: 3, ruleMicros: 4 };
const SWIFTSHADER = adapterIdentity({ vendor: 'google', architecture: 'swiftshader', device: '', description: 'SwiftShader Device' });
const OTHER_GPU = adapterIdentity({ vendor: 'nvidia', architecture: 'ampere', device: '', description: '' });

function record(over: Partial<Record<keyof KernelChoiceRecord, unknown>> = {}): unknown {
  return { format: KERNEL_CHOICES_FORMAT, version: KERNEL_CHOICES_VERSION, kernelSet: 'k1', adapters: { [SWIFTSHADER]: { g: GEMM, c: CONV } }, ...over };
}

function read(raw: unknown, kernelSet = 'k1'): { table: KernelChoiceTable; warnings: string[] } {
  const warnings: string[] = [];
  return { table: KernelChoiceTable.fromRecord(raw, kernelSet, (w) => warnings.push(w)), warnings };
}

describe('kernel choice table', () => {
  it('round-trips through its JSON record, keyed by adapter', () => {
    const table = new KernelChoiceTable('k1');
    table.set(SWIFTSHADER, 'g', GEMM);
    table.set(OTHER_GPU, 'c', CONV);
    assert.ok(table.changed);
    const json = JSON.parse(JSON.stringify(table.toRecord())) as unknown;
    const { table: back, warnings } = read(json);
    assert.deepEqual(warnings, []);
    assert.deepEqual(back.get(SWIFTSHADER, 'g'), GEMM);
    assert.deepEqual(back.get(OTHER_GPU, 'c'), CONV);
    assert.equal(back.get(OTHER_GPU, 'g'), undefined, 'a choice measured on one adapter is not another\'s');
    assert.equal(back.changed, false, 'reading is not a change to save');
  });

  it('keys adapters by vendor, architecture, device and description', () => {
    assert.notEqual(adapterIdentity({ vendor: 'google', architecture: 'swiftshader' }), adapterIdentity({ vendor: 'google', architecture: 'other' }));
    assert.equal(adapterIdentity({}), '|||');
  });

  it('drops a record of another kernel set quietly, and one of another version or format with a warning', () => {
    const stale = read(record(), 'k2');
    assert.equal(stale.table.get(SWIFTSHADER, 'g'), undefined);
    assert.deepEqual(stale.warnings, [], 'a kernel change is not a problem to report');
    const newer = read(record({ version: KERNEL_CHOICES_VERSION + 1 }));
    assert.equal(newer.table.get(SWIFTSHADER, 'g'), undefined);
    assert.match(newer.warnings.join(), /version 2.*reads 1/);
    const foreign = read({ hello: 'world' });
    assert.equal(foreign.table.get(SWIFTSHADER, 'g'), undefined);
    assert.match(foreign.warnings.join(), /not a ConvLab kernel-choice record/);
  });

  it('ignores corrupt content without throwing: wrong types, unknown kernels, bad numbers', () => {
    for (const raw of ['{"format":', 42, [], true]) {
      const { warnings } = read(raw);
      assert.equal(warnings.length, 1, JSON.stringify(raw));
    }
    assert.deepEqual(read(undefined).warnings, [], 'nothing stored yet is not a problem');
    assert.match(read(record({ adapters: [] })).warnings.join(), /no "adapters" object/);
    const { table, warnings } = read(record({
      adapters: {
        [SWIFTSHADER]: {
          good: GEMM, conv: CONV,
          unknownTile: { ...GEMM, tile: '128x128' }, zeroSplits: { ...GEMM, splits: 0 }, fractional: { ...GEMM, splits: 1.5 },
          negative: { ...CONV, micros: -1 }, nan: { ...CONV, ruleMicros: 'fast' }, badAlgorithm: { ...CONV, algorithm: 'winograd' },
          notAnObject: 'x', unknownKind: { kind: 'pool', micros: 1, ruleMicros: 1 },
        },
        [OTHER_GPU]: 'not entries',
      },
    }));
    assert.deepEqual(table.get(SWIFTSHADER, 'good'), GEMM);
    assert.deepEqual(table.get(SWIFTSHADER, 'conv'), CONV);
    for (const key of ['unknownTile', 'zeroSplits', 'fractional', 'negative', 'nan', 'badAlgorithm', 'notAnObject', 'unknownKind']) {
      assert.equal(table.get(SWIFTSHADER, key), undefined, key);
    }
    assert.deepEqual(warnings, ['kernel choices: ignored 9 malformed stored entries']);
  });

  it('keeps only known fields of a stored choice', () => {
    const { table } = read(record({ adapters: { a: { g: { ...GEMM, extra: { deep: true } } } } }));
    assert.deepEqual(table.get('a', 'g'), GEMM);
  });

  it('fingerprints the candidate kernels: stable, 8 hex digits', () => {
    assert.match(kernelSetVersion(), /^[0-9a-f]{8}$/);
    assert.equal(kernelSetVersion(), kernelSetVersion());
  });
});
