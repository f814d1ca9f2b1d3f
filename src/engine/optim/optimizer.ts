// Optimizers update parameters in place on the backend; their state lives in tensors too, so a
// checkpoint can save it and the GPU never ships weights back to the host during training.

import type { Backend, Tensor } from '../backend';
import type { OptimizerKind, TrainSettings } from '../../lang/spec';
import type { Param } from '../layers/layer';
import { optimizerStateName, type OptimizerStateKind } from '../tensor-names';
import { sharedArena, type ParamArena } from '../layers/param-arena';

/** A piece of optimizer state, named after its parameter, e.g. `optim.layers.0.weight.momentum`. */
export interface OptimizerSlot {
  readonly name: string;
  readonly length: number;
  readonly tensor: Tensor;
}

/** What checkpoints and the NaN guard need of any optimizer: its state tensors and step count. */
export interface OptimizerState {
  readonly kind: OptimizerKind;
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

/** A per-step update rule (Newton's method takes whole iterations instead: engine/newton). */
export interface Optimizer extends OptimizerState {
  readonly kind: 'sgd' | 'adam';
  /** Updates every parameter from its gradient with learning rate lr, and counts the step. */
  step(lr: number): void;
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

/**
 * One state tensor per parameter. When the parameters are packed in one arena the state is too, laid
 * out like it, so a step is one kernel call over the whole arena (`whole`); otherwise `whole` is null.
 */
class StateTensors {
  readonly slots: readonly OptimizerSlot[];
  readonly whole: Tensor | null;

  constructor(backend: Backend, params: readonly Param[], kind: OptimizerStateKind, arena: ParamArena | null) {
    const twin = arena?.twin(backend) ?? null;
    this.whole = twin?.whole ?? null;
    this.slots = params.map((p) => ({
      name: optimizerStateName(p.name, kind), length: p.length,
      tensor: twin ? twin.view(p.packed!, p.length) : backend.zeros(p.length),
    }));
  }
}

/** SGD with (heavy-ball) momentum: v = μ·v − lr·(g + wd·w); w += v. */
export class Sgd extends CountingOptimizer implements Optimizer {
  readonly kind = 'sgd' as const;
  readonly slots: readonly OptimizerSlot[];
  private readonly arena: ParamArena | null;
  private readonly velocity: StateTensors;

  constructor(backend: Backend, private readonly params: readonly Param[],
    private readonly momentum: number, private readonly weightDecay: number) {
    super(backend);
    this.arena = sharedArena(params);
    this.velocity = new StateTensors(backend, params, 'momentum', this.arena);
    this.slots = this.velocity.slots;
  }

  step(lr: number): void {
    this.count();
    if (this.arena && this.velocity.whole) {
      this.backend.sgdStep(this.arena.values, this.arena.grads, this.velocity.whole, this.arena.extent, lr, this.momentum, this.weightDecay);
      return;
    }
    this.params.forEach((p, i) => this.backend.sgdStep(p.value, p.grad, this.slots[i].tensor, p.length, lr, this.momentum, this.weightDecay));
  }
}

/** Adam (β1 = 0.9, β2 = 0.999, ε = 1e-8) with bias correction and L2 weight decay. */
export class Adam extends CountingOptimizer implements Optimizer {
  readonly kind = 'adam' as const;
  readonly slots: readonly OptimizerSlot[];
  private readonly arena: ParamArena | null;
  private readonly m: StateTensors;
  private readonly v: StateTensors;

  constructor(backend: Backend, private readonly params: readonly Param[], private readonly weightDecay: number,
    private readonly beta1 = 0.9, private readonly beta2 = 0.999, private readonly epsilon = 1e-8) {
    super(backend);
    this.arena = sharedArena(params);
    this.m = new StateTensors(backend, params, 'adam_m', this.arena);
    this.v = new StateTensors(backend, params, 'adam_v', this.arena);
    // Checkpoints list each parameter's m then v.
    this.slots = params.flatMap((_, i) => [this.m.slots[i], this.v.slots[i]]);
  }

  step(lr: number): void {
    const t = this.count();
    if (this.arena && this.m.whole && this.v.whole) {
      this.backend.adamStep(this.arena.values, this.arena.grads, this.m.whole, this.v.whole, this.arena.extent, lr,
        this.beta1, this.beta2, this.epsilon, t, this.weightDecay);
      return;
    }
    this.params.forEach((p, i) => this.backend.adamStep(p.value, p.grad, this.m.slots[i].tensor, this.v.slots[i].tensor, p.length, lr,
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
      throw new OptimizerError("optimizer 'newton' takes whole iterations, not per-step updates: the trainer runs it through engine/newton");
    default:
      throw new OptimizerError(`unknown optimizer '${String(settings.optimizer)}'; use sgd or adam`);
  }
}
