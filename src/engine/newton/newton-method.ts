// simpleNN's Newton method (opt/newton.m) on an abstract objective: per iteration, solve
//   (G_S/|S| + (λ + μ)·I) d = −g            by CG (cg.ts), μ = 1/C' the L2 coefficient,
// backtrack from α = 1 until f(w + αd) − f(w) ≤ η·α·gᵀd (Armijo), then move the Levenberg–Marquardt
// damping λ by the ratio of actual to predicted reduction: ×boost below 1/4, ×drop from 3/4.
//
// The objective is f(w) = loss(w) + (μ/2)‖w‖², loss the average over the training data, so the
// objective object only supplies the loss, its gradient and G_S/|S|; the L2 term is added here.
// Predicted reduction is the quadratic model's, α·gᵀd + ½α²·dᵀ(G_S/|S| + μI)d (simpleNN's newton.m
// writes α²·dᵀ(…)d without the ½; with it the ratio is 1 on an exact quadratic).

import { cgVectors, conjugateGradient, type CgVectors } from './cg';
import type { ParamSpace, ParamVector } from './param-space';

/** What Newton's method needs from a model and its data. */
export interface NewtonObjective {
  /** The live weights; the line search moves them in place. */
  readonly weights: ParamVector;
  /** Average loss over the training data at the current weights; with `grad`, its gradient written there. */
  evaluate(grad: ParamVector | null): Promise<{ readonly loss: number; readonly accuracy: number }>;
  /** Chooses the Gauss-Newton subsample S for iteration `iteration` (0-based). */
  selectSubsample(iteration: number): void | Promise<void>;
  /** out = G_S·v/|S| on the current subsample at the current weights. */
  curvature(v: ParamVector, out: ParamVector): void | Promise<void>;
}

export interface NewtonSettings {
  /** μ: the L2 coefficient of the objective (simpleNN's 1/C with C already scaled by the example count). */
  readonly l2: number;
  /** Initial damping λ. */
  readonly lambda: number;
  readonly xi: number;
  readonly cgMax: number;
  readonly drop: number;
  readonly boost: number;
  readonly eta: number;
  /** Halvings of α before the line search gives up and keeps the weights (simpleNN has no limit). */
  readonly maxBacktracks?: number;
}

/** One iteration's figures (the log line and the trainer's `newton` event). */
export interface NewtonIteration {
  /** 1-based iteration number. */
  readonly iteration: number;
  /** Objective after the iteration, and before it. */
  readonly f: number;
  readonly previousF: number;
  /** Average training loss and accuracy after the iteration (f without the L2 term). */
  readonly loss: number;
  readonly accuracy: number;
  /** ‖∇f‖ after the iteration. */
  readonly gradientNorm: number;
  /** Accepted step size α (0 when the line search gave up). */
  readonly stepSize: number;
  readonly cgIterations: number;
  readonly actualReduction: number;
  readonly predictedReduction: number;
  /** λ after this iteration's update. */
  readonly lambda: number;
  readonly backtracks: number;
}

export class NewtonError extends Error {
  constructor(message: string) { super(message); this.name = 'NewtonError'; }
}

const DEFAULT_MAX_BACKTRACKS = 30;

/** Its vectors come from `space`, which the owner disposes. */
export class NewtonMethod {
  private readonly grad: ParamVector;
  private readonly cg: CgVectors;
  private currentLambda: number;
  private iterations = 0;
  private current: { f: number; loss: number; accuracy: number; gradientNorm: number } | null = null;

  constructor(private readonly space: ParamSpace, private readonly objective: NewtonObjective, private readonly settings: NewtonSettings) {
    checkSettings(settings);
    this.currentLambda = Math.fround(settings.lambda);
    this.grad = space.zeros();
    this.cg = cgVectors(space);
  }

  get lambda(): number { return this.currentLambda; }
  /** Iterations taken (the next one's number minus one). */
  get iteration(): number { return this.iterations; }

  /** Continues from a saved damping and iteration count (a resumed run); f and ∇f are recomputed from the weights. */
  restore(lambda: number, iterations: number): void {
    if (!(lambda > 0) || !Number.isFinite(lambda)) throw new NewtonError(`saved λ must be a positive number, got ${lambda}`);
    if (!Number.isSafeInteger(iterations) || iterations < 0) throw new NewtonError(`saved Newton iteration count must be a whole number ≥ 0, got ${iterations}`);
    this.currentLambda = Math.fround(lambda);
    this.iterations = iterations;
    this.current = null;
  }

  /** f, loss and ‖∇f‖ at the current weights (computed on first use, then kept current by iterate()). */
  async state(): Promise<{ f: number; loss: number; accuracy: number; gradientNorm: number }> {
    if (!this.current) this.current = await this.evaluateWithGradient();
    return this.current;
  }

