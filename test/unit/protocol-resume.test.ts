// The messages of exact resume: a trainer state with its resume point survives the host ⇄ webview
// and page ⇄ engine schemas and the TrainerState conversions unchanged; the resume, runState and
// nonFinite/restored messages are accepted and malformed ones rejected with their path.
import * as assert from 'node:assert/strict';
import type { TrainerState } from '../../src/engine';
import {
  loadCheckpoint, parseHostMessage, parseWebviewMessage, saveCheckpoint, trainerStateOf, trainerStatePayload,
} from '../../src/protocol';
import { parse, ProtocolError } from '../../src/schema';
import { engineCommandSchema, engineEventSchema, saveState } from '../../src/webview/engine-protocol';

const savedSettings = { batch: 4, optimizer: 'adam' as const, lr: 0.01, momentum: 0, decay: 0.001, weightDecay: 0, seed: 3, validation: 0.1 };
const trainerState: TrainerState = {
  tensors: new Map([['layers.1.weight', { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }]]),
  epoch: 1, step: 17, epochTotals: [3.5, 9, 12], optimizerSteps: 5, unreported: { steps: 2, sums: [0.75, 3, 4] },
  settings: savedSettings, dataName: 'mnist (built-in)',
};
const runSettings = { epochs: 3, batch: 4, lr: 0.01, optimizer: 'adam', momentum: 0, decay: 0.001, weightDecay: 0, seed: 3 };

describe('protocol: exact resume', () => {
  it('round-trips a trainer state through every schema that carries it', () => {
    const payload = trainerStatePayload(trainerState);
    const viaEngine = parse(saveState.result, payload);
    const viaHost = parse(saveCheckpoint.params, { choose: false, state: { ...viaEngine, backend: 'cpu', settings: runSettings } }).state;
    const viaLoad = parse(loadCheckpoint.result, { path: '/m/a.ckpt.safetensors', modelDiffers: false, ...viaHost });
    assert.ok(viaLoad);
    const back = trainerStateOf(viaLoad);
    assert.deepEqual({ ...back, tensors: [...back.tensors] }, { ...trainerState, tensors: [...trainerState.tensors] });
  });

  it('keeps a state without a resume point as just weights and counters', () => {
    const old: TrainerState = { tensors: trainerState.tensors, epoch: 2, step: 30 };
    const payload = trainerStatePayload(old);
    assert.equal(payload.resume, undefined);
    assert.deepEqual(trainerStateOf(parse(saveState.result, payload)), old);
  });

  it('rejects a malformed resume point at its path', () => {
    const payload = trainerStatePayload(trainerState);
    const bad = (resume: object) => () => parse(saveState.result, { ...payload, resume: { ...payload.resume, ...resume } });
    assert.throws(bad({ epochTotals: [1, 2] }), (e: unknown) => e instanceof ProtocolError && /resume\.epochTotals/.test(e.message));
    assert.throws(bad({ settings: { ...savedSettings, validation: 2 } }), /resume\.settings\.validation/);
    assert.throws(bad({ unreported: { steps: -1, sums: [0, 0, 0] } }), /resume\.unreported\.steps/);
  });

  it('accepts the resume, runState and loadCheckpoint-with-path messages', () => {
    assert.deepEqual(parseHostMessage({ type: 'resume', path: '/m/a.step-000017.ckpt.safetensors' }), { type: 'resume', path: '/m/a.step-000017.ckpt.safetensors' });
    const state = { ...trainerStatePayload(trainerState), backend: 'webgpu', settings: runSettings, metrics: { loss: 0.3, accuracy: 0.9 } };
    const m = parseWebviewMessage({ type: 'runState', state });
    assert.equal(m.type === 'runState' && m.state.resume?.optimizerSteps, 5);
    assert.deepEqual(parse(loadCheckpoint.params, { path: '/m/a.ckpt.safetensors' }), { path: '/m/a.ckpt.safetensors' });
    assert.throws(() => parseWebviewMessage({ type: 'runState', state: { ...state, metrics: { accuracy: 1.5 } } }), /state\.metrics\.accuracy/);
  });

  it('carries a start with a full restore, the restored notes and the nonFinite event', () => {
    const plots = { plotEvery: 10, example: 0 };
    const start = parse(engineCommandSchema, { type: 'start', settings: runSettings, reportEvery: 2, plots, restore: trainerStatePayload(trainerState) });
    assert.equal(start.type === 'start' && start.restore?.resume?.dataName, 'mnist (built-in)');
    assert.deepEqual(parse(engineEventSchema, { type: 'restored', epoch: 1, step: 17, notes: ['batch differs'] }),
      { type: 'restored', epoch: 1, step: 17, notes: ['batch differs'] });
    const nonFinite = { type: 'nonFinite', epoch: 2, step: 18, layer: 3, where: 'activation', tensor: null, lastGoodStep: 17, message: 'non-finite values…' };
    assert.deepEqual(parse(engineEventSchema, { type: 'train', event: nonFinite }), { type: 'train', event: nonFinite });
    assert.throws(() => parse(engineEventSchema, { type: 'train', event: { ...nonFinite, where: 'elsewhere' } }), /event\.where/);
  });
});
