// `convlab train FILE`: trains a model file on its data set (or --data), on WebGPU or the CPU, with
// a progress bar on stderr, one line (or one JSON object) per epoch on stdout, and optional
// checkpoints (--save, --resume). Refuses models with errors, printing them like `check` does.

import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { paramInfo, parseValue, plural, statementInfo, type DataSpec, type ModelSpec } from '../lang';
import {
  errorMessage, Trainer, type Backend, type BackendName, type Checkpoint, type CheckpointTensor, type TrainEvent,
} from '../engine';
import { loadDataset, readCheckpointFile, writeCheckpointFile } from '../engine/node';
import { defineCommand, UsageError, type Io } from './args';
import { backendFlag, chooseBackend, parseBackendChoice, type BackendChoice } from './backend-choice';
import { batchFlag, jsonFlag } from './common-flags';
import { CliFailure, reportingFailures } from './failure';
import { analyzeFile, displayPath, MODEL_FILE } from './model-file';
import { percent, ProgressLine, stderrIsTerminal, type TerminalIo } from './progress';

export const trainCommand = defineCommand({
  name: 'train',
  summary: 'Train a model file and report loss and accuracy per epoch.',
  details: [
    'Flags override the model\'s `train` statement. --backend auto uses WebGPU only on a real (non-fallback)',
    'adapter and says why it chose the CPU otherwise; --backend webgpu never falls back.',
    'Ctrl-C stops after the current step (and still writes --save).',
    'Exit status: 0 trained, 1 model/data/backend/checkpoint problem, 2 bad arguments, 130 stopped by Ctrl-C.',
  ].join('\n'),
  positionals: [MODEL_FILE],
  flags: [
    { name: 'data', type: 'string', value: 'SPEC', description: 'data set: mnist, idx:DIR, cifar10:DIR or libsvm:TRAIN[,TEST]' },
    { name: 'epochs', type: 'number', value: 'N', description: 'number of epochs' },
    batchFlag('mini-batch size'),
    { name: 'lr', type: 'number', value: 'X', description: 'learning rate' },
    backendFlag('compute backend (default auto)'),
    { name: 'save', type: 'string', value: 'PATH', description: 'write a checkpoint (weights + optimizer state) when done' },
    { name: 'resume', type: 'string', value: 'PATH', description: 'continue from a checkpoint written by --save' },
    jsonFlag('print one JSON object per epoch instead of text'),
  ],
  run({ positionals, flags }, io) {
    return reportingFailures('train', io, () => train(positionals[0], {
      data: flags.data, epochs: flags.epochs, batch: flags.batch, lr: flags.lr, backend: parseBackendChoice(flags.backend),
      save: flags.save, resume: flags.resume, json: flags.json ?? false,
    }, io));
  },
});

export interface TrainRunOptions {
  readonly data?: string;
  readonly epochs?: number;
  readonly batch?: number;
  readonly lr?: number;
  readonly backend: BackendChoice;
  readonly save?: string;
  readonly resume?: string;
  readonly json: boolean;
  /** Test hook: the backend to use instead of choosing one. */
  readonly backendOverride?: Backend;
}

async function train(file: string, options: TrainRunOptions, io: TerminalIo): Promise<number> {
  const { text, analysis } = analyzeFile(file, io, 'train');
  const spec = withOverrides(analysis.spec, options, io.cwd);

  const { backend, note } = options.backendOverride ? { backend: options.backendOverride, note: '' } : await chooseBackend(options.backend);
  if (note) io.stderr(`${note}\n`);
  const progress = new ProgressLine(io, stderrIsTerminal(io));
  let stopRequested = false;
  const onSigint = () => {
    if (stopRequested) process.exit(130);
    stopRequested = true;
    progress.clear();
    io.stderr('stopping after the current step (Ctrl-C again to quit at once)…\n');
    trainer?.stop();
  };
  let trainer: Trainer | undefined;
  try {
    const dataset = await loadData(spec.train.data);
    // `validation=SPEC` names a separate data set: its test split validates.
    const validation = typeof spec.train.validation === 'number' ? undefined : (await loadData(spec.train.validation)).test;
    const summary: { testAccuracy?: number | null; seconds: number } = { seconds: 0 };
    trainer = new Trainer({
      spec, dataset, backend, ...(validation ? { validationSplit: validation } : {}),
      onEvent: (e) => {
        if (e.type === 'epoch') { summary.testAccuracy = e.testAccuracy; summary.seconds += e.seconds; }
        report(e, trainer!, progress, options.json, backend.name, io);
      },
    });
    if (options.resume) await resume(trainer, options.resume, text, io);
    if (!options.json) {
      io.stdout(`training ${displayPath(file, io.cwd)} on ${dataset.name} with ${backend.description}: ` +
        `${trainer.network.parameterCount.toLocaleString('en-US')} parameters, ${plural(trainer.settings.epochs, 'epoch')} of ` +
        `${trainer.stepsPerEpoch} steps (batch ${trainer.settings.batch}, ${trainer.settings.optimizer}, lr ${trainer.settings.lr})\n`);
    }
    process.on('SIGINT', onSigint);
    const reason = await trainer.run();
    progress.clear();
    if (!options.json && summary.testAccuracy !== undefined) {
      io.stdout(`test accuracy ${percent(summary.testAccuracy ?? null)} after ${plural(trainer.progress.epoch, 'epoch')} (${summary.seconds.toFixed(1)} s)\n`);
    }
    if (options.save) await save(trainer, options.save, text, spec, backend.name, io);
    if (reason === 'stopped') {
      io.stderr(`stopped after ${trainer.progress.globalStep} steps\n`);
      return 130;
    }
    return 0;
  } finally {
    progress.clear();
    process.off('SIGINT', onSigint);
    backend.destroy();
  }
}

