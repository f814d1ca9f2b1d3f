// What the panel says about a run (resuming, resume notes, non-finite values) and when it keeps the
// host holding a recent state of the run.
import * as assert from 'node:assert/strict';
import type { TrainingStatePayload } from '../../../src/protocol';
import { RunStateAutosave } from '../../../src/webview/run-autosave';
import { baseName, nonFiniteText, recoveredText, resumeNotesText, resumingText } from '../../../src/webview/lib/run-texts';
import { statusText } from '../../../src/webview/ui/progress';

describe('webview: run texts', () => {
  it('names the checkpoint and the 1-based epoch a resumed run continues in', () => {
    assert.equal(baseName('C:\\m\\a.ckpt.safetensors'), 'a.ckpt.safetensors');
    assert.equal(resumingText('/m/lenet5.step-000377.ckpt.safetensors', 1, 377), 'Resuming from lenet5.step-000377.ckpt.safetensors (epoch 2, step 377)');
  });

  it('shows the trainer\'s resume notes, and nothing when it continues exactly', () => {
    assert.equal(resumeNotesText('/m/a.ckpt.safetensors', 0, 5, []), null);
    assert.equal(resumeNotesText('/m/a.ckpt.safetensors', 0, 5, ['batch 8 instead of 4', 'lr 0.1 instead of 0.05']),
      'Resuming from a.ckpt.safetensors (epoch 1, step 5), which differs from the saved run: batch 8 instead of 4; lr 0.1 instead of 0.05.');
  });

  it('labels a stopped run "Stopped" and a completed one "Finished"', () => {
    assert.equal(statusText('done', true), 'Stopped');
    assert.equal(statusText('done', false), 'Finished');
    assert.equal(statusText('paused', true), 'Paused', 'only an ended run reads Stopped');
  });

  it('says where a failed run\'s surviving state was kept and how to continue, or that it could not be kept', () => {
    assert.equal(recoveredText(40, '/m/lenet5.step-000040.ckpt.safetensors'),
      'The state of step 40 was saved to lenet5.step-000040.ckpt.safetensors: choose Backend cpu (or auto) and use "Resume from checkpoint" to continue from it.');
    assert.match(recoveredText(40, null), /^The state of step 40 survived, but it could not be saved/);
  });

  it('says where a non-finite loss appeared', () => {
    const e = { step: 12, layer: 3, where: 'activation' as const, lastGoodStep: 11, message: 'non-finite values first appeared at step 12' };
    assert.equal(nonFiniteText(e), 'Paused: non-finite loss at step 12 in layer 3 (non-finite values first appeared at step 12).');
    assert.equal(nonFiniteText({ ...e, layer: null, where: 'loss' }), 'Paused: non-finite loss at step 12 in the loss (non-finite values first appeared at step 12).');
    assert.equal(nonFiniteText({ ...e, step: null, layer: null, where: null, message: 'm' }), 'Paused: non-finite loss after step 11 (m).');
  });
});

describe('webview: run state autosave', () => {
  const state = { epoch: 0, step: 1 } as unknown as TrainingStatePayload;

  it('takes a state an interval after the start, at most one at a time, and at once when asked', async () => {
    const sent: TrainingStatePayload[] = [];
    let takes = 0;
    let release: () => void = () => undefined;
    const a = new RunStateAutosave(() => {
      takes++;
      return new Promise((resolve) => { release = () => resolve(state); });
    }, (s) => sent.push(s), (e) => assert.fail(String(e)), 1000);
    a.reset(5000);
    a.due(5999);
    assert.equal(takes, 0, 'not due before the interval');
    a.due(6000);
    assert.equal(takes, 1);
    a.now(6001);
    assert.equal(takes, 1, 'one state on its way at a time');
    release();
    await new Promise((r) => setTimeout(r, 0));
    assert.deepEqual(sent, [state]);
    a.due(6500);
    assert.equal(takes, 1, 'the interval counts from the last state');
    a.now(6600);
    assert.equal(takes, 2, 'an epoch end takes one at once');
  });

  it('reports a failed state instead of sending it', async () => {
    const failures: unknown[] = [];
    const a = new RunStateAutosave(() => Promise.reject(new Error('engine gone')), () => assert.fail('sent'), (e) => failures.push(e), 10);
    a.now(0);
    await new Promise((r) => setTimeout(r, 0));
    assert.equal(failures.length, 1);
  });
});
