// `convlab train FILE`: trains a model file on its data set (or --data), on WebGPU or the CPU, with
// a progress bar on stderr, one line (or one JSON object) per epoch on stdout, and optional
// checkpoints (--save, --resume). Refuses models with errors, printing them like `check` does.

import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { defaultTrainingNote, paramInfo, parseValue, plural, statementInfo, type DataSpec, type ModelSpec } from '../lang';
import {
  checkpointOfState, errorMessage, stateOfCheckpoint, Trainer,
  type Backend, type BackendName, type CheckpointMetrics, type CheckpointOrigin, type TrainEvent,
} from '../engine';
import { DEFAULT_KEEP, loadDataset, readCheckpointFile, saveCheckpoint, writeCheckpointFile } from '../engine/node';
import { defineCommand, UsageError, type Io } from './args';
import { autotuneFlag, autotuneOptions, parseAutotune } from './autotune-flag';
import { backendFlag, chooseBackend, parseBackendChoice, parseCpuThreads, type BackendChoice } from './backend-choice';
import { batchFlag, jsonFlag, threadsFlag } from './common-flags';
import { CliFailure, reportingFailures } from './failure';
import { analyzeFile, displayPath, MODEL_FILE, simpleNNTrain } from './model-file';
import { percent, ProgressLine, stderrIsTerminal, type TerminalIo } from './progress';

export const trainCommand = defineCommand({
  name: 'train',
  summary: 'Train a model file and report loss and accuracy per epoch.',
  details: [
    'Flags override the model\'s `train` statement. --backend auto uses WebGPU only on a real (non-fallback)',
    'adapter and says why it chose the CPU otherwise; --backend webgpu never falls back.',
    'Ctrl-C stops after the current step (and still writes --save).',
    'NaN or ∞ in the loss or weights stops training with the step and layer where they first appeared (--save then keeps the last good weights).',
    'Exit status: 0 trained, 1 model/data/backend/checkpoint problem or non-finite values, 2 bad arguments, 130 stopped by Ctrl-C.',
  ].join('\n'),
  positionals: [MODEL_FILE],
  flags: [
    { name: 'data', type: 'string', value: 'SPEC', description: 'data set: mnist, idx:DIR, cifar10:DIR or libsvm:TRAIN[,TEST]' },
    { name: 'simplenn', type: 'string', value: "'-s 1 …'", description: 'a .config\'s training options, in simpleNN\'s syntax (docs/simplenn.md); the flags above still override them' },
    { name: 'epochs', type: 'number', value: 'N', description: 'number of epochs' },
    batchFlag('mini-batch size'),
    { name: 'lr', type: 'number', value: 'X', description: 'learning rate' },
    backendFlag('compute backend (default auto)'),
    threadsFlag('threads of the cpu backend (default: the cores, at most 8)'),
    autotuneFlag,
    { name: 'save', type: 'string', value: 'PATH', description: 'write a checkpoint (weights + optimizer state) when done' },
    { name: 'resume', type: 'string', value: 'PATH', description: 'continue from a checkpoint written by --save' },
    { name: 'checkpoint', type: 'boolean', description: `when done, save <model>.step-NNNNNN.ckpt.safetensors beside the model and update <model>.ckpt.safetensors (the latest); keeps the newest ${DEFAULT_KEEP}` },
    { name: 'keep', type: 'number', value: 'N', description: `numbered checkpoints --checkpoint keeps (default ${DEFAULT_KEEP})` },
    { name: 'stop-at-step', type: 'number', value: 'N', description: 'stop once N optimizer steps are taken in all (then --save)' },
    jsonFlag('print one JSON object per epoch (per Newton iteration, with its f, |g|, step, #CG, reductions and lambda) instead of text'),
  ],
  run({ positionals, flags }, io) {
    return reportingFailures('train', io, () => train(positionals[0], {
      data: flags.data, simplenn: flags.simplenn, epochs: flags.epochs, batch: flags.batch, lr: flags.lr, backend: parseBackendChoice(flags.backend),
      threads: parseCpuThreads(flags.threads), autotune: parseAutotune(flags.autotune),
      save: flags.save, resume: flags.resume, stopAtStep: flags['stop-at-step'], checkpoint: flags.checkpoint ?? false, keep: flags.keep, json: flags.json ?? false,
    }, io));
  },
});

export interface TrainRunOptions {
  readonly data?: string;
  /** simpleNN option string for a .config model. */
  readonly simplenn?: string;
  readonly epochs?: number;
  readonly batch?: number;
  readonly lr?: number;
  readonly backend: BackendChoice;
  /** Threads of the CPU backend (default 1). */
  readonly threads?: number;
  /** WebGPU kernel autotuning with the cache file (default on). */
  readonly autotune?: boolean;
  readonly save?: string;
  readonly resume?: string;
  readonly stopAtStep?: number;
  /** Save into the model's numbered checkpoints (checkpoint-series.ts), keeping `keep`. */
  readonly checkpoint: boolean;
  readonly keep?: number;
  readonly json: boolean;
  /** Test hook: the backend to use instead of choosing one. */
  readonly backendOverride?: Backend;
}

