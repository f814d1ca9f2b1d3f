// The host ⇄ webview protocol: every message kind and every request's params and result round-trip,
// and malformed ones are rejected with the path of the bad value (and never crash the receiver).
import * as assert from 'node:assert/strict';
import * as v from 'valibot';
import { analyze } from '../../src/lang';
import {
  loadCheckpoint, parseHostMessage, parseWebviewMessage, panelStateHeaderSchema, runFinished, saveCheckpoint,
  type HostMessage, type WebviewMessage,
} from '../../src/protocol';
import { anyNumber, int, list, num, parse, ProtocolError, refine, str, tryParse, tuple } from '../../src/schema';

const spec = analyze('input 1x4x4\nflatten\ndense 3\nsoftmax\n').spec;

function dataset(trainCount = 2, testCount = 1) {
  return {
    name: 'tiny', description: 'tiny · 1×4×4 · 3 classes', shape: [1, 4, 4], classes: 3, classNames: ['a', 'b', 'c'],
    train: { count: trainCount, images: new Uint8Array(trainCount * 16), labels: new Uint8Array(trainCount) },
    test: { count: testCount, images: new Float32Array(testCount * 16), labels: Uint8Array.from({ length: testCount }, () => 2) },
  };
}

function init(overrides: Record<string, unknown> = {}) {
  return {
    type: 'init',
    model: {
      name: 'tiny', path: '/m/tiny.cnn', uri: 'file:///m/tiny.cnn', text: 'input 1x4x4', spec,
      layers: [{ index: 0, kind: 'flatten', text: 'flatten', output: [16], params: 0 }], totalParams: 51,
    },
    dataset: dataset(),
    checkpointPath: '/m/tiny.ckpt.safetensors',
    ...overrides,
  };
}

const settings = { epochs: 1, batch: 2, lr: 0.1, optimizer: 'sgd', momentum: 0.9, decay: 0, weightDecay: 0, seed: 1 };
const state = (tensors: unknown[]): unknown => ({ tensors, epoch: 1, step: 5, backend: 'cpu', settings });
const tensor = (name: string, shape: number[], n = shape.reduce((a, b) => a * b, 1)) => ({ name, shape, data: new Float32Array(n) });

function rejects(parse: (x: unknown) => unknown, value: unknown, path: RegExp | string): void {
  assert.throws(() => parse(value), (e: unknown) => {
    assert.ok(e instanceof ProtocolError, `a ProtocolError, got ${String(e)}`);
    if (typeof path === 'string') assert.equal(e.path, path);
    else assert.match(e.message, path);
    return true;
  });
}

