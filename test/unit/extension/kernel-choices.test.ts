import * as assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { storedKernelChoices, storeKernelChoices } from '../../../src/extension/panel/kernel-choices';
import { hostAutotuneOptions } from '../../../src/webview/kernel-choices';
import type { WebviewNotification } from '../../../src/protocol';

function memento(): vscode.Memento & { values: Map<string, unknown> } {
  const values = new Map<string, unknown>();
  return {
    values,
    keys: () => [...values.keys()],
    get: <T>(key: string, fallback?: T) => (values.has(key) ? values.get(key) as T : fallback),
    update: async (key: string, value: unknown) => { values.set(key, value); },
  } as vscode.Memento & { values: Map<string, unknown> };
}

describe('kernel choices between the panel and the host', () => {
  it('the host hands out what it stored, and nothing when the setting is off', async () => {
    const state = memento();
    assert.deepEqual(storedKernelChoices(state, true), { autotune: true, record: null });
    assert.equal(await storeKernelChoices(state, { format: 'x' }), null);
    assert.deepEqual(storedKernelChoices(state, true), { autotune: true, record: { format: 'x' } });
    assert.deepEqual(storedKernelChoices(state, false), { autotune: false, record: null });
  });

  it('the host refuses an oversized record and keeps the old one', async () => {
    const state = memento();
    await storeKernelChoices(state, { format: 'old' });
    const refused = await storeKernelChoices(state, { big: 'x'.repeat(3 << 20) });
    assert.match(refused ?? '', /not stored/);
    assert.deepEqual(storedKernelChoices(state, true).record, { format: 'old' });
  });

  it('the webview engine loads the host\'s record and sends updates back', async () => {
    const sent: WebviewNotification[] = [];
    const host = {
      request: (async () => ({ autotune: true, record: { format: 'stored' } })) as never,
      notify: (m: WebviewNotification) => { sent.push(m); },
      log: () => {},
    };
    const options = await hostAutotuneOptions(host);
    assert.equal(options.autotune?.enabled, true);
    assert.deepEqual(await options.autotune?.cache?.load(), { format: 'stored' });
    const record = { format: 'convlab-kernel-choices', version: 1, kernelSet: 'k', adapters: {} } as const;
    await options.autotune?.cache?.save(record);
    assert.deepEqual(sent, [{ type: 'saveKernelChoices', record }]);
  });

  it('the webview engine uses the rules when the setting is off or the host cannot answer', async () => {
    const logs: string[] = [];
    const base = { notify: () => {}, log: (_l: string, m: string) => { logs.push(m); } };
    assert.deepEqual(await hostAutotuneOptions({ ...base, request: (async () => ({ autotune: false, record: null })) as never }), { autotune: { enabled: false } });
    assert.deepEqual(await hostAutotuneOptions({ ...base, request: (async () => { throw new Error('no such method'); }) as never }), {});
    assert.match(logs.join(), /no such method/);
  });
});
