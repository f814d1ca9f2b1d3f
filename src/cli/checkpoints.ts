// `convlab checkpoints FILE`: the model's numbered checkpoints (written by `train --checkpoint`),
// newest first, with the epoch, step and figures their metadata records — the choice a resume offers.

import { resolve } from 'node:path';
import { listCheckpoints, type CheckpointListing } from '../engine/node';
import { defineCommand, type Io } from './args';
import { jsonFlag } from './common-flags';
import { reportingFailures } from './failure';
import { displayPath, MODEL_FILE } from './model-file';
import { percent } from './progress';

export const checkpointsCommand = defineCommand({
  name: 'checkpoints',
  summary: 'List a model\'s saved checkpoints, newest first.',
  details: 'Lists <model>.step-NNNNNN.ckpt.safetensors beside FILE (see `train --checkpoint`). Exit status: 0 listed (even none), 1 a file could not be read.',
  positionals: [MODEL_FILE],
  flags: [jsonFlag('print one JSON object per checkpoint: path, step, epoch, created, optimizer and metrics')],
  run({ positionals, flags }, io) {
    return reportingFailures('checkpoints', io, () => list(positionals[0], flags.json ?? false, io));
  },
});

async function list(file: string, json: boolean, io: Io): Promise<number> {
  const { checkpoints, unreadable } = await listCheckpoints(resolve(io.cwd, file));
  for (const c of checkpoints) io.stdout(json ? `${JSON.stringify(asJson(c, io))}\n` : `${line(c, io)}\n`);
  if (!json && checkpoints.length === 0) io.stdout(`no checkpoints of ${displayPath(file, io.cwd)} yet (train --checkpoint saves them)\n`);
  for (const u of unreadable) io.stderr(`cannot read ${displayPath(u.path, io.cwd)}: ${u.problem}\n`);
  return unreadable.length > 0 ? 1 : 0;
}

function asJson(c: CheckpointListing, io: Io) {
  const m = c.metadata;
  return { path: displayPath(c.path, io.cwd), step: m.step, epoch: m.epoch, created: m.created, optimizer: m.optimizer.kind, metrics: m.metrics ?? {} };
}

function line(c: CheckpointListing, io: Io): string {
  const m = c.metadata, f = m.metrics ?? {};
  const figures = [
    f.loss !== undefined ? `loss ${f.loss.toFixed(4)}` : '',
    f.accuracy !== undefined ? `train ${percent(f.accuracy)}` : '',
    f.testAccuracy !== undefined ? `test ${percent(f.testAccuracy)}` : '',
  ].filter(Boolean).join('  ');
  return `${displayPath(c.path, io.cwd)}  epoch ${m.epoch}  step ${m.step}  ${m.optimizer.kind}  ${m.created}${figures ? `  ${figures}` : ''}`;
}
