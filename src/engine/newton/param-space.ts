// Vector arithmetic on parameter-space vectors (one tensor per network parameter) through Backend
// operations only, so Newton's method runs unchanged on every backend. A dot product is a 1×k·k×1
// GEMM per piece accumulated into one scalar tensor; reading that scalar back is the only transfer.

import type { Backend, Tensor } from '../backend';
import type { ParamVector } from './gauss-newton';

export type { ParamVector };

export class ParamSpace {
  /** Total number of values in a vector. */
  readonly size: number;
  private readonly scalar: Tensor;
  private readonly owned: Tensor[][] = [];

  /** `lengths`: the values of each piece, e.g. `network.parameters.map((p) => p.length)`. */
  constructor(private readonly backend: Backend, readonly lengths: readonly number[]) {
    if (lengths.length === 0) throw new RangeError('a parameter space needs at least one tensor');
    for (const n of lengths) if (!Number.isInteger(n) || n < 1) throw new RangeError(`parameter tensor lengths must be positive integers, got ${n}`);
    this.size = lengths.reduce((s, n) => s + n, 0);
    this.scalar = backend.zeros(1);
  }

  /** A zero vector, released by dispose(). */
  zeros(): Tensor[] {
    const v = this.lengths.map((n) => this.backend.zeros(n));
    this.owned.push(v);
    return v;
  }

  fill(v: ParamVector, value: number): void {
    v.forEach((t, i) => this.backend.fill(t, value, this.lengths[i]));
  }

  copy(src: ParamVector, dst: ParamVector): void {
    src.forEach((t, i) => this.backend.copy(t, dst[i], this.lengths[i]));
  }

  /** y += alpha·x. */
  axpy(alpha: number, x: ParamVector, y: ParamVector): void {
    x.forEach((t, i) => this.backend.axpy(alpha, t, y[i], this.lengths[i]));
  }

  scale(v: ParamVector, alpha: number): void {
    v.forEach((t, i) => this.backend.scale(t, alpha, this.lengths[i]));
  }

  /** y = x + beta·y (CG's direction update). */
  xpby(x: ParamVector, beta: number, y: ParamVector): void {
    this.scale(y, beta);
    this.axpy(1, x, y);
  }

  /** xᵀy, read back from the device. */
  async dot(x: ParamVector, y: ParamVector): Promise<number> {
    x.forEach((t, i) => this.backend.gemm(t, y[i], this.scalar, 1, 1, this.lengths[i], { beta: i === 0 ? 0 : 1 }));
    this.backend.flush();
    return (await this.backend.read(this.scalar))[0];
  }

  async norm(x: ParamVector): Promise<number> {
    return Math.sqrt(Math.max(0, await this.dot(x, x)));
  }

  /** Releases every vector made by zeros() and the scratch scalar. */
  dispose(): void {
    for (const v of this.owned) for (const t of v) this.backend.dispose(t);
    this.owned.length = 0;
    this.backend.dispose(this.scalar);
  }
}
