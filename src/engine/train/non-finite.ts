// NaN/∞ in training: the last good state and where non-finite values first appear. Normal steps
// pay one device copy of the state per metrics report (no read-back); the search runs only after
// a report's loss came back non-finite.
//
// The good state is a copy taken at a report and confirmed by a later finite report (the steps
// after it ran on its weights), or at an epoch's start (checked for finite weights only if needed).

import type { Backend, FloatArray, Tensor } from '../backend';
import type { Network } from '../network';
import type { OptimizerState } from '../optim/optimizer';
import type { TrainingProgress } from './state';

/** Where non-finite values first appeared in one step. */
export interface NonFiniteSite {
  /** activation: a layer's output in the forward pass; loss: the loss itself; gradient: a parameter's
   *  gradient (searched from the output back); update: a parameter after the optimizer step. */
  readonly where: 'activation' | 'loss' | 'gradient' | 'update';
  /** Index into spec.layers, or null for the loss. */
  readonly layer: number | null;
  /** The tensor, e.g. `layers.3.weight`, or null for an activation or the loss. */
  readonly tensor: string | null;
}

const isFinite32 = (values: FloatArray, length = values.length) => {
  for (let i = 0; i < length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
};

/** A device copy of every state tensor (weights, buffers, optimizer slots) with its progress. */
class StateCopy {
  private readonly copies: Tensor[];
  progress: TrainingProgress | null = null;
  optimizerSteps = 0;

  constructor(private readonly backend: Backend, private readonly sources: readonly { tensor: Tensor; length: number }[]) {
    this.copies = sources.map((s) => backend.zeros(s.length));
  }

  capture(progress: TrainingProgress, optimizerSteps: number): void {
    this.sources.forEach((s, i) => this.backend.copy(s.tensor, this.copies[i], s.length));
    this.progress = { ...progress, epochTotals: [...progress.epochTotals] };
    this.optimizerSteps = optimizerSteps;
  }

  restore(): void {
    this.sources.forEach((s, i) => this.backend.copy(this.copies[i], s.tensor, s.length));
  }
}

/** Keeps the last good state while training and says which report first went non-finite. */
export class NonFiniteGuard {
  private good: StateCopy;
  private candidate: StateCopy;
  private candidateReport = -1;
  private reports = 0;
  /** The first report whose loss was not finite, if any since the last recovery. */
  badReport: number | null = null;

  constructor(private readonly backend: Backend, private readonly network: Network, private readonly optimizer: OptimizerState) {
    const sources = [
      ...network.parameters.map((p) => ({ tensor: p.value, length: p.length })),
      ...network.buffers.map((b) => ({ tensor: b.tensor, length: b.length })),
      ...optimizer.slots.map((s) => ({ tensor: s.tensor, length: s.length })),
    ];
    this.good = new StateCopy(backend, sources);
    this.candidate = new StateCopy(backend, sources);
  }

  /** At an epoch's start (every report so far finite): the state to fall back to. */
  epochStart(progress: TrainingProgress): void {
    this.candidateReport = -1;
    this.good.capture(progress, this.optimizer.steps);
  }

  /**
   * At a report: returns its number; within an epoch (`copy`) it also copies the state if no copy
   * awaits confirmation. (An epoch's last report is not copied: recovery stays within one epoch.)
   */
  report(progress: TrainingProgress, copy: boolean): number {
    const id = this.reports++;
    if (copy && this.candidateReport < 0) {
      this.candidate.capture(progress, this.optimizer.steps);
      this.candidateReport = id;
    }
    return id;
  }

  /**
   * A report's metrics arrived (in report order); `totals` are the epoch's totals with them added.
   * A copy's totals are those of its own report, known only now: at the copy, its read was pending.
   */
  read(id: number, lossSum: number, totals: readonly [number, number, number]): void {
    if (!Number.isFinite(lossSum)) {
      this.badReport ??= id;
    } else if (this.badReport === null && id === this.candidateReport) {
      this.candidate.progress!.epochTotals = [...totals];
    } else if (this.badReport === null && this.candidateReport >= 0 && id > this.candidateReport) {
      [this.good, this.candidate] = [this.candidate, this.good];
      this.candidateReport = -1;
    }
  }

  /** Puts the last good state (with the optimizer's step count) back and returns its progress. */
  rollback(): TrainingProgress {
    this.badReport = null;
    this.candidateReport = -1;
    return this.restore(this.good);
  }

  /** Before a step replayed one at a time: keeps the state to return to if the step goes bad. */
  keepBeforeStep(progress: TrainingProgress): void {
    this.candidate.capture(progress, this.optimizer.steps);
    this.candidateReport = -1;
  }

  /** Back to the state kept by keepBeforeStep; returns its progress. */
  undoStep(): TrainingProgress {
    return this.restore(this.candidate);
  }

  private restore(copy: StateCopy): TrainingProgress {
    copy.restore();
    this.optimizer.restoreSteps(copy.optimizerSteps);
    const progress = copy.progress!;
    return { ...progress, epochTotals: [...progress.epochTotals] };
  }

  /** The first parameter (in layer order) with a non-finite value, or null. */
  async firstNonFiniteParameter(): Promise<string | null> {
    for (const p of this.network.parameters) if (!isFinite32(await this.backend.read(p.value))) return p.name;
    return null;
  }

  /** The site of a parameter that the optimizer step made non-finite. */
  updateSite(tensor: string): NonFiniteSite {
    const layer = this.network.layers.find((l) => l.params.some((p) => p.name === tensor))!;
    return { where: 'update', layer: layer.index, tensor };
  }

  async weightsFinite(): Promise<boolean> {
    return (await this.firstNonFiniteParameter()) === null;
  }

  /**
   * With the batch loaded and the weights before the bad step: runs forward, loss and backward
   * (no update) and returns where values first stop being finite, or null if nowhere.
   */
  async locate(n: number, seed: number, metrics: Tensor): Promise<NonFiniteSite | null> {
    const net = this.network, pass = { n, training: true, seed };
    net.forward(pass);
    for (const layer of net.layers) {
      if (net.fusedSoftmax && layer.index === net.layers.length - 1) break;
      const values = layer.outputShape.reduce((a, d) => a * d, 1) * n;
      if (!isFinite32(await this.backend.read(net.layerOutput(layer.index)), values)) return { where: 'activation', layer: layer.index, tensor: null };
    }
    this.backend.fill(metrics, 0);
    net.computeLoss(n, metrics, true);
    if (!isFinite32(await this.backend.read(metrics), 1)) return { where: 'loss', layer: null, tensor: null };
    net.backward(pass);
    for (const layer of [...net.layers].reverse()) {
      for (const p of layer.params) if (!isFinite32(await this.backend.read(p.grad))) return { where: 'gradient', layer: layer.index, tensor: p.name };
    }
    return null;
  }
}

/** One sentence for people: the step, the layer (with its source line) and what went non-finite. */
export function describeNonFinite(network: Network, step: number | null, site: NonFiniteSite | null, reachedStep: number, goodStep: number): string {
  if (step === null && site) return `the weights were already non-finite (${site.tensor}) at step ${goodStep}, before this run's reports; training paused there`;
  if (step === null) {
    return `a non-finite loss was reported before step ${reachedStep}, but replaying the steps one at a time gave finite values; training paused at the last good state`;
  }
  if (!site) return `step ${step} produced non-finite values, but its forward and backward passes alone are finite; training paused before it`;
  const where = site.layer === null ? 'the loss' : (() => {
    const l = network.layers[site.layer].spec;
    return `layer ${site.layer} (${l.kind}, line ${l.line + 1})`;
  })();
  const what = site.where === 'activation' ? 'output' : site.where === 'loss' ? 'value' : site.where === 'gradient' ? `gradient of ${site.tensor}` : `weights ${site.tensor} after the update`;
  return `non-finite values (NaN or ∞) first appeared at step ${step} in ${where}: its ${what}; training paused with the weights from before step ${step}`;
}
