// Checkpoint state on its own: what readTrainerState takes from a network and its optimizer, and
// what writeTrainerState puts back and reports as the progress to continue from.

import * as assert from 'node:assert/strict';
import { CpuBackend } from '../../../../src/engine/cpu/backend';
import { Network } from '../../../../src/engine/network';
import { createOptimizer } from '../../../../src/engine/optim/optimizer';
import { readTrainerState, writeTrainerState, type StateParts, type TrainingProgress } from '../../../../src/engine/train/state';
import * as L from '../specs';

const spec = L.model([1, 6, 6], [L.conv(2, 3), L.batchnorm, L.relu, L.flatten, L.dense(3), L.softmax],
  'cross_entropy', { optimizer: 'adam', lr: 0.01, seed: 3 });

function parts(seed: number): StateParts {
  const backend = new CpuBackend();
  const network = new Network(backend, spec, { maxBatch: 4, seed });
  return { backend, network, optimizer: createOptimizer(backend, network.parameters, spec.train) };
}

/** Gives every optimizer slot distinct non-zero values. */
function fillSlots(p: StateParts): void {
  p.optimizer.slots.forEach((s, k) => p.backend.write(s.tensor, Float32Array.from({ length: s.length }, (_, i) => k + i / 100)));
}

const STEPS_PER_EPOCH = 7;
const midEpoch: TrainingProgress = { epoch: 1, stepInEpoch: 3, globalStep: 10, epochTotals: [4.5, 20, 48] };

describe('train: state', () => {
  it('saves weights, buffers, optimizer slots and progress by name, and restores them exactly', async () => {
    const source = parts(1);
    fillSlots(source);
    const state = await readTrainerState(source, midEpoch);
    assert.deepEqual([...state.tensors.keys()], [
      'layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias', 'layers.4.weight', 'layers.4.bias',
      'layers.1.running_mean', 'layers.1.running_var',
      ...source.optimizer.slots.map((s) => s.name),
    ]);
    assert.deepEqual(state.tensors.get('layers.0.weight')!.shape, [2, 1, 3, 3]);
    assert.deepEqual([state.epoch, state.step, state.epochTotals], [1, 10, [4.5, 20, 48]]);

    const target = parts(2);
    const progress = writeTrainerState(target, state, STEPS_PER_EPOCH);
    assert.deepEqual(progress, midEpoch);
    const again = await readTrainerState(target, progress);
    for (const [name, t] of state.tensors) assert.deepEqual(again.tensors.get(name)!.data, t.data, name);
  });

  it('starts the optimizer fresh from a weights-only state', async () => {
    const source = parts(1);
    const full = await readTrainerState(source, midEpoch);
    const weightsOnly = { ...full, tensors: new Map([...full.tensors].filter(([name]) => !name.startsWith('optim.'))) };
    const target = parts(2);
    fillSlots(target);
    writeTrainerState(target, weightsOnly, STEPS_PER_EPOCH);
    for (const s of target.optimizer.slots) assert.ok((await target.backend.read(s.tensor)).every((v) => v === 0), s.name);
  });

  it('continues at an epoch boundary with fresh totals, and without totals when none were saved', async () => {
    const state = await readTrainerState(parts(1), midEpoch);
    const boundary = writeTrainerState(parts(2), { ...state, epoch: 2, step: 14 }, STEPS_PER_EPOCH);
    assert.deepEqual(boundary, { epoch: 2, stepInEpoch: 0, globalStep: 14, epochTotals: [0, 0, 0] });
    // Every step of the unfinished epoch taken: never continue past the end of an epoch.
    const allTaken = writeTrainerState(parts(2), { ...state, epoch: 1, step: 14 }, STEPS_PER_EPOCH);
    assert.deepEqual(allTaken, { epoch: 1, stepInEpoch: 0, globalStep: 14, epochTotals: [0, 0, 0] });
    const noTotals = writeTrainerState(parts(2), { tensors: state.tensors, epoch: 1, step: 10 }, STEPS_PER_EPOCH);
    assert.deepEqual(noTotals, { epoch: 1, stepInEpoch: 3, globalStep: 10, epochTotals: [0, 0, 0] });
  });

  it('refuses invalid progress and mis-sized optimizer tensors', async () => {
    const state = await readTrainerState(parts(1), midEpoch);
    assert.throws(() => writeTrainerState(parts(2), { ...state, step: -1 }, STEPS_PER_EPOCH), /saved progress is not valid \(epoch 1, step -1\)/);
    const slot = parts(1).optimizer.slots[0].name;
    const tensors = new Map(state.tensors).set(slot, { shape: [1], data: new Float32Array(1) });
    assert.throws(() => writeTrainerState(parts(2), { ...state, tensors }, STEPS_PER_EPOCH), new RegExp(`saved optimizer tensor '${slot.replace(/\./g, '\\.')}' has 1 values`));
  });
});
