// Conjugate gradient for A·s = −g with A symmetric positive definite, as simpleNN's opt/CG.m runs it:
// start from s = 0, stop once ‖r‖ ≤ xi·‖g‖ or after maxIterations products. Vectors stay on the
// backend; each iteration reads back two scalars (pᵀAp and rᵀr).

import type { ParamSpace, ParamVector } from './param-space';

/** out = A·v. */
export type LinearOperator = (v: ParamVector, out: ParamVector) => void | Promise<void>;

export interface CgOptions {
  /** Relative tolerance xi: stop at ‖r‖ ≤ xi·‖g‖. */
  readonly xi: number;
  readonly maxIterations: number;
}

/** Scratch vectors CG works in; reuse them across solves. */
export interface CgVectors {
  /** The solution s (output). */
  readonly s: ParamVector;
  /** The residual r = −g − A·s (output). */
  readonly r: ParamVector;
  readonly p: ParamVector;
  readonly ap: ParamVector;
}

export interface CgResult {
  /** Products A·v taken. */
  readonly iterations: number;
  readonly gradientNorm: number;
  readonly residualNorm: number;
  /** Whether ‖r‖ ≤ xi·‖g‖ was reached (else maxIterations ran out, or curvature vanished). */
  readonly converged: boolean;
}

export class CgError extends Error {
  constructor(message: string) { super(message); this.name = 'CgError'; }
}

export function cgVectors(space: ParamSpace): CgVectors {
  return { s: space.zeros(), r: space.zeros(), p: space.zeros(), ap: space.zeros() };
}

export async function conjugateGradient(space: ParamSpace, apply: LinearOperator, g: ParamVector, work: CgVectors,
  options: CgOptions): Promise<CgResult> {
  if (!(options.xi > 0) || !Number.isFinite(options.xi)) throw new CgError(`CG tolerance xi must be a positive number, got ${options.xi}`);
  if (!Number.isInteger(options.maxIterations) || options.maxIterations < 1) {
    throw new CgError(`CG needs at least one iteration, got maxIterations = ${options.maxIterations}`);
  }
  const { s, r, p, ap } = work;
  space.fill(s, 0);
  space.copy(g, r);
  space.scale(r, -1);
  space.copy(r, p);
  let rr = await space.dot(r, r);
  const gradientNorm = Math.sqrt(rr), tolerance = options.xi * gradientNorm;
  if (!Number.isFinite(rr)) throw new CgError(`the gradient is not finite (‖g‖² = ${rr})`);
  if (gradientNorm === 0) return { iterations: 0, gradientNorm, residualNorm: 0, converged: true };
  let iterations = 0;
  while (iterations < options.maxIterations) {
    await apply(p, ap);
    iterations++;
    const pAp = await space.dot(p, ap);
    if (!Number.isFinite(pAp)) throw new CgError(`the curvature product is not finite (pᵀAp = ${pAp}) at CG iteration ${iterations}`);
    // A is SPD in exact arithmetic; a non-positive pᵀAp is rounding, and the step so far stands.
    if (pAp <= 0) return { iterations, gradientNorm, residualNorm: Math.sqrt(rr), converged: false };
    const alpha = rr / pAp;
    space.axpy(alpha, p, s);
    space.axpy(-alpha, ap, r);
    const rrNew = await space.dot(r, r);
    if (Math.sqrt(rrNew) <= tolerance) return { iterations, gradientNorm, residualNorm: Math.sqrt(rrNew), converged: true };
    space.xpby(r, rrNew / rr, p);
    rr = rrNew;
  }
  return { iterations, gradientNorm, residualNorm: Math.sqrt(rr), converged: false };
}
