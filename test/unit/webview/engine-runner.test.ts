// The engine side of the panel on the CPU backend, as the CPU worker runs it: commands in, events out.
// A tiny conv net on a synthetic 3-class data set, so every event kind appears within milliseconds.
import * as assert from 'node:assert/strict';
import { CpuBackend, type Backend } from '../../../src/engine';
import { analyze } from '../../../src/lang';
import type { DatasetPayload } from '../../../src/protocol';
import { Requester, type ParamsOf, type RequestType, type ResponseMessage, type ResultOf } from '../../../src/rpc';
import { parse } from '../../../src/schema';
import { checkGradients, engineEventSchema, saveState, type EngineNotification } from '../../../src/webview/engine-protocol';
import { EngineRunner, type BackendPurpose } from '../../../src/webview/engine-runner';
import { HISTOGRAM_BINS } from '../../../src/webview/telemetry';

const MODEL = `input 1x6x6
conv 2 kernel=3
relu
maxpool 2
flatten
dense 3
softmax
train epochs=2 batch=4 lr=0.1 momentum=0.9 seed=7
`;

/** Class k: a bright row k·2 (plus noise), so the net can learn it. */
function syntheticDataset(train: number, test: number): DatasetPayload {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const split = (count: number) => {
    const images = new Uint8Array(count * 36), labels = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const k = i % 3;
      labels[i] = k;
      for (let p = 0; p < 36; p++) images[i * 36 + p] = Math.floor(rand() * 40) + (Math.floor(p / 6) === 2 * k ? 200 : 0);
    }
    return { count, images, labels };
  };
  return { name: 'synthetic', description: 'synthetic', shape: [1, 6, 6], classes: 3, classNames: ['top', 'middle', 'bottom'], train: split(train), test: split(test) };
}

class Harness {
  readonly events: EngineNotification[] = [];
  readonly responses: ResponseMessage[] = [];
  readonly backends: Backend[] = [];
  private waiters: (() => void)[] = [];
  private readonly requests = new Requester((request) => this.runner.receive(request));
  readonly runner = new EngineRunner((e) => {
    // Every event must pass the validation the panel applies on receipt.
    const event = parse(engineEventSchema, e, 'event');
    if (event.type === 'response') {
      this.responses.push(event);
      this.requests.receive(event);
    } else {
      this.events.push(event);
    }
    for (const w of this.waiters.splice(0)) w();
  }, async (purpose: BackendPurpose) => {
    const b = new CpuBackend({ precision: purpose === 'gradcheck' ? 'f64' : 'f32' });
    this.backends.push(b);
    return b;
  });

  of<T extends EngineNotification['type']>(type: T): Extract<EngineNotification, { type: T }>[] {
    return this.events.filter((e): e is Extract<EngineNotification, { type: T }> => e.type === type);
  }
  request<T extends RequestType>(type: T, params: ParamsOf<T>): Promise<ResultOf<T>> {
    return this.requests.request(type, params);
  }
  trainEvents(type: string) {
    return this.of('train').map((e) => e.event).filter((e) => e.type === type);
  }

  async until(what: string, pred: () => boolean, timeoutMs = 20_000): Promise<void> {
    const start = Date.now();
    while (!pred()) {
      const failed = this.of('failed');
      if (failed.length > 0) throw new Error(`engine failed while waiting for ${what}: ${failed.map((f) => f.message).join('; ')}`);
      if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => { this.waiters.push(resolve); setTimeout(resolve, 50); });
    }
  }
}

const spec = analyze(MODEL).spec;
const settings = { epochs: 2, batch: 4, lr: 0.1, optimizer: 'sgd' as const, momentum: 0.9, decay: 0, weightDecay: 0, seed: 7 };

