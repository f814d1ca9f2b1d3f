import * as assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { autotuneOptions, kernelChoiceNote, parseAutotune } from '../../../src/cli/autotune-flag';
import { defaultKernelCachePath, KernelChoiceFile } from '../../../src/cli/kernel-cache-file';
import { KERNEL_CHOICES_FORMAT, KERNEL_CHOICES_VERSION, type KernelChoiceRecord } from '../../../src/engine/webgpu/autotune/choice-table';

const RECORD: KernelChoiceRecord = {
  format: KERNEL_CHOICES_FORMAT, version: KERNEL_CHOICES_VERSION, kernelSet: 'abc',
  adapters: { 'google|swiftshader||': { 'conv:dgrad:1': { kind: 'conv', algorithm: 'implicit', micros: 5, ruleMicros: 9 } } },
};

describe('CLI kernel cache file', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'convlab-kernels-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lives under $XDG_CACHE_HOME, else ~/.cache', () => {
    assert.equal(defaultKernelCachePath({ XDG_CACHE_HOME: '/var/cache/me' }, '/home/a'), '/var/cache/me/convlab/kernels.json');
    assert.equal(defaultKernelCachePath({}, '/home/a'), '/home/a/.cache/convlab/kernels.json');
    assert.equal(defaultKernelCachePath({ XDG_CACHE_HOME: 'relative' }, '/home/a'), '/home/a/.cache/convlab/kernels.json', 'the spec ignores relative paths');
  });

  it('saves atomically into a new folder and reads the record back; nothing stored reads as undefined, quietly', async () => {
    const warnings: string[] = [];
    const file = new KernelChoiceFile(join(dir, 'deep', 'convlab', 'kernels.json'), (w) => warnings.push(w));
    assert.equal(await file.load(), undefined);
    await file.save(RECORD);
    await file.save({ ...RECORD, kernelSet: 'def' });
    assert.deepEqual(readdirSync(join(dir, 'deep', 'convlab')), ['kernels.json'], 'no temp file left behind');
    assert.deepEqual(await file.load(), { ...RECORD, kernelSet: 'def' });
    assert.deepEqual(warnings, []);
  });

  it('ignores a file that is not JSON, with a warning naming it', async () => {
    const path = join(dir, 'kernels.json');
    writeFileSync(path, '{"format": "convlab-kernel-ch');
    const warnings: string[] = [];
    assert.equal(await new KernelChoiceFile(path, (w) => warnings.push(w)).load(), undefined);
    assert.equal(warnings.length, 1);
    assert.ok(warnings[0].includes(path) && /not valid JSON/.test(warnings[0]), warnings[0]);
  });

  it('warns when the path cannot be read (a folder), and a failed save leaves the old file and no temp file', async () => {
    const warnings: string[] = [];
    assert.equal(await new KernelChoiceFile(dir, (w) => warnings.push(w)).load(), undefined);
    assert.match(warnings.join(), /could not be read/);
    const path = join(dir, 'kernels.json');
    const file = new KernelChoiceFile(path, () => {});
    await file.save(RECORD);
    const before = readFileSync(path, 'utf8');
    const circular = { ...RECORD } as Record<string, unknown>;
    circular.self = circular;
    await assert.rejects(file.save(circular as unknown as KernelChoiceRecord), /circular/i);
    assert.equal(readFileSync(path, 'utf8'), before);
    assert.deepEqual(readdirSync(dir), ['kernels.json']);
  });

  it('--autotune on|off', () => {
    assert.equal(parseAutotune(undefined), true);
    assert.equal(parseAutotune('on'), true);
    assert.equal(parseAutotune('off'), false);
    assert.throws(() => parseAutotune('yes'), /--autotune must be on or off, not 'yes'/);
    assert.deepEqual(autotuneOptions(false, () => {}), { enabled: false });
    const on = autotuneOptions(true, () => {}, { XDG_CACHE_HOME: dir }, '/nowhere');
    assert.equal(on.enabled, true);
    assert.equal((on.cache as KernelChoiceFile).path, join(dir, 'convlab', 'kernels.json'));
  });

  it('notes how many choices were tuned, cached and rule-based', () => {
    const kernelChoices = [
      { key: 'a', choice: '8x32', rule: '16x64', source: 'measured' },
      { key: 'b', choice: 'implicit', rule: 'implicit', source: 'cached' },
      { key: 'c', choice: 'direct', rule: 'direct', source: 'rule' },
    ] as const;
    assert.equal(kernelChoiceNote({ autotunes: true, kernelChoices }, true),
      'webgpu kernels: 1 tuned now, 1 tuned earlier (cache), 1 by the rules; 1 differ from the rules');
    assert.match(kernelChoiceNote({ autotunes: false, kernelChoices: [] }, true), /no timestamp queries/);
    assert.match(kernelChoiceNote({ autotunes: false, kernelChoices: [] }, false), /autotune off/);
  });
});
