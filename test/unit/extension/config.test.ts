import { strict as assert } from 'node:assert';
import { DEFAULT_CONFIG, readConfig, type ConfigSource } from '../../../src/extension/config';

function source(values: Record<string, unknown>): ConfigSource {
  return { get: <T>(key: string, fallback: T) => (key in values ? (values[key] as T) : fallback) };
}

describe('extension config', () => {
  it('uses the defaults when nothing is set', () => {
    assert.deepEqual(readConfig(source({})), DEFAULT_CONFIG);
  });

  it('reads every setting', () => {
    const c = readConfig(source({
      'inlayHints.enabled': false, 'inlayHints.showParams': false, 'inlayHints.showFlops': true,
      'diagnostics.debounceMs': 40, memoryBudgetMB: 256, 'data.maxMB': 512, 'webgpu.autotune': false,
    }));
    assert.deepEqual(c, {
      inlayHints: { enabled: false, showParams: false, showFlops: true },
      debounceMs: 40,
      memoryBudgetBytes: 256 * 1024 * 1024,
      maxDataBytes: 512 * 1024 * 1024,
      webgpu: { autotune: false },
    });
  });

  it('falls back on wrong types and clamps numbers', () => {
    const c = readConfig(source({
      'inlayHints.enabled': 'yes', 'diagnostics.debounceMs': -5, memoryBudgetMB: Number.NaN,
    }));
    assert.equal(c.inlayHints.enabled, true);
    assert.equal(c.debounceMs, 0);
    assert.equal(c.memoryBudgetBytes, DEFAULT_CONFIG.memoryBudgetBytes);
    assert.equal(readConfig(source({ 'diagnostics.debounceMs': 1e9 })).debounceMs, 5000);
    assert.equal(readConfig(source({ memoryBudgetMB: 0 })).memoryBudgetBytes, 2 ** 20);
  });

  it('reads the data budget in MB, 2048 by default, at least 1 MB', () => {
    assert.equal(DEFAULT_CONFIG.maxDataBytes, 2048 * 2 ** 20);
    assert.equal(readConfig(source({ 'data.maxMB': 100 })).maxDataBytes, 100 * 2 ** 20);
    assert.equal(readConfig(source({ 'data.maxMB': 'lots' })).maxDataBytes, DEFAULT_CONFIG.maxDataBytes);
    assert.equal(readConfig(source({ 'data.maxMB': -3 })).maxDataBytes, 2 ** 20);
  });
});
