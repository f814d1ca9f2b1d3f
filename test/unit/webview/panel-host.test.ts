// The host side's pure parts: the page and its Content Security Policy, checkpoint paths, the texts
// people see, and the checkpoint written from a trainer state (it must decode to the same thing).
import * as assert from 'node:assert/strict';
import { decodeCheckpoint, encodeCheckpoint } from '../../../src/engine/checkpoint';
import { latestCheckpointPath as defaultCheckpointPath } from '../../../src/engine/node';
import { contentSecurityPolicy, makeNonce, panelHtml } from '../../../src/extension/panel/html';
import {
  checkpointFromState, formatSeconds, gradCheckMessage, modelErrorsMessage, modelName, runSummaryMessage,
} from '../../../src/extension/panel/summaries';
import { analyze } from '../../../src/lang';
import type { GradCheckSummary, RunSummary, TrainingStatePayload } from '../../../src/protocol';

describe('panel host: page and CSP', () => {
  const resources = {
    cspSource: 'https://file+.vscode-resource.vscode-cdn.net', nonce: 'abc123==', title: 'Train "x" <y>',
    scriptUri: 'https://r/dist/webview.js', styleUri: 'https://r/dist/webview.css', workerUri: 'https://r/dist/cpu-worker.js?a=1&b=2',
  };

  it('allows scripts only with the nonce (plus compiling WebAssembly), workers only from blob:, everything else only from the extension', () => {
    const csp = contentSecurityPolicy(resources.cspSource, resources.nonce);
    const directives = new Map(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
    assert.equal(directives.get('default-src'), "'none'");
    assert.equal(directives.get('script-src'), "'nonce-abc123==' 'wasm-unsafe-eval'");
    assert.equal(directives.get('worker-src'), 'blob:');
    assert.equal(directives.get('style-src'), resources.cspSource);
    assert.equal(directives.get('connect-src'), resources.cspSource);
    // 'wasm-unsafe-eval' compiles the CPU engine's WebAssembly; JavaScript eval stays forbidden.
    assert.ok(!csp.includes("'unsafe-inline'") && !csp.includes("'unsafe-eval'"));
  });

  it('loads the bundle with the nonce and escapes attribute values', () => {
    const html = panelHtml(resources);
    assert.match(html, /<script nonce="abc123==" src="https:\/\/r\/dist\/webview\.js"><\/script>/);
    assert.match(html, /data-worker-url="https:\/\/r\/dist\/cpu-worker\.js\?a=1&amp;b=2"/);
    assert.match(html, /<title>Train &quot;x&quot; &lt;y&gt;<\/title>/);
    assert.equal((html.match(/<script/g) ?? []).length, 1, 'one script, no inline code');
  });

  it('makes a fresh 128-bit nonce each time', () => {
    const a = makeNonce(), b = makeNonce();
    assert.notEqual(a, b);
    assert.equal(Buffer.from(a, 'base64').length, 16);
  });
});

describe('panel host: texts and paths', () => {
  it('puts the checkpoint beside the model', () => {
    assert.equal(defaultCheckpointPath('/home/me/models/lenet5.cnn'), '/home/me/models/lenet5.ckpt.safetensors');
    assert.equal(modelName('/home/me/models/lenet5.cnn'), 'lenet5');
  });

  it('lists a broken model\'s errors with line numbers', () => {
    const a = analyze('input 1x28x28\nconv 6 kernel=50\nflatten\ndense 10\n');
    const message = modelErrorsMessage('broken', a.diagnostics);
    assert.ok(message);
    assert.match(message, /^broken has \d+ errors?, so it cannot be trained: conv \(line 2\): kernel 50×50/);
    assert.doesNotMatch(message, /line 2: conv \(line 2\)/, 'the line is named once');
    assert.equal(modelErrorsMessage('ok', analyze('input 1x28x28\nflatten\ndense 10\n').diagnostics), null);
    const many = Array.from({ length: 5 }, (_, i) => ({
      range: { start: { line: i, character: 0 }, end: { line: i, character: 1 } }, severity: 'error' as const, code: 'x', message: `bad ${i}`,
    }));
    assert.match(modelErrorsMessage('m', many)!, /line 3: bad 2 \(and 2 more\)\. See the Problems panel\.$/);
  });

  it('summarises a finished and a stopped run', () => {
    const done: RunSummary = { reason: 'completed', epochs: 3, globalStep: 375, seconds: 72.4, loss: 0.1, trainAccuracy: 0.965, testAccuracy: 0.978, backend: 'webgpu (nvidia)' };
    assert.equal(runSummaryMessage('lenet5', done, '/m/lenet5.ckpt.safetensors'),
      'lenet5: trained 3 epochs in 1m 12s on webgpu (nvidia) — test accuracy 97.8%, train 96.5%. Saved lenet5.ckpt.safetensors.');
    const stopped: RunSummary = { ...done, reason: 'stopped', epochs: 0, globalStep: 1, trainAccuracy: null, testAccuracy: null };
    assert.equal(runSummaryMessage('m', stopped, null), 'm: stopped after 1 step (0 full epochs) in 1m 12s on webgpu (nvidia).');
    assert.equal(formatSeconds(3725), '1h 02m');
  });

  it('summarises a gradient check', () => {
    const row = { name: 'layers.0.weight', shape: [6, 1, 5, 5], checked: 40, skipped: 1, total: 150, maxRelativeError: 3e-7, analytic: 1, numeric: 1, referenceError: null, passed: true };
    const r: GradCheckSummary = { backend: 'cpu (f64)', precision: 'f64', tolerance: 1e-5, epsilon: 1e-6, passed: true, seconds: 1, reference: null, tensors: [row] };
    assert.equal(gradCheckMessage('m', r), 'm: all 1 gradient tensors agree with finite differences (max relative error 3.0e-7, f64 on cpu (f64)).');
    const failed = { ...r, passed: false, tensors: [row, { ...row, name: 'layers.3.bias', passed: false }] };
    assert.equal(gradCheckMessage('m', failed), 'm: 1 of 2 gradient tensors disagree with finite differences: layers.3.bias.');
  });
});

describe('panel host: checkpoint from a trainer state', () => {
  it('carries the tensors and the metadata docs/checkpoints.md lists, and survives encode/decode', () => {
    const text = 'input 1x4x4\nflatten\ndense 3\nsoftmax\ntrain data=mnist epochs=2 batch=8 lr=0.01 seed=5\n';
    const spec = analyze(text).spec;
    const state: TrainingStatePayload = {
      tensors: [
        { name: 'layers.1.weight', shape: [3, 16], data: Float32Array.from({ length: 48 }, (_, i) => i / 7) },
        { name: 'optim.layers.1.weight.momentum', shape: [3, 16], data: new Float32Array(48).fill(0.25) },
      ],
      epoch: 1, step: 42, backend: 'webgpu',
      settings: { epochs: 2, batch: 8, lr: 0.02, optimizer: 'sgd', momentum: 0.9, decay: 0, weightDecay: 0, seed: 5 },
    };
    const created = new Date('2026-01-02T03:04:05Z');
    const c = checkpointFromState(state, text, spec, created);
    const back = decodeCheckpoint(encodeCheckpoint(c), 'test');
    assert.deepEqual([...back.tensors.keys()], ['layers.1.weight', 'optim.layers.1.weight.momentum']);
    assert.deepEqual(Array.from(back.tensors.get('layers.1.weight')!.data), Array.from(state.tensors[0].data));
    assert.equal(back.metadata.modelText, text);
    assert.equal(back.metadata.step, 42);
    assert.equal(back.metadata.epoch, 1);
    assert.equal(back.metadata.seed, 5);
    assert.equal(back.metadata.backend, 'webgpu');
    assert.equal(back.metadata.created, created.toISOString());
    assert.deepEqual(back.metadata.data, { kind: 'mnist' });
    assert.deepEqual(back.metadata.optimizer, { kind: 'sgd', lr: 0.02, momentum: 0.9, decay: 0, weightDecay: 0 });
  });
});
