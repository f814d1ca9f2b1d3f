// Texts the host shows for the panel (notifications, errors) and the checkpoint it writes from a
// trainer state. Pure (no vscode), so they are unit-tested.
import { basename, dirname, extname, join } from 'node:path';
import type { Checkpoint, CheckpointTensor } from '../../engine';
import type { Diagnostic, ModelSpec } from '../../lang';
import type { GradCheckSummary, RunSummary, TrainingStatePayload } from '../../protocol';

/** `<folder>/<model>.ckpt.safetensors` beside the model file. */
export function defaultCheckpointPath(modelPath: string): string {
  return join(dirname(modelPath), `${basename(modelPath, extname(modelPath))}.ckpt.safetensors`);
}

/** The model's name: its file name without the extension. */
export function modelName(modelPath: string): string {
  return basename(modelPath, extname(modelPath)) || 'model';
}

/** "lenet5 has 2 errors, so it cannot be trained: line 3: … ; line 7: …" */
export function modelErrorsMessage(name: string, diagnostics: readonly Diagnostic[], max = 3): string | null {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length === 0) return null;
  const listed = errors.slice(0, max).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
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

export function gradCheckMessage(name: string, r: GradCheckSummary): string {
  const worst = r.tensors.reduce((m, t) => Math.max(m, Number.isFinite(t.maxRelativeError) ? t.maxRelativeError : Infinity), 0);
  const failed = r.tensors.filter((t) => !t.passed).map((t) => t.name);
  return r.passed
    ? `${name}: all ${r.tensors.length} gradient tensors agree with finite differences (max relative error ${worst.toExponential(1)}, ${r.precision} on ${r.backend}).`
    : `${name}: ${failed.length} of ${r.tensors.length} gradient tensors disagree with finite differences: ${failed.join(', ')}.`;
}

/** The checkpoint for a trainer state, with the metadata docs/checkpoints.md describes. */
export function checkpointFromState(state: TrainingStatePayload, modelText: string, spec: ModelSpec, created = new Date()): Checkpoint {
  const tensors = new Map<string, CheckpointTensor>(state.tensors.map((t) => [t.name, { shape: t.shape, data: t.data }]));
  const s = state.settings;
  return {
    tensors,
    metadata: {
      modelText,
      seed: s.seed,
      epoch: state.epoch,
      step: state.step,
      optimizer: { kind: s.optimizer, lr: s.lr, momentum: s.momentum, decay: s.decay, weightDecay: s.weightDecay },
      backend: state.backend,
      created: created.toISOString(),
      data: spec.train.data,
    },
  };
}