describe('protocol: host → webview', () => {
  it('accepts every message kind', () => {
    const messages: unknown[] = [
      init(),
      { type: 'response', id: 3, result: { path: '/m/x.safetensors' } },
      { type: 'response', id: 4, error: 'the disk is full' },
      { type: 'notice', level: 'warning', message: 'careful' },
      { type: 'runGradientCheck' },
      { type: 'start' },
    ];
    for (const m of messages) {
      const parsed: HostMessage = parseHostMessage(m);
      assert.equal(parsed.type, (m as { type: string }).type);
    }
  });

  it('accepts the results of the webview\'s requests', () => {
    const checkpoint = { path: '/m/x.safetensors', epoch: 1, step: 10, tensors: [tensor('layers.1.weight', [3, 16])], modelDiffers: false };
    assert.equal(parse(loadCheckpoint.result, checkpoint)?.step, 10);
    assert.equal(parse(loadCheckpoint.result, null), null, 'the person cancelled');
    assert.deepEqual(parse(saveCheckpoint.result, { path: '/m/x.safetensors' }), { path: '/m/x.safetensors' });
    assert.deepEqual(parse(runFinished.result, { checkpoint: null }), { checkpoint: null });
  });

  it('keeps typed arrays as they are (no copies) and drops unknown fields', () => {
    const m = init({ extra: 'ignored' });
    const parsed = parseHostMessage(m);
    assert.equal(parsed.type, 'init');
    if (parsed.type !== 'init') return;
    assert.equal(parsed.dataset.train.images, m.dataset.train.images);
    assert.equal('extra' in parsed, false);
  });

  it('rejects unknown or missing message types', () => {
    rejects(parseHostMessage, { type: 'explode' }, 'message.type');
    rejects(parseHostMessage, {}, 'message.type');
    rejects(parseHostMessage, null, 'message.type');
    rejects(parseHostMessage, 'init', 'message.type');
  });

  it('names the bad field', () => {
    rejects(parseHostMessage, { type: 'response', id: 1.5, result: { path: 'x' } }, 'message.id');
    rejects(parseHostMessage, { type: 'notice', level: 'fatal', message: 'x' }, 'message.level');
    rejects(parseHostMessage, init({ checkpointPath: 42 }), 'message.checkpointPath');
    const m = init();
    (m.model.layers[0] as { output: unknown }).output = ['16'];
    rejects(parseHostMessage, m, 'message.model.layers[0].output[0]');
  });

  it('checks that the data set is consistent with its shape and classes', () => {
    const short = init();
    short.dataset.train.images = new Uint8Array(5);
    rejects(parseHostMessage, short, /message\.dataset\.train\.images: has 5 values, expected 2 × 16/);
    const labels = init();
    labels.dataset.test.labels = Uint8Array.of(3);
    rejects(parseHostMessage, labels, /message\.dataset\.test\.labels\[0\]: label 3 ≥ 3 classes/);
    const kind = init();
    (kind.dataset.train as { images: unknown }).images = Array.from({ length: 32 }, () => 0);
    rejects(parseHostMessage, kind, 'message.dataset.train.images');
    const shape = init();
    shape.dataset.shape = [1, 4];
    rejects(parseHostMessage, shape, 'message.dataset.shape');
  });

  it('checks checkpoint tensors: sizes match shapes, names are unique, data is Float32Array', () => {
    const base = { path: 'p', epoch: 0, step: 0, modelDiffers: true };
    const checkpoint = (x: unknown) => parse(loadCheckpoint.result, x);
    rejects(checkpoint, { ...base, tensors: [tensor('w', [2, 3], 5)] }, /message\.tensors\[0\]\.data: has 5 values, shape \[2, 3\] needs 6/);
    rejects(checkpoint, { ...base, tensors: [tensor('w', [1]), tensor('w', [1])] }, /duplicate tensor "w"/);
    rejects(checkpoint, { ...base, tensors: [{ name: 'w', shape: [2], data: [1, 2] }] }, 'message.tensors[0].data');
    rejects(checkpoint, { ...base, tensors: [{ name: 'w', shape: [2], data: new Float64Array(2) }] }, 'message.tensors[0].data');
  });
});