  async iterate(): Promise<NewtonIteration> {
    const { space, objective, settings, cg } = this;
    const before = await this.state();
    await objective.selectSubsample(this.iterations);
    const damping = this.currentLambda + settings.l2;
    const solve = await conjugateGradient(space, async (v, out) => {
      await objective.curvature(v, out);
      space.axpy(damping, v, out);
    }, this.grad, cg, { xi: settings.xi, maxIterations: settings.cgMax });

    // r = −g − A·d, so −g − r = A·d and dᵀ(G_S/|S| + μI)d = −gᵀd − rᵀd − λ‖d‖².
    const gd = await space.dot(this.grad, cg.s);
    const dd = await space.dot(cg.s, cg.s);
    const rd = await space.dot(cg.r, cg.s);
    const dHd = -gd - rd - this.currentLambda * dd;

    const search = await this.lineSearch(cg.s, gd, dHd, before.f);
    const ratio = search.predicted < 0 ? search.actual / search.predicted : 0;
    // λ is kept at f32 precision, as checkpoints store it, so a resumed run repeats an uninterrupted one.
    if (ratio < 0.25) this.currentLambda = Math.fround(this.currentLambda * settings.boost);
    else if (ratio >= 0.75) this.currentLambda = Math.fround(this.currentLambda * settings.drop);

    this.current = await this.evaluateWithGradient();
    this.iterations++;
    return {
      iteration: this.iterations, f: this.current.f, previousF: before.f, loss: this.current.loss, accuracy: this.current.accuracy,
      gradientNorm: this.current.gradientNorm, stepSize: search.alpha, cgIterations: solve.iterations,
      actualReduction: search.actual, predictedReduction: search.predicted, lambda: this.currentLambda, backtracks: search.backtracks,
    };
  }

  /** Backtracking from α = 1, moving the weights by (α − α_prev)·d each try as newton.m does. */
  private async lineSearch(d: ParamVector, gd: number, dHd: number, f0: number):
    Promise<{ alpha: number; actual: number; predicted: number; backtracks: number }> {
    const { space, objective, settings } = this;
    const maxBacktracks = settings.maxBacktracks ?? DEFAULT_MAX_BACKTRACKS;
    let alpha = 1, applied = 0;
    for (let backtracks = 0; ; backtracks++) {
      space.axpy(alpha - applied, d, objective.weights);
      applied = alpha;
      const f = await this.objectiveValue();
      const actual = f - f0, predicted = alpha * gd + 0.5 * alpha * alpha * dHd;
      if (actual <= settings.eta * alpha * gd) return { alpha, actual, predicted, backtracks };
      if (backtracks >= maxBacktracks || !(gd < 0)) {
        // No acceptable step: keep the old weights; the ratio below 1/4 boosts λ for a shorter step next time.
        space.axpy(-applied, d, objective.weights);
        return { alpha: 0, actual: 0, predicted: 0, backtracks };
      }
      alpha *= 0.5;
    }
  }

  private async objectiveValue(): Promise<number> {
    const { loss } = await this.objective.evaluate(null);
    return loss + 0.5 * this.settings.l2 * await this.space.dot(this.objective.weights, this.objective.weights);
  }

  private async evaluateWithGradient(): Promise<{ f: number; loss: number; accuracy: number; gradientNorm: number }> {
    const { space, objective, settings } = this;
    const { loss, accuracy } = await objective.evaluate(this.grad);
    const ww = await space.dot(objective.weights, objective.weights);
    space.axpy(settings.l2, objective.weights, this.grad);
    const f = loss + 0.5 * settings.l2 * ww;
    if (!Number.isFinite(f)) throw new NewtonError(`the objective is not finite (f = ${f}) after ${this.iterations} Newton iteration(s)`);
    return { f, loss, accuracy, gradientNorm: await space.norm(this.grad) };
  }
}

function checkSettings(s: NewtonSettings): void {
  const positive = (name: string, v: number) => {
    if (!(v > 0) || !Number.isFinite(v)) throw new NewtonError(`${name} must be a positive number, got ${v}`);
  };
  if (!(s.l2 >= 0) || !Number.isFinite(s.l2)) throw new NewtonError(`the L2 coefficient must be ≥ 0, got ${s.l2}`);
  positive('lambda', s.lambda);
  positive('xi', s.xi);
  if (!Number.isInteger(s.cgMax) || s.cgMax < 1) throw new NewtonError(`CGmax must be a positive integer, got ${s.cgMax}`);
  if (!(s.drop > 0 && s.drop < 1)) throw new NewtonError(`drop must be in (0, 1), got ${s.drop}`);
  if (!(s.boost > 1) || !Number.isFinite(s.boost)) throw new NewtonError(`boost must be > 1, got ${s.boost}`);
  if (!(s.eta > 0 && s.eta < 1)) throw new NewtonError(`eta must be in (0, 1), got ${s.eta}`);
}
