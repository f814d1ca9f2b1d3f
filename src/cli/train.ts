// `convlab train FILE`: trains a model file on its data set (or --data), on WebGPU or the CPU, with
// a progress bar on stderr, one line (or one JSON object) per epoch on stdout, and optional
// checkpoints (--save, --resume). Refuses models with errors, printing them like `check` does.

import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { analyze, paramInfo, statementInfo, type Analysis, type DataSpec, type ModelSpec } from '../lang';
import { parseValue } from '../lang/values';
import type { Backend, BackendName } from '../engine/backend';
import { type Checkpoint, type CheckpointTensor } from '../engine/checkpoint';
import { readCheckpointFile, writeCheckpointFile } from '../engine/checkpoint-file';
import { CpuBackend } from '../engine/cpu/backend';
import { loadDataset } from '../engine/data/node-files';
import { Trainer, type TrainEvent } from '../engine/train';
import { defineCommand, UsageError, type Io } from './args';
import { percent, ProgressLine, stderrIsTerminal, type TerminalIo } from './progress';

export type BackendChoice = 'auto' | 'cpu' | 'webgpu';

/** Why a run cannot start (bad model, data, backend, checkpoint): printed as one message, exit 1. */
export class CliFailure extends Error {
  constructor(message: string, readonly exitCode = 1) { super(message); this.name = 'CliFailure'; }
}

export const trainCommand = defineCommand({
  name: 'train',
  summary: 'Train a model file and report loss and accuracy per epoch.',
  details: [
    'Flags override the model\'s `train` statement. --backend auto uses WebGPU only on a real (non-fallback)',
    'adapter and says why it chose the CPU otherwise; --backend webgpu never falls back.',
    'Ctrl-C stops after the current step (and still writes --save).',
    'Exit status: 0 trained, 1 model/data/backend/checkpoint problem, 2 bad arguments, 130 stopped by Ctrl-C.',
  ].join('\n'),
  positionals: [{ name: 'FILE', description: 'the .cnn model file' }],
  flags: [
    { name: 'data', type: 'string', value: 'SPEC', description: 'data set: mnist, idx:DIR, cifar10:DIR or libsvm:TRAIN[,TEST]' },
    { name: 'epochs', type: 'number', value: 'N', description: 'number of epochs' },
    { name: 'batch', type: 'number', value: 'N', description: 'mini-batch size' },
    { name: 'lr', type: 'number', value: 'X', description: 'learning rate' },
    { name: 'backend', type: 'string', value: 'webgpu|cpu|auto', description: 'compute backend (default auto)' },
    { name: 'save', type: 'string', value: 'PATH', description: 'write a checkpoint (weights + optimizer state) when done' },
    { name: 'resume', type: 'string', value: 'PATH', description: 'continue from a checkpoint written by --save' },
    { name: 'json', type: 'boolean', description: 'print one JSON object per epoch instead of text' },
  ],
  async run({ positionals, flags }, io) {
    try {
      return await train(positionals[0], {
        data: flags.data, epochs: flags.epochs, batch: flags.batch, lr: flags.lr, backend: parseBackendChoice(flags.backend),
        save: flags.save, resume: flags.resume, json: flags.json ?? false,
      }, io);
    } catch (err) {
      if (err instanceof CliFailure) {
        io.stderr(`convlab train: ${err.message}\n`);
        return err.exitCode;
      }
      throw err;
    }
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

export function parseBackendChoice(value: string | undefined): BackendChoice {
  if (value === undefined) return 'auto';
  if (value === 'auto' || value === 'cpu' || value === 'webgpu') return value;
  throw new UsageError(`--backend must be webgpu, cpu or auto, not '${value}'`);
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
  } catch (err) {
    progress.clear();
    if (err instanceof CliFailure) throw err;
    if (err instanceof Error && ['TrainError', 'LayerError', 'OptimizerError', 'DataError', 'CheckpointError'].includes(err.name)) {
      throw new CliFailure(err.message);
    }
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
    backend.destroy();
  }
}

/** Reads and analyzes a model file; a model with errors is refused with its diagnostics. */
export function analyzeFile(file: string, io: Io, command: string): { text: string; analysis: Analysis } {
  let text: string;
  try {
    text = readFileSync(resolve(io.cwd, file), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    throw new CliFailure(`cannot read ${file}: ${why}`, 2);
  }
  const analysis = analyze(text, { baseDir: dirname(resolve(io.cwd, file)) });
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    const path = displayPath(file, io.cwd);
    const lines = errors.map((d) => `${path}:${d.range.start.line + 1}:${d.range.start.character + 1}: error: ${d.message}`);
    throw new CliFailure(`${lines.join('\n')}\n${path} has ${errors.length} error${errors.length === 1 ? '' : 's'}; fix ${errors.length === 1 ? 'it' : 'them'} before running ${command} (see \`convlab check ${path}\`)`);
  }
  return { text, analysis };
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
  const parsed = parseValue(param, text, { baseDir: cwd });
  if (!parsed.ok) throw new UsageError(parsed.error.message.replace(/`data`/g, "--data"));
  if (parsed.value.kind !== 'data') throw new UsageError(`--data: '${text}' is not a data set spec`);
  return parsed.value.value;
}

async function loadData(spec: DataSpec) {
  try {
    return await loadDataset(spec);
  } catch (err) {
    throw new CliFailure(`cannot load the data: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * The backend for --backend: cpu; webgpu (fails with the reason when there is no adapter); auto =
 * webgpu on a real adapter, else cpu with a note saying why.
 */
export async function chooseBackend(choice: BackendChoice, cpuPrecision: 'f32' | 'f64' = 'f32'): Promise<{ backend: Backend; note: string }> {
  if (choice === 'cpu') return { backend: new CpuBackend({ precision: cpuPrecision }), note: '' };
  let gpu: Backend & { isFallbackAdapter?: boolean };
  try {
    const { createNodeWebGpuBackend } = await import('../engine/webgpu/node-gpu');
    gpu = await createNodeWebGpuBackend();
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    if (choice === 'webgpu') throw new CliFailure(`--backend webgpu: no WebGPU device: ${why}`);
    return { backend: new CpuBackend({ precision: cpuPrecision }), note: `backend: cpu (no WebGPU: ${why})` };
  }
  if (choice === 'auto' && gpu.isFallbackAdapter) {
    const name = gpu.description;
    gpu.destroy();
    return {
      backend: new CpuBackend({ precision: cpuPrecision }),
      note: `backend: cpu (the only WebGPU adapter is a software fallback, ${name}, slower than the CPU backend; --backend webgpu forces it)`,
    };
  }
  return { backend: gpu, note: choice === 'auto' ? `backend: ${gpu.description}` : '' };
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

function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, resolve(cwd, path));
  return rel.startsWith('..') ? resolve(cwd, path) : rel;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
