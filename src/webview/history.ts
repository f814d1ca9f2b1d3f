// The history the panel plots: every reported loss, accuracy per epoch, gradient norms per layer, the
// latest gradient histograms, the confusion matrix and the gradient check. It survives reloads as
// the decimated series of saved-state.ts. Pure (no DOM): unit-tested.

import type { GradCheckSummary } from '../protocol';
import type { GradientTensor } from './engine-protocol';
import { decimate, Series } from './lib/series';
import { MAX_NEWTON_ROWS, MAX_SAVED_POINTS, type RestoredState, type SavedState } from './saved-state';

export interface AccuracyHistory {
  readonly epoch: number[];
  readonly train: (number | null)[];
  readonly test: (number | null)[];
}

/** One series per layer with parameters, all on the same steps. */
export interface GradientNorms {
  readonly names: readonly string[];
  readonly series: readonly Series[];
}

/** One Newton iteration as the panel shows it (optimizer=newton). */
export interface NewtonRow {
  readonly iteration: number;
  readonly f: number;
  readonly gradientNorm: number;
  /** The accepted step α; 0 when the line search gave up. */
  readonly stepSize: number;
  readonly cgIterations: number;
  readonly actualReduction: number;
  readonly predictedReduction: number;
  /** The damping after its Levenberg–Marquardt update. */
  readonly lambda: number;
  readonly testAccuracy: number | null;
}

export type SavedHistory = Pick<SavedState, 'loss' | 'accuracy' | 'gradNorms' | 'confusion' | 'gradcheck' | 'newton'>;

export class History {
  loss = new Series();
  accuracy: AccuracyHistory = { epoch: [], train: [], test: [] };
  gradNorms: GradientNorms = { names: [], series: [] };
  /** Norm and histogram of every parameter tensor at the latest readback. */
  latestGradients: readonly GradientTensor[] = [];
  /** confusion[true][predicted] of the latest test evaluation. */
  confusion: number[][] | null = null;
  gradcheck: GradCheckSummary | null = null;
  /** optimizer=newton: one row per iteration, in order. */
  newton: NewtonRow[] = [];

  /** A Newton iteration; one seen again (a resumed run repeating it) replaces the old row and drops later ones. */
  addNewton(row: NewtonRow): void {
    this.newton = this.newton.filter((r) => r.iteration < row.iteration);
    this.newton.push(row);
    if (this.newton.length > MAX_NEWTON_ROWS) this.newton.splice(0, this.newton.length - MAX_NEWTON_ROWS);
  }

  trainAccuracy(epoch: number, accuracy: number): void {
    this.epochRow(epoch, (i) => { this.accuracy.train[i] = accuracy; });
  }

  testAccuracy(epoch: number, accuracy: number): void {
    this.epochRow(epoch, (i) => { this.accuracy.test[i] = accuracy; });
  }

  /** The last epoch's training and test accuracy (null before the first epoch). */
  get lastAccuracy(): { train: number | null; test: number | null } {
    const last = this.accuracy.epoch.length - 1;
    return last >= 0 ? { train: this.accuracy.train[last], test: this.accuracy.test[last] } : { train: null, test: null };
  }

  /** Adds each layer's √(‖∇W‖² + ‖∇b‖²) at `globalStep`; true when the layers changed (the chart needs new series). */
  addGradients(globalStep: number, tensors: readonly GradientTensor[]): boolean {
    this.latestGradients = tensors;
    const perLayer = new Map<string, number>();
    for (const t of tensors) {
      const layer = t.name.replace(/\.(weight|bias)$/, '');
      perLayer.set(layer, (perLayer.get(layer) ?? 0) + t.norm * t.norm);
    }
    const names = [...perLayer.keys()];
    const changed = names.join() !== this.gradNorms.names.join();
    if (changed) this.gradNorms = { names, series: names.map(() => new Series()) };
    names.forEach((n, i) => {
      const s = this.gradNorms.series[i];
      if (s.lastX !== globalStep) s.push(globalStep, Math.sqrt(perLayer.get(n)!));
    });
    return changed;
  }

  /** A new run starts its curves afresh. */
  reset(): void {
    this.loss = new Series();
    this.accuracy = { epoch: [], train: [], test: [] };
    this.gradNorms = { names: [], series: [] };
    this.latestGradients = [];
    this.confusion = null;
    this.newton = [];
  }

  /** A resumed run continues the curves up to its checkpoint's step and epoch, dropping what came after. */
  keepUpTo(step: number, epoch: number): void {
    this.loss.truncateAfter(step);
    for (const s of this.gradNorms.series) s.truncateAfter(step);
    const keep = this.accuracy.epoch.map((e) => e <= epoch);
    this.accuracy = {
      epoch: this.accuracy.epoch.filter((_, i) => keep[i]),
      train: this.accuracy.train.filter((_, i) => keep[i]),
      test: this.accuracy.test.filter((_, i) => keep[i]),
    };
    // A Newton iteration is an epoch.
    this.newton = this.newton.filter((r) => r.iteration <= epoch);
  }

  /** Decimated to MAX_SAVED_POINTS per series. */
  saved(): SavedHistory {
    const base = this.gradNorms.series[0];
    return {
      loss: decimate(this.loss.x, this.loss.y, MAX_SAVED_POINTS),
      accuracy: { epoch: [...this.accuracy.epoch], train: [...this.accuracy.train], test: [...this.accuracy.test] },
      gradNorms: {
        names: [...this.gradNorms.names],
        x: base ? decimate(base.x, base.x, MAX_SAVED_POINTS).x : [],
        y: this.gradNorms.series.map((s) => decimate(s.x, s.y, MAX_SAVED_POINTS).y),
      },
      confusion: this.confusion,
      gradcheck: this.gradcheck,
      newton: this.newton,
    };
  }

  /** Takes back whatever of it the saved state still had. */
  restore(s: RestoredState): void {
    if (s.loss) this.loss = Series.from(s.loss.x, s.loss.y);
    if (s.accuracy) this.accuracy = s.accuracy;
    const norms = s.gradNorms;
    if (norms && norms.names.length > 0) this.gradNorms = { names: norms.names, series: norms.y.map((y) => Series.from(norms.x, y)) };
    this.confusion = s.confusion ?? null;
    this.gradcheck = s.gradcheck ?? null;
    this.newton = s.newton ? [...s.newton] : [];
  }

  /** Calls `set` with the row of `epoch`, adding the row if it is new. */
  private epochRow(epoch: number, set: (i: number) => void): void {
    let i = this.accuracy.epoch.indexOf(epoch);
    if (i < 0) {
      i = this.accuracy.epoch.push(epoch) - 1;
      this.accuracy.train.push(null);
      this.accuracy.test.push(null);
    }
    set(i);
  }
}
