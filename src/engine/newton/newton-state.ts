// Newton's method's saved state, in the shape checkpoints know (OptimizerState): the damping λ as a
// one-value slot, so a resumed run continues with the λ it had, and the iteration count as its steps
// (it also picks the Gauss-Newton subsample, see subsample.ts).

import type { Backend, Tensor } from '../backend';
import type { OptimizerSlot, OptimizerState } from '../optim/optimizer';
import { OptimizerError } from '../optim/optimizer';

/** Checkpoint name of λ. */
export const NEWTON_LAMBDA_SLOT = 'optim.newton.lambda';

export class NewtonState implements OptimizerState {
  readonly kind = 'newton' as const;
  readonly slots: readonly OptimizerSlot[];
  private readonly lambdaTensor: Tensor;
  private taken = 0;

  constructor(private readonly backend: Backend, private readonly initialLambda: number) {
    this.lambdaTensor = backend.zeros(1);
    this.slots = [{ name: NEWTON_LAMBDA_SLOT, length: 1, tensor: this.lambdaTensor }];
    this.reset();
  }

  /** Newton iterations taken. */
  get steps(): number { return this.taken; }

  restoreSteps(steps: number): void {
    if (!Number.isSafeInteger(steps) || steps < 0) throw new OptimizerError(`Newton iteration count must be a whole number ≥ 0, got ${steps}`);
    this.taken = steps;
  }

  reset(): void {
    this.backend.write(this.lambdaTensor, [this.initialLambda]);
    this.taken = 0;
  }

  async lambda(): Promise<number> {
    return (await this.backend.read(this.lambdaTensor))[0];
  }

  /** Records an iteration and the λ it left. */
  record(lambda: number): void {
    this.backend.write(this.lambdaTensor, [lambda]);
    this.taken++;
  }
}