describe('webview: engine runner (CPU)', function () {
  this.timeout(30_000);

  it('trains to the end, with steps, plots, evaluations and the done event last', async () => {
    const h = new Harness();
    const data = syntheticDataset(24, 6);
    h.runner.receive({ type: 'load', spec, dataset: data });
    h.runner.receive({ type: 'start', settings, reportEvery: 2, plots: { plotEvery: 2, example: 4 }, restore: null });
    await h.until('done', () => h.trainEvents('done').length > 0);

    assert.deepEqual(h.of('backend').map((b) => b.name), ['cpu']);
    const steps = h.trainEvents('step');
    assert.ok(steps.length >= 6, `${steps.length} step reports for 12 steps at reportEvery 2`);
    const done = h.trainEvents('done')[0] as { reason: string; globalStep: number };
    assert.equal(done.reason, 'completed');
    assert.equal(done.globalStep, 12);
    assert.equal(h.events.at(-1)!.type, 'train', 'done is the last event');

    // Test evaluation with a confusion matrix after each epoch, before `done`.
    const evals = h.of('evaluation');
    assert.deepEqual(evals.map((e) => e.epoch), [1, 2]);
    for (const e of evals) {
      assert.equal(e.confusion.length, 3);
      assert.equal(e.confusion.flat().reduce((a, b) => a + b, 0), 6, 'every test example counted once');
      const diagonal = e.confusion.reduce((s, row, i) => s + row[i], 0);
      assert.ok(Math.abs(diagonal / 6 - e.accuracy) < 1e-9, 'accuracy = diagonal share');
      assert.equal(e.validationAccuracy, null);
    }
    assert.ok(h.events.findIndex((e) => e.type === 'evaluation' && e.epoch === 2) < h.events.length - 1);

    // Gradients: every parameter, a histogram that counts every value.
    const grads = h.of('gradients');
    assert.ok(grads.length >= 2);
    const last = grads.at(-1)!;
    assert.deepEqual(last.tensors.map((t) => t.name), ['layers.0.weight', 'layers.0.bias', 'layers.4.weight', 'layers.4.bias']);
    const lengths = [2 * 9, 2, 3 * 8, 3];
    last.tensors.forEach((t, i) => {
      assert.equal(t.counts.length, HISTOGRAM_BINS);
      assert.equal(t.counts.reduce((a, b) => a + b, 0), lengths[i]);
      assert.ok(t.norm > 0 && Number.isFinite(t.norm));
    });

    // Feature maps of the chosen test image, for the conv and pool layers.
    const f = h.of('features').at(-1)!;
    assert.equal(f.example, 4);
    assert.equal(f.label, data.test.labels[4]);
    assert.deepEqual(f.maps.map((m) => [m.layer, m.kind, m.shape]), [[0, 'conv', [2, 4, 4]], [2, 'maxpool', [2, 2, 2]]]);
    assert.deepEqual(f.input.shape, [1, 6, 6]);
    assert.ok(Math.abs(f.input.data[0] - data.test.images[4 * 36] / 255) < 1e-6, 'the input image is the test example, normalised');
    assert.ok(f.confidence > 0 && f.confidence <= 1);
    // The maxpool output is the 2×2 max of the conv output (of the same forward pass).
    const conv = f.maps[0].data, pool = f.maps[1].data;
    const max = Math.max(conv[0], conv[1], conv[4], conv[5]);
    assert.ok(Math.abs(pool[0] - Math.max(0, max)) < 1e-6, `pool ${pool[0]} vs relu(max) ${max}`);

    const filters = h.of('filters').at(-1)!;
    assert.deepEqual(filters.shape, [2, 1, 3, 3]);
    assert.equal(filters.data.length, 18);

    // The loss falls on this separable data.
    const losses = steps.map((s) => (s as { loss: number }).loss);
    assert.ok(losses.at(-1)! < losses[0], `loss ${losses[0]} → ${losses.at(-1)}`);
  });

  it('pauses for the person, steps once, resumes, saves state mid-run and stops', async () => {
    const h = new Harness();
    h.runner.receive({ type: 'load', spec, dataset: syntheticDataset(400, 6) });
    h.runner.receive({ type: 'start', settings: { ...settings, epochs: 50 }, reportEvery: 1, plots: { plotEvery: 1000, example: 0 }, restore: null });
    await h.until('a few steps', () => h.trainEvents('step').length >= 3);
    h.runner.receive({ type: 'pause' });
    await h.until('paused', () => h.of('paused').some((p) => p.paused));
    const pausedAt = h.of('paused').at(-1)!.globalStep;
    const stepsBefore = h.trainEvents('step').length;
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(h.trainEvents('step').length, stepsBefore, 'no steps while paused');

    h.runner.receive({ type: 'step' });
    await h.until('one step', () => h.trainEvents('step').length === stepsBefore + 1);
    assert.equal((h.trainEvents('step').at(-1) as { globalStep: number }).globalStep, pausedAt + 1);

    const s = await h.request(saveState, {});
    assert.equal(s.step, pausedAt + 1);
    const names = s.tensors.map((t) => t.name);
    assert.ok(names.includes('layers.0.weight') && names.includes('optim.layers.0.weight.momentum'), names.join());
    assert.equal(h.of('paused').at(-1)!.paused, true, 'saving keeps a paused run paused');

    h.runner.receive({ type: 'setLearningRate', lr: 0.01 });
    h.runner.receive({ type: 'resume' });
    await h.until('resumed steps', () => h.trainEvents('step').length > stepsBefore + 3);
    assert.equal(h.of('paused').at(-1)!.paused, false);
    assert.equal((h.trainEvents('step').at(-1) as { lr: number }).lr, 0.01, 'live learning rate');

    // Saving while running pauses internally and continues without showing a pause.
    const pausesShown = h.of('paused').length;
    await h.request(saveState, {});
    const stepsAtSave = h.trainEvents('step').length;
    await h.until('steps after the save', () => h.trainEvents('step').length > stepsAtSave + 2);
    assert.equal(h.of('paused').length, pausesShown, 'the internal pause is invisible');

    h.runner.receive({ type: 'stop' });
    await h.until('stopped', () => h.trainEvents('done').length > 0);
    assert.equal((h.trainEvents('done')[0] as { reason: string }).reason, 'stopped');
    assert.deepEqual(h.of('failed'), []);
  });

  it('continues from a saved state at the saved step', async () => {
    const first = new Harness();
    const data = syntheticDataset(24, 6);
    first.runner.receive({ type: 'load', spec, dataset: data });
    first.runner.receive({ type: 'start', settings: { ...settings, epochs: 1 }, reportEvery: 2, plots: { plotEvery: 100, example: 0 }, restore: null });
    await first.until('done', () => first.trainEvents('done').length > 0);
    const saved = await first.request(saveState, {});
    assert.equal(saved.epoch, 1);

    const second = new Harness();
    second.runner.receive({ type: 'load', spec, dataset: data });
    second.runner.receive({ type: 'start', settings, reportEvery: 2, plots: { plotEvery: 100, example: 0 }, restore: { epoch: saved.epoch, step: saved.step, tensors: saved.tensors } });
    await second.until('done', () => second.trainEvents('done').length > 0);
    const start = second.trainEvents('start')[0] as { epoch: number; step: number };
    assert.deepEqual([start.epoch, start.step], [1, 6]);
    assert.deepEqual(second.of('evaluation').map((e) => e.epoch), [2], 'only the remaining epoch runs');
  });

  it('refuses malformed and out-of-order commands with a failed event, never an exception', async () => {
    const h = new Harness();
    h.runner.receive({ type: 'start' });
    h.runner.receive('nonsense');
    h.runner.receive({ type: 'pause' });
    h.runner.receive({ type: 'start', settings, reportEvery: 1, plots: { plotEvery: 1, example: 0 }, restore: null });
    await new Promise((r) => setTimeout(r, 20));
    const messages = h.of('failed').map((f) => f.message);
    assert.equal(messages.length, 4);
    assert.match(messages[0], /malformed command \(command\.settings: missing\)/);
    assert.match(messages[1], /malformed command \(command\.type/);
    assert.match(messages[2], /nothing to pause: training has not started/);
    assert.match(messages[3], /no model loaded/);
  });

  it('answers a request it cannot serve with an error reply, and a malformed one without acting on it', async () => {
    const h = new Harness();
    await assert.rejects(h.request(saveState, {}), /^RequestError: nothing to saveState: training has not started$/);
    await assert.rejects(h.request(checkGradients, {}), /no model loaded/);
    h.runner.receive({ type: 'request', id: 7, method: 'saveState', params: 'now' });
    h.runner.receive({ type: 'request', id: 8, method: 'explode', params: {} });
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(h.responses.filter((r) => r.id >= 7), [
      { type: 'response', id: 7, error: 'invalid saveState request: params: expected an object, got "now"' },
      { type: 'response', id: 8, error: 'unknown request "explode"' },
    ]);
    assert.deepEqual(h.of('failed'), [], 'requests are answered, not reported as failures');
  });

  it('reports a model/data mismatch as a failure of the start command and frees the backend', async () => {
    const h = new Harness();
    const wrong = syntheticDataset(8, 2);
    h.runner.receive({ type: 'load', spec: analyze(MODEL.replace('1x6x6', '1x8x8')).spec, dataset: wrong });
    h.runner.receive({ type: 'start', settings, reportEvery: 1, plots: { plotEvery: 1, example: 0 }, restore: null });
    await h.until('failure', () => h.events.some((e) => e.type === 'failed')).catch(() => undefined);
    assert.match(h.of('failed')[0].message, /1×6×6 examples but the model's input is 1×8×8/);
  });

  it('checks gradients on its own f64 backend', async () => {
    const h = new Harness();
    h.runner.receive({ type: 'load', spec, dataset: syntheticDataset(8, 2) });
    const result = await h.request(checkGradients, {});
    assert.equal(result.precision, 'f64');
    assert.equal(result.tensors.length, 4);
    assert.equal(result.passed, true);
  });
});
