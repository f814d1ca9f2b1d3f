// The host's numbered checkpoints as the panel offers them: the "Resume from checkpoint" pick (newest
// first, with step, epochs, accuracy and time, then Browse…), the text after a panel closed mid-run,
// and a checkpoint written from a state with its resume point.
import * as assert from 'node:assert/strict';
import { decodeCheckpoint, encodeCheckpoint, type CheckpointMetadata } from '../../../src/engine/checkpoint';
import { BROWSE_LABEL, checkpointItems, unreadableLines } from '../../../src/extension/panel/checkpoint-items';
import { checkpointFromState, closedMidRunMessage } from '../../../src/extension/panel/summaries';
import { analyze } from '../../../src/lang';
import { trainerStatePayload, type TrainingStatePayload } from '../../../src/protocol';

function metadata(step: number, epoch: number, metrics?: CheckpointMetadata['metrics']): CheckpointMetadata {
  return {
    modelText: 'x', seed: 1, epoch, step, backend: 'cpu', created: '2026-12-02T07:05:09.123Z', data: { kind: 'mnist' },
    optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9, decay: 0, weightDecay: 0 }, ...(metrics ? { metrics } : {}),
  };
}

describe('panel host: checkpoint pick', () => {
  it('lists checkpoints newest first with step, epochs, accuracy, optimizer and time, then Browse…', () => {
    const items = checkpointItems({
      checkpoints: [
        { path: '/m/lenet5.step-000100.ckpt.safetensors', step: 100, metadata: metadata(100, 1) },
        { path: '/m/lenet5.step-001250.ckpt.safetensors', step: 1250, metadata: metadata(1250, 5, { accuracy: 0.9651, testAccuracy: 0.978 }) },
      ],
      unreadable: [],
    });
    assert.deepEqual(items, [
      {
        label: 'step 1,250', description: '5 epochs done · test 97.8%, train 96.5% · sgd',
        detail: 'lenet5.step-001250.ckpt.safetensors · 2026-12-02 07:05 UTC', path: '/m/lenet5.step-001250.ckpt.safetensors',
      },
      { label: 'step 100', description: '1 epoch done · sgd', detail: 'lenet5.step-000100.ckpt.safetensors · 2026-12-02 07:05 UTC', path: '/m/lenet5.step-000100.ckpt.safetensors' },
      { label: BROWSE_LABEL, description: 'choose another checkpoint file', path: null },
    ]);
  });

  it('offers only Browse… without checkpoints, and names each unreadable file for the log', () => {
    const list = { checkpoints: [], unreadable: [{ path: '/m/a.step-000007.ckpt.safetensors', problem: 'not a checkpoint' }] };
    assert.deepEqual(checkpointItems(list).map((i) => i.label), [BROWSE_LABEL]);
    assert.deepEqual(unreadableLines(list), ['skipped checkpoint a.step-000007.ckpt.safetensors: not a checkpoint']);
  });
});

describe('panel host: a panel closed mid-run', () => {
  it('says where the run was saved and in which (1-based) epoch', () => {
    assert.equal(closedMidRunMessage('lenet5', { epoch: 2, step: 1377 }, '/m/lenet5.step-001377.ckpt.safetensors'),
      'lenet5 was closed while training (step 1,377, in epoch 3); its run is saved as lenet5.step-001377.ckpt.safetensors. Resume to continue it.');
  });
});

describe('panel host: checkpoint from a state with its resume point', () => {
  it('records the resume point and the figures, and reads back the same state', () => {
    const text = 'input 1x4x4\nflatten\ndense 3\nsoftmax\ntrain data=mnist epochs=2 batch=8 lr=0.01 seed=5 validation=0.1\n';
    const spec = analyze(text).spec;
    const trainer = trainerStatePayload({
      tensors: new Map([['layers.1.weight', { shape: [3, 16], data: new Float32Array(48).fill(0.5) }]]),
      epoch: 1, step: 9, epochTotals: [2, 5, 8], optimizerSteps: 4, unreported: { steps: 1, sums: [0.5, 1, 2] }, dataName: 'mnist (built-in)',
      settings: { batch: 8, optimizer: 'sgd', lr: 0.02, momentum: 0.9, decay: 0, weightDecay: 0, seed: 5, validation: 0.1 },
    });
    const state: TrainingStatePayload = {
      ...trainer, backend: 'cpu', metrics: { loss: 0.25, testAccuracy: 0.75 },
      settings: { epochs: 2, batch: 8, lr: 0.02, optimizer: 'sgd', momentum: 0.9, decay: 0, weightDecay: 0, seed: 5 },
    };
    const back = decodeCheckpoint(encodeCheckpoint(checkpointFromState(state, text, spec)), 'test').metadata;
    assert.deepEqual(back.resume, {
      optimizerStep: 4, batch: 8, validation: 0.1, dataName: 'mnist (built-in)', epochTotals: [2, 5, 8], unreported: { steps: 1, sums: [0.5, 1, 2] },
    });
    assert.deepEqual(back.metrics, { loss: 0.25, testAccuracy: 0.75 });
  });
});