async function train(file: string, options: TrainRunOptions, io: TerminalIo): Promise<number> {
  const simpleNN = options.simplenn === undefined ? undefined : simpleNNTrain(file, options.simplenn, '--simplenn', options.data);
  for (const note of simpleNN?.notes ?? []) io.stderr(`note: ${note}\n`);
  const { text, analysis } = analyzeFile(file, io, 'train', simpleNN?.train);
  const spec = withOverrides(analysis.spec, options, io.cwd);
  const defaults = options.data === undefined ? defaultTrainingNote(analysis.spec) : null;
  if (defaults) io.stderr(`note: ${displayPath(file, io.cwd)} has ${defaults}\n`);

  const gpuOptions = { autotune: autotuneOptions(options.autotune ?? true, (m) => io.stderr(`warning: ${m}\n`)) };
  const { backend, note } = options.backendOverride ? { backend: options.backendOverride, note: '' }
    : await chooseBackend(options.backend, 'f32', options.threads, gpuOptions);
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
    const summary: { testAccuracy?: number | null; seconds: number; metrics: CheckpointMetrics; nonFinite?: string } = { seconds: 0, metrics: {} };
    trainer = new Trainer({
      spec, dataset, backend, ...(validation ? { validationSplit: validation } : {}),
      onEvent: (e) => {
        if (e.type === 'epoch') { summary.testAccuracy = e.testAccuracy; summary.seconds += e.seconds; }
        summary.metrics = latestMetrics(summary.metrics, e);
        if (e.type === 'nonFinite') { summary.nonFinite = e.message; trainer!.stop(); }
        report(e, trainer!, progress, options.json, backend.name, io);
      },
    });
    if (options.resume) await resume(trainer, options.resume, text, io);
    if (!options.json) {
      io.stdout(`training ${displayPath(file, io.cwd)} on ${dataset.name} with ${backend.description}: ` +
        `${trainer.network.parameterCount.toLocaleString('en-US')} parameters, ${runLength(trainer, spec)}\n`);
    }
    process.on('SIGINT', onSigint);
    const reason = await trainer.run(options.stopAtStep !== undefined ? { untilStep: options.stopAtStep } : {});
    progress.clear();
    if (!options.json && summary.testAccuracy !== undefined) {
      io.stdout(`test accuracy ${percent(summary.testAccuracy ?? null)} after ${plural(trainer.progress.epoch, trainer.settings.optimizer === 'newton' ? 'Newton iteration' : 'epoch')} (${summary.seconds.toFixed(1)} s)\n`);
    }
    const origin: CheckpointOrigin = { modelText: text, backend: backend.name, data: spec.train.data, metrics: summary.metrics };
    if (options.save) await save(trainer, options.save, origin, io);
    if (options.checkpoint) await saveNumbered(trainer, resolve(io.cwd, file), options.keep, origin, io);
    if (summary.nonFinite) throw new CliFailure(`training stopped: ${summary.nonFinite}`);
    if (reason === 'stopped' && !stopRequested) io.stderr(`stopped at step ${trainer.progress.globalStep} (--stop-at-step)\n`);
    if (reason === 'stopped' && stopRequested) {
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
  positiveInt('stop-at-step', o.stopAtStep);
  positiveInt('keep', o.keep);
  if (o.keep !== undefined && !o.checkpoint) throw new UsageError('--keep goes with --checkpoint');
  if (o.lr !== undefined && !(o.lr > 0)) throw new UsageError(`--lr must be a positive number, not ${o.lr}`);
  const given = o.data === undefined ? spec.train.data : parseDataSpec(o.data, cwd);
  // A .mat matrix's rows take the model's input shape, as in the model's own train line.
  const data = given.kind === 'mat' && spec.input ? { ...given, shape: spec.input } : given;
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

/** What the header line says the run will do: epochs of steps, or Newton iterations with their settings. */
function runLength(trainer: Trainer, spec: ModelSpec): string {
  const s = trainer.settings;
  if (s.optimizer !== 'newton') return `${plural(s.epochs, 'epoch')} of ${trainer.stepsPerEpoch} steps (batch ${s.batch}, ${s.optimizer}, lr ${s.lr})`;
  const n = spec.train.newton;
  return `${plural(s.epochs, 'Newton iteration')} (batch ${s.batch}, C ${n.C}, GNsize ${n.gnSize === 0 ? '5%' : n.gnSize}, xi ${n.xi}, CGmax ${n.cgMax}, lambda ${n.lambda})`;
}

/** A number in a Newton log line: short, in exponent form when tiny or huge. */
function figure(x: number): string {
  return x === 0 || (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4) ? String(Number(x.toPrecision(4))) : x.toExponential(3);
}

function report(e: TrainEvent, trainer: Trainer, progress: ProgressLine, json: boolean, backend: BackendName, io: Io): void {
  const epochs = trainer.settings.epochs;
  switch (e.type) {
    case 'newton': {
      // simpleNN's per-iteration line (newton.m), with the evaluations; it stands for the epoch's line too.
      progress.clear();
      if (json) {
        io.stdout(`${JSON.stringify({
          epoch: e.iteration, loss: e.loss, trainAccuracy: e.trainAccuracy, testAccuracy: e.testAccuracy, seconds: e.seconds, backend,
          f: e.f, gradientNorm: e.gradientNorm, stepSize: e.stepSize, cgIterations: e.cgIterations, backtracks: e.backtracks,
          actualReduction: e.actualReduction, predictedReduction: e.predictedReduction, lambda: e.lambda,
          validationAccuracy: e.validationAccuracy, subsampleSize: e.subsampleSize,
        })}\n`);
      } else {
        const validation = e.validationAccuracy !== null ? `  validation ${percent(e.validationAccuracy)}` : '';
        io.stdout(`iter ${e.iteration}/${epochs}  f ${figure(e.f)}  |g| ${figure(e.gradientNorm)}  alpha ${figure(e.stepSize)}  #CG ${e.cgIterations}  ` +
          `actred ${figure(e.actualReduction)}  prered ${figure(e.predictedReduction)}  lambda ${figure(e.lambda)}  ` +
          `train ${percent(e.trainAccuracy)}  test ${percent(e.testAccuracy)}${validation}  ${e.seconds.toFixed(1)} s\n`);
      }
      return;
    }
    case 'step': {
      const done = (e.epoch - 1) * trainer.stepsPerEpoch + e.step;
      const imagesLeft = Math.max(0, epochs * trainer.stepsPerEpoch - done) * trainer.settings.batch;
      progress.update({ epoch: e.epoch, epochs, step: e.step, stepsPerEpoch: e.stepsPerEpoch, loss: e.loss, imagesPerSecond: e.imagesPerSecond, imagesLeft });
      return;
    }
    case 'epoch': {
      if (trainer.settings.optimizer === 'newton') return;  // its `newton` line said it all
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

/** The checkpoint figures after an event: the latest step's loss and accuracy, the latest test accuracy. */
function latestMetrics(m: CheckpointMetrics, e: TrainEvent): CheckpointMetrics {
  if (e.type === 'step') return { ...m, loss: e.loss, accuracy: e.accuracy };
  if (e.type === 'newton') return { ...m, loss: e.loss, accuracy: e.trainAccuracy };
  if (e.type === 'epoch' && e.testAccuracy !== null) return { ...m, testAccuracy: e.testAccuracy };
  return m;
}

async function resume(trainer: Trainer, path: string, modelText: string, io: Io): Promise<void> {
  const checkpoint = await readCheckpointFile(resolve(io.cwd, path));
  if (checkpoint.metadata.modelText.trim() !== modelText.trim()) {
    io.stderr(`note: ${path} was saved from a different model text; resuming because the tensors fit\n`);
  }
  const notes = await trainer.restoreState(stateOfCheckpoint(checkpoint));
  for (const note of notes) io.stderr(`note: ${note}\n`);
  if (trainer.progress.epoch >= trainer.settings.epochs) {
    throw new CliFailure(`${path} already has ${trainer.progress.epoch} epochs; ask for more with --epochs`);
  }
  io.stderr(`resuming from ${path} at epoch ${checkpoint.metadata.epoch}, step ${checkpoint.metadata.step}\n`);
}

async function save(trainer: Trainer, path: string, origin: CheckpointOrigin, io: Io): Promise<void> {
  const state = await trainer.saveState();
  await writeCheckpointFile(resolve(io.cwd, path), checkpointOfState(state, origin));
  io.stderr(`saved ${path} (epoch ${state.epoch}, step ${state.step})\n`);
}

async function saveNumbered(trainer: Trainer, modelPath: string, keep: number | undefined, origin: CheckpointOrigin, io: Io): Promise<void> {
  const state = await trainer.saveState();
  const saved = await saveCheckpoint(modelPath, checkpointOfState(state, origin), keep);
  const removed = saved.removed.length > 0 ? `; removed ${saved.removed.map((p) => displayPath(p, io.cwd)).join(', ')}` : '';
  io.stderr(`saved ${displayPath(saved.path, io.cwd)} and ${displayPath(saved.latest, io.cwd)} (epoch ${state.epoch}, step ${state.step})${removed}\n`);
}
