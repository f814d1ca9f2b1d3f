// Optimizers update parameters in place on the backend; their state lives in tensors too, so a
// checkpoint can save it and the GPU never ships weights back to the host during training.

import type { Backend, Tensor } from '../backend';
import type { TrainSettings } from '../../lang/spec';
import type { Param } from '../layers/layer';
import { optimizerStateName, type OptimizerStateKind } from '../tensor-names';

/** A piece of optimizer state, named after its parameter, e.g. `optim.layers.0.weight.momentum`. */
export interface OptimizerSlot {
  readonly name: string;
  readonly length: number;
  readonly tensor: Tensor;
}

export interface Optimizer {
  readonly kind: 'sgd' | 'adam';
  /** Updates every parameter from its gradient with learning rate lr, and counts the step. */
  step(lr: number): void;
  /** State tensors to save and restore with the weights. */
  readonly slots: readonly OptimizerSlot[];
  /**
   * Steps taken since the state was last zeroed: Adam's bias-correction t. It is the optimizer's own
   * count, not the trainer's, because the moments and t must start from zero together (a fresh or
   * switched optimizer on a resumed run would otherwise take steps several times lr).
   */
  readonly steps: number;
  /** Sets the step count that goes with restored slots. */
  restoreSteps(steps: number): void;
  /** Zeroes the state and the step count (a fresh start). */
  reset(): void;
}

/** The step count and its reset, shared by both optimizers. */
abstract class CountingOptimizer {
  private taken = 0;
  abstract readonly slots: readonly OptimizerSlot[];
  constructor(protected readonly backend: Backend) {}

  get steps(): number { return this.taken; }

  restoreSteps(steps: number): void {
    if (!Number.isSafeInteger(steps) || steps < 0) throw new OptimizerError(`optimizer step count must be a whole number ≥ 0, got ${steps}`);
    this.taken = steps;
  }

  reset(): void {
    for (const s of this.slots) this.backend.fill(s.tensor, 0);
    this.taken = 0;
  }

  /** Counts a step and returns its 1-based number. */
  protected count(): number { return ++this.taken; }
}

/** simpleNN's step-size decay: lr_t = lr / (1 + decay·t), t = steps taken before this one. */
export function decayedLearningRate(lr: number, decay: number, t: number): number {
  return lr / (1 + decay * t);
}

function slot(backend: Backend, param: Param, kind: OptimizerStateKind): OptimizerSlot {
  return { name: optimizerStateName(param.name, kind), length: param.length, tensor: backend.zeros(param.length) };
}

/** SGD with (heavy-ball) momentum: v = μ·v − lr·(g + wd·w); w += v. */
export class Sgd extends CountingOptimizer implements Optimizer {
  readonly kind = 'sgd' as const;
  readonly slots: readonly OptimizerSlot[];

  constructor(backend: Backend, private readonly params: readonly Param[],
    private readonly momentum: number, private readonly weightDecay: number) {
    super(backend);
    this.slots = params.map((p) => slot(backend, p, 'momentum'));
  }

  step(lr: number): void {
    this.count();
    this.params.forEach((p, i) => this.backend.sgdStep(p.value, p.grad, this.slots[i].tensor, p.length, lr, this.momentum, this.weightDecay));
  }
}

/** Adam (β1 = 0.9, β2 = 0.999, ε = 1e-8) with bias correction and L2 weight decay. */
export class Adam extends CountingOptimizer implements Optimizer {
  readonly kind = 'adam' as const;
  readonly slots: readonly OptimizerSlot[];
  private readonly moments: readonly { m: Tensor; v: Tensor }[];

  constructor(backend: Backend, private readonly params: readonly Param[], private readonly weightDecay: number,
    private readonly beta1 = 0.9, private readonly beta2 = 0.999, private readonly epsilon = 1e-8) {
    super(backend);
    const slots: OptimizerSlot[] = [];
    this.moments = params.map((p) => {
      const m = slot(backend, p, 'adam_m'), v = slot(backend, p, 'adam_v');
      slots.push(m, v);
      return { m: m.tensor, v: v.tensor };
    });
    this.slots = slots;
  }

  step(lr: number): void {
    const t = this.count();
    this.params.forEach((p, i) => this.backend.adamStep(p.value, p.grad, this.moments[i].m, this.moments[i].v, p.length, lr,
      this.beta1, this.beta2, this.epsilon, t, this.weightDecay));
  }
}

export class OptimizerError extends Error {
  constructor(message: string) { super(message); this.name = 'OptimizerError'; }
}

/** The optimizer a `train` statement asks for. */
export function createOptimizer(backend: Backend, params: readonly Param[], settings: Pick<TrainSettings, 'optimizer' | 'momentum' | 'weightDecay'>): Optimizer {
  switch (settings.optimizer) {
    case 'sgd': return new Sgd(backend, params, settings.momentum, settings.weightDecay);
    case 'adam': return new Adam(backend, params, settings.weightDecay);
    case 'newton':
      throw new OptimizerError("optimizer 'newton' (subsampled Gauss-Newton) is not available yet; use sgd or adam");
    default:
      throw new OptimizerError(`unknown optimizer '${String(settings.optimizer)}'; use sgd or adam`);
  }
}
