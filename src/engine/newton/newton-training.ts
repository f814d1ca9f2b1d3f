// Newton's method wired to a network and its training examples for the trainer: the parameter
// space, the objective, the method and its saved state, built from the `train` statement's settings.
// Its tensors come from the backend it is given; the trainer's allocation tracking releases them.

import type { Backend } from '../backend';
import type { NewtonTrainSettings } from '../../lang/spec';
import type { Network } from '../network';
import { NetworkObjective } from './network-objective';
import { NewtonError, NewtonMethod, type NewtonIteration } from './newton-method';
import { NewtonState } from './newton-state';
import { ParamSpace } from './param-space';

export interface NewtonTrainingOptions {
  readonly settings: NewtonTrainSettings;
  /** Training examples (indices the loader understands). */
  readonly examples: Int32Array;
  readonly seed: number;
  readonly load: (indices: Int32Array) => void;
  readonly yieldIfDue?: () => Promise<unknown>;
}

/** GNsize as simpleNN sets it: the written size, or ⌈5% of the examples⌉ for 0, never more than all of them. */
export function subsampleSize(gnSize: number, examples: number): number {
  if (!Number.isInteger(gnSize) || gnSize < 0) throw new NewtonError(`GNsize must be a whole number ≥ 0, got ${gnSize}`);
  return Math.min(examples, gnSize === 0 ? Math.max(1, Math.ceil(0.05 * examples)) : gnSize);
}

/** simpleNN's objective scales C by the example count: the L2 coefficient is 1/(C·l). */
export function l2Coefficient(c: number, examples: number): number {
  if (!(c > 0) || !Number.isFinite(c)) throw new NewtonError(`C must be a positive number, got ${c}`);
  return 1 / (c * examples);
}

export class NewtonTraining {
  readonly state: NewtonState;
  readonly subsampleSize: number;
  private readonly space: ParamSpace;
  private readonly objective: NetworkObjective;
  private readonly method: NewtonMethod;
  /** The method's λ and count match the state's slot (false after a restore). */
  private synced = true;

  constructor(backend: Backend, network: Network, options: NewtonTrainingOptions) {
    const { settings, examples } = options;
    this.subsampleSize = subsampleSize(settings.gnSize, examples.length);
    this.space = new ParamSpace(backend, network.parameters.map((p) => p.length));
    this.objective = new NetworkObjective(backend, network, this.space, {
      examples, subsampleSize: this.subsampleSize, seed: options.seed, load: options.load, yieldIfDue: options.yieldIfDue,
    });
    this.method = new NewtonMethod(this.space, this.objective, {
      l2: l2Coefficient(settings.C, examples.length), lambda: settings.lambda, xi: settings.xi, cgMax: settings.cgMax,
      drop: settings.drop, boost: settings.boost, eta: settings.eta,
    });
    this.state = new NewtonState(backend, settings.lambda);
  }

  /** The weights or the state were replaced (a restored checkpoint): start from them next time. */
  invalidate(): void {
    this.synced = false;
  }

  /** f, loss and ‖∇f‖ at the current weights. */
  async current(): Promise<{ f: number; loss: number; accuracy: number; gradientNorm: number }> {
    await this.sync();
    return this.method.state();
  }

  async iterate(): Promise<NewtonIteration> {
    await this.sync();
    const result = await this.method.iterate();
    this.state.record(result.lambda);
    return result;
  }

  private async sync(): Promise<void> {
    if (this.synced) return;
    this.method.restore(await this.state.lambda(), this.state.steps);
    this.synced = true;
  }
}