/** The model's spec with the command-line overrides applied (checked like the language checks them). */
function withOverrides(spec: ModelSpec, o: TrainRunOptions, cwd: string): ModelSpec {
  const positiveInt = (name: string, v: number | undefined) => {
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new UsageError(`--${name} must be a positive integer, not ${v}`);
  };
  positiveInt('epochs', o.epochs);
  positiveInt('batch', o.batch);
  if (o.lr !== undefined && !(o.lr > 0)) throw new UsageError(`--lr must be a positive number, not ${o.lr}`);
  const data = o.data === undefined ? spec.train.data : parseDataSpec(o.data, cwd);
  return {
    ...spec,
    train: {
      ...spec.train, data,
      ...(o.epochs !== undefined ? { epochs: o.epochs } : {}),
      ...(o.batch !== undefined ? { batch: o.batch } : {}),
      ...(o.lr !== undefined ? { lr: o.lr } : {}),
    },
  };
}

/** --data SPEC in the language's own syntax, relative paths from the current folder. */
export function parseDataSpec(text: string, cwd: string): DataSpec {
  const param = paramInfo(statementInfo('train')!, 'data')!;
  const parsed = parseValue(param, text, { baseDir: cwd, homeDir: homedir() });
  if (!parsed.ok) throw new UsageError(parsed.error.message.replace(/`data`/g, "--data"));
  if (parsed.value.kind !== 'data') throw new UsageError(`--data: '${text}' is not a data set spec`);
  return parsed.value.value;
}

async function loadData(spec: DataSpec) {
  try {
    return await loadDataset(spec);
  } catch (err) {
    throw new CliFailure(`cannot load the data: ${errorMessage(err)}`);
  }
}

function report(e: TrainEvent, trainer: Trainer, progress: ProgressLine, json: boolean, backend: BackendName, io: Io): void {
  const epochs = trainer.settings.epochs;
  switch (e.type) {
    case 'step': {
      const done = (e.epoch - 1) * trainer.stepsPerEpoch + e.step;
      const imagesLeft = Math.max(0, epochs * trainer.stepsPerEpoch - done) * trainer.settings.batch;
      progress.update({ epoch: e.epoch, epochs, step: e.step, stepsPerEpoch: e.stepsPerEpoch, loss: e.loss, imagesPerSecond: e.imagesPerSecond, imagesLeft });
      return;
    }
    case 'epoch': {
      progress.clear();
      if (json) {
        io.stdout(`${JSON.stringify({
          epoch: e.epoch, loss: e.loss, trainAccuracy: e.trainAccuracy, testAccuracy: e.testAccuracy,
          seconds: e.seconds, imagesPerSecond: e.imagesPerSecond, backend,
        })}\n`);
      } else {
        const validation = e.validationAccuracy !== null ? `  validation ${percent(e.validationAccuracy)}` : '';
        io.stdout(`epoch ${e.epoch}/${epochs}  loss ${e.loss.toFixed(4)}  train ${percent(e.trainAccuracy)}  ` +
          `test ${percent(e.testAccuracy)}${validation}  ${e.seconds.toFixed(1)} s  ${Math.round(e.imagesPerSecond)} img/s\n`);
      }
      return;
    }
    default:
      return;
  }
}

async function resume(trainer: Trainer, path: string, modelText: string, io: Io): Promise<void> {
  const checkpoint = await readCheckpointFile(resolve(io.cwd, path));
  if (checkpoint.metadata.modelText.trim() !== modelText.trim()) {
    io.stderr(`note: ${path} was saved from a different model text; resuming because the tensors fit\n`);
  }
  const saved = checkpoint.metadata.optimizer.kind, now = trainer.settings.optimizer;
  if (saved !== now) io.stderr(`note: ${path} was trained with ${saved}; ${now} starts with fresh optimizer state\n`);
  await trainer.restoreState({ tensors: checkpoint.tensors, epoch: checkpoint.metadata.epoch, step: checkpoint.metadata.step });
  if (trainer.progress.epoch >= trainer.settings.epochs) {
    throw new CliFailure(`${path} already has ${trainer.progress.epoch} epochs; ask for more with --epochs`);
  }
  io.stderr(`resuming from ${path} at epoch ${checkpoint.metadata.epoch}, step ${checkpoint.metadata.step}\n`);
}

async function save(trainer: Trainer, path: string, modelText: string, spec: ModelSpec, backend: BackendName, io: Io): Promise<void> {
  const state = await trainer.saveState();
  const tensors = new Map<string, CheckpointTensor>(state.tensors);
  const s = trainer.settings;
  const checkpoint: Checkpoint = {
    tensors,
    metadata: {
      modelText, seed: s.seed, epoch: state.epoch, step: state.step, backend, created: new Date().toISOString(),
      data: spec.train.data,
      optimizer: {
        kind: s.optimizer, lr: s.lr, momentum: s.momentum, decay: s.decay, weightDecay: s.weightDecay,
        ...(s.optimizer === 'adam' ? { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } : {}),
      },
    },
  };
  await writeCheckpointFile(resolve(io.cwd, path), checkpoint);
  io.stderr(`saved ${path} (epoch ${state.epoch}, step ${state.step})\n`);
}
