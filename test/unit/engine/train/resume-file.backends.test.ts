// Resume through a real checkpoint file on every backend: stopped mid-epoch between reports,
// written, read and restored, a run continues like an uninterrupted one (bit for bit on the cpu,
// within WEBGPU_REPEAT_RTOL on webgpu).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCheckpointFile, writeCheckpointFile } from '../../../../src/engine/checkpoint-file';
import { Trainer, type TrainEvent } from '../../../../src/engine/train';
import { checkpointOfState, stateOfCheckpoint } from '../../../../src/engine/train/checkpoint-state';
import { assertSameRun, forEachBackend } from '../../../backends';
import { blocks, blocksSpec } from '../blocks';

const stepLosses = (events: TrainEvent[], after: number) => events.flatMap((e) => (e.type === 'step' && e.globalStep > after ? [e.loss] : []));
const epochLosses = (events: TrainEvent[]) => events.flatMap((e) => (e.type === 'epoch' ? [e.loss] : []));

forEachBackend('resume through a checkpoint file', (backend) => {
  let dir = '';
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'convlab-resume-file-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('continues from step 10 (mid-epoch, 3 steps unreported) like an uninterrupted adam run', async () => {
    const settings = { optimizer: 'adam' as const, lr: 0.01, epochs: 2 };
    const trainer = (events: TrainEvent[]) =>
      new Trainer({ spec: blocksSpec, dataset: blocks, backend: backend.create(), reportEvery: 4, evaluateEachEpoch: false, settings, onEvent: (e) => events.push(e) });
    const whole: TrainEvent[] = [];
    await trainer(whole).run();

    const stopped = trainer([]);
    await stopped.run({ untilStep: 10 });
    const path = join(dir, 'run.ckpt.safetensors');
    await writeCheckpointFile(path, checkpointOfState(await stopped.saveState(), { modelText: 'blocks', backend: backend.name, data: { kind: 'mnist' } }));

    const rest: TrainEvent[] = [];
    const resumed = trainer(rest);
    await resumed.restoreState(stateOfCheckpoint(await readCheckpointFile(path)));
    await resumed.run();
    assertSameRun(backend, stepLosses(rest, 10), stepLosses(whole, 10), 'step losses after step 10');
    assertSameRun(backend, epochLosses(rest), epochLosses(whole).slice(1), 'epoch 2 loss');
  });
});
