// Texts the host shows for the panel (notifications, errors) and the checkpoint it writes from a
// trainer state. Pure (no vscode), so they are unit-tested.
import { basename, extname, resolve } from 'node:path';
import { checkpointOfState, type Checkpoint } from '../../engine';
import { latestCheckpointPath } from '../../engine/node';
import { defaultTrainingNote, type DataSpec, type Diagnostic, type ModelSpec } from '../../lang';
import { trainerStateOf, type GradCheckSummary, type RunSummary, type TrainingStatePayload } from '../../protocol';

/** The model's name: its file name without the extension. */
export function modelName(modelPath: string): string {
  return basename(modelPath, extname(modelPath)) || 'model';
}

/** "lenet5 has 2 errors, so it cannot be trained: conv (line 3): …; line 7: …" */
export function modelErrorsMessage(name: string, diagnostics: readonly Diagnostic[], max = 3): string | null {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length === 0) return null;
  // Most messages already name their line ("conv (line 7): …"); say it only where they do not.
  const listed = errors.slice(0, max).map((d) => {
    const line = d.range.start.line + 1;
    return new RegExp(`\\(line ${line}\\)|^line ${line}:`).test(d.message) ? d.message : `line ${line}: ${d.message}`;
  });
  const more = errors.length > max ? ` (and ${errors.length - max} more)` : '';
  return `${name} has ${errors.length} error${errors.length === 1 ? '' : 's'}, so it cannot be trained: ${listed.join('; ')}${more}. See the Problems panel.`;
}

export function formatSeconds(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

const pct = (x: number | null) => (x === null ? null : `${(100 * x).toFixed(1)}%`);

/** "lenet5: trained 3 epochs in 1m 12s on webgpu (…) — test accuracy 97.8%, train 96.5%." */
export function runSummaryMessage(name: string, s: RunSummary, checkpoint: string | null): string {
  const what = s.reason === 'completed'
    ? `trained ${s.epochs} epoch${s.epochs === 1 ? '' : 's'}`
    : `stopped after ${s.globalStep.toLocaleString('en-US')} step${s.globalStep === 1 ? '' : 's'} (${s.epochs} full epoch${s.epochs === 1 ? '' : 's'})`;
  const acc = [pct(s.testAccuracy) && `test accuracy ${pct(s.testAccuracy)}`, pct(s.trainAccuracy) && `train ${pct(s.trainAccuracy)}`]
    .filter(Boolean).join(', ');
  const saved = checkpoint ? ` Saved ${basename(checkpoint)}.` : '';
  return `${name}: ${what} in ${formatSeconds(s.seconds)} on ${s.backend}${acc ? ` — ${acc}` : ''}.${saved}`;
}

/** "lenet5 was closed while training (step 377, in epoch 3); its run is saved as lenet5.step-000377.ckpt.safetensors." */
export function closedMidRunMessage(name: string, state: { readonly epoch: number; readonly step: number }, checkpoint: string): string {
  return `${name} was closed while training (step ${state.step.toLocaleString('en-US')}, in epoch ${state.epoch + 1}); ` +
    `its run is saved as ${basename(checkpoint)}. Resume to continue it.`;
}

export function gradCheckMessage(name: string, r: GradCheckSummary): string {
  const worst = r.tensors.reduce((m, t) => Math.max(m, Number.isFinite(t.maxRelativeError) ? t.maxRelativeError : Infinity), 0);
  const failed = r.tensors.filter((t) => !t.passed).map((t) => t.name);
  return r.passed
    ? `${name}: all ${r.tensors.length} gradient tensors agree with finite differences (max relative error ${worst.toExponential(1)}, ${r.precision} on ${r.backend}).`
    : `${name}: ${failed.length} of ${r.tensors.length} gradient tensors disagree with finite differences: ${failed.join(', ')}.`;
}

/**
 * The checkpoint for a trainer state, with the metadata docs/checkpoints.md describes. A state
 * without its resume point (an older page) records the run's settings with the model's validation.
 */
export function checkpointFromState(state: TrainingStatePayload, modelText: string, spec: ModelSpec, created = new Date()): Checkpoint {
  const trainer = trainerStateOf(state);
  const { epochs: _epochs, ...run } = state.settings;
  const settings = trainer.settings ?? { ...run, validation: typeof spec.train.validation === 'number' ? spec.train.validation : 0 };
  return checkpointOfState({ ...trainer, settings }, {
    modelText, backend: state.backend, data: spec.train.data, created, ...(state.metrics ? { metrics: state.metrics } : {}),
  });
}

/** The files a data spec reads (none for the built-in MNIST). */
export function dataFiles(data: DataSpec): string[] {
  switch (data.kind) {
    case 'mnist': return [];
    case 'idx': case 'cifar10': return [data.dir];
    case 'libsvm': case 'mat': return data.test ? [data.train, data.test] : [data.train];
  }
}

/** The question asked before training reads workspace data in an untrusted workspace; null when nothing is read. */
export function untrustedDataQuestion(name: string, data: DataSpec): string | null {
  const files = dataFiles(data);
  if (files.length === 0) return null;
  return `This workspace is not trusted. Training ${name} reads its ${data.kind} data from ${files.join(' and ')}. Train anyway?`;
}

/** What a model without a `train` statement trains with, so the defaults are never silent; null when it has one. */
export function defaultTrainingNotice(name: string, spec: ModelSpec): string | null {
  const note = defaultTrainingNote(spec);
  return note && `${name} has ${note}`;
}

/** `<model>.ckpt.safetensors` or `<model>.step-NNNNNN.ckpt.safetensors` beside the model. */
export function isModelCheckpoint(modelPath: string, path: string): boolean {
  const latest = latestCheckpointPath(modelPath), wanted = resolve(path);
  if (wanted === latest) return true;
  const prefix = `${latest.slice(0, -'.ckpt.safetensors'.length)}.step-`;
  return wanted.startsWith(prefix) && /^\d+\.ckpt\.safetensors$/.test(wanted.slice(prefix.length));
}