describe('protocol: webview → host', () => {
  it('accepts every message kind', () => {
    const result = {
      backend: 'cpu (f64)', precision: 'f64', tolerance: 1e-5, epsilon: 1e-6, passed: true, seconds: 1.5,
      tensors: [{ name: 'layers.1.weight', shape: [3, 16], checked: 40, skipped: 0, total: 48, maxRelativeError: 1e-8, analytic: 0.1, numeric: 0.1, referenceError: 2e-7, passed: true }],
      reference: 'cpu (f64)',
    };
    const summary = { reason: 'completed', epochs: 1, globalStep: 5, seconds: 2, loss: 0.5, trainAccuracy: 0.9, testAccuracy: null, backend: 'cpu (f32)' };
    const messages: unknown[] = [
      { type: 'ready' },
      { type: 'log', level: 'warn', message: 'hm' },
      { type: 'status', status: 'running', backend: 'webgpu', epoch: 0, globalStep: 12 },
      { type: 'request', id: 1, method: 'saveCheckpoint', params: { choose: false, state: state([tensor('layers.1.weight', [3, 16])]) } },
      { type: 'request', id: 2, method: 'loadCheckpoint', params: {} },
      { type: 'gradientCheckDone', result },
      { type: 'error', message: 'boom' },
    ];
    for (const m of messages) {
      const parsed: WebviewMessage = parseWebviewMessage(m);
      assert.equal(parsed.type, (m as { type: string }).type);
    }
    assert.equal(parse(saveCheckpoint.params, { choose: false, state: state([tensor('layers.1.weight', [3, 16])]) }).state.step, 5);
    assert.deepEqual(parse(loadCheckpoint.params, {}), {});
    assert.equal(parse(runFinished.params, { summary, state: null }).state, null);
    assert.equal(parse(runFinished.params, { summary, state: state([]) }).summary.reason, 'completed');
  });

  it('rejects a request without its method or params', () => {
    rejects(parseWebviewMessage, { type: 'request', id: 1, params: {} }, 'message.method');
    rejects(parseWebviewMessage, { type: 'request', id: 1, method: 'saveCheckpoint' }, 'message.params');
    rejects(parseWebviewMessage, { type: 'request', id: 0, method: 'saveCheckpoint', params: {} }, 'message.id');
  });

  it('rejects states with bad tensors or settings', () => {
    const save = (s: unknown) => ({ choose: true, state: s });
    const params = (x: unknown) => parse(saveCheckpoint.params, x);
    rejects(params, save(state([tensor('w', [4], 3)])), /message\.state\.tensors\[0\]\.data/);
    rejects(params, save({ ...(state([]) as object), backend: 'tpu' }), 'message.state.backend');
    rejects(params, save({ ...(state([]) as object), settings: { ...settings, lr: -1 } }), 'message.state.settings.lr');
    rejects(params, save({ ...(state([]) as object), settings: { ...settings, lr: NaN } }), 'message.state.settings.lr');
    rejects(params, save({ ...(state([]) as object), epoch: -1 }), 'message.state.epoch');
  });

  it('accepts diverged losses (NaN) in a run summary but not negative accuracies', () => {
    const summary = { reason: 'stopped', epochs: 0, globalStep: 1, seconds: 0, loss: NaN, trainAccuracy: null, testAccuracy: null, backend: 'x' };
    assert.ok(Number.isNaN(parse(runFinished.params, { summary, state: null }).summary.loss));
    rejects((x) => parse(runFinished.params, x), { summary: { ...summary, trainAccuracy: -0.1 }, state: null }, 'message.summary.trainAccuracy');
  });

  it('tryParse reports instead of throwing', () => {
    const bad = tryParse(parseWebviewMessage, { type: 'status', status: 'exploded' });
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.match(bad.error, /message\.status: expected one of/);
    const good = tryParse(parseWebviewMessage, { type: 'ready' });
    assert.deepEqual(good, { ok: true, message: { type: 'ready' } });
  });

  it('validates the saved panel state header the serializer reads', () => {
    assert.deepEqual(parse(panelStateHeaderSchema, { version: 1, modelUri: 'file:///a.cnn', loss: {} }), { version: 1, modelUri: 'file:///a.cnn' });
    assert.throws(() => parse(panelStateHeaderSchema, { version: 2, modelUri: 'x' }), ProtocolError);
    assert.throws(() => parse(panelStateHeaderSchema, undefined), ProtocolError);
  });
});

describe('protocol: schema building blocks', () => {
  it('bounds strings, arrays and numbers', () => {
    assert.throws(() => parse(str(3), 'abcd'), /longer than 3/);
    assert.throws(() => parse(list(num(0), 2), [1, 2, 3]), /more than 2 items/);
    assert.throws(() => parse(num(0, 1), 2), /^ProtocolError: message: expected a number ≤ 1, got 2$/);
    assert.throws(() => parse(num(0), Infinity), /finite/);
    assert.throws(() => parse(num(0), NaN), /expected a number, got NaN/);
    assert.ok(Number.isNaN(parse(anyNumber, NaN)));
    assert.throws(() => parse(int(), 2 ** 60), /integer/);
    assert.throws(() => parse(int(), -1), /≥ 0/);
    assert.deepEqual(parse(tuple([int(), str(9)]), [1, 'a']), [1, 'a']);
    assert.throws(() => parse(tuple([int(), str(9)]), [1]), /message: expected an array of 2, got an array of 1/);
    assert.throws(() => parse(tuple([int(), str(9)]), [1, 'a', 2]), /array of 2/);
    assert.equal(parse(v.nullable(int()), null), null);
    assert.throws(() => parse(v.object({ a: list(int(), 9) }), { a: [1, 'x'] }, 'state'), /^ProtocolError: state\.a\[1\]: expected a number, got "x"$/);
  });

  it('reports a refinement\'s problem at its path below the checked value, after the schema passed', () => {
    const even = v.object({ xs: v.pipe(list(int(), 9), refine((xs) => {
      const i = xs.findIndex((x) => x % 2 !== 0);
      return i < 0 ? null : { path: [i], problem: `${xs[i]} is odd` };
    })) });
    assert.deepEqual(parse(even, { xs: [2, 4] }), { xs: [2, 4] });
    assert.throws(() => parse(even, { xs: [2, 3] }), /^ProtocolError: message\.xs\[1\]: 3 is odd$/);
    assert.throws(() => parse(even, { xs: [2, 'a'] }), /message\.xs\[1\]: expected a number/, 'the schema\'s own problem comes first');
  });
});
