// How the `optimizer` setting updates the weights: a per-step rule (sgd, adam) over epochs of
// batches, or Newton's method (engine/newton), whose iterations count as epochs of one step. The
// trainer runs the loop that fits (its own for steps, newton-run.ts for Newton).

import type { Backend } from '../backend';
import type { NewtonTrainSettings } from '../../lang/spec';
import type { Network } from '../network';
import { NewtonTraining } from '../newton/newton-training';
import { createOptimizer, type Optimizer, type OptimizerState } from '../optim/optimizer';
import type { TrainerSettings } from './settings';

export interface UpdateRule {
  /** The per-step update rule (sgd, adam); null with optimizer=newton. */
  readonly stepRule: Optimizer | null;
  /** Newton's method (optimizer=newton), else null. */
  readonly newton: NewtonTraining | null;
  /** The optimizer's saved state: sgd/adam slots, or Newton's λ (its step count = Newton iterations). */
  readonly optimizer: OptimizerState;
  /** Optimizer steps per epoch; 1 with optimizer=newton. */
  readonly stepsPerEpoch: number;
}

export interface UpdateRuleInputs {
  readonly settings: TrainerSettings;
  readonly newtonSettings: NewtonTrainSettings;
  /** The training examples (indices into the train split). */
  readonly examples: Int32Array;
  /** Loads training examples into the network's input and labels (Newton's objective). */
  load(indices: Int32Array): void;
  yieldIfDue(): Promise<unknown>;
}

export function createUpdateRule(backend: Backend, network: Network, inputs: UpdateRuleInputs): UpdateRule {
  const { settings, examples } = inputs;
  if (settings.optimizer === 'newton') {
    const newton = new NewtonTraining(backend, network, {
      settings: inputs.newtonSettings, examples, seed: settings.seed, load: inputs.load, yieldIfDue: inputs.yieldIfDue,
    });
    return { stepRule: null, newton, optimizer: newton.state, stepsPerEpoch: 1 };
  }
  const stepRule = createOptimizer(backend, network.parameters, settings);
  return { stepRule, newton: null, optimizer: stepRule, stepsPerEpoch: Math.ceil(examples.length / settings.batch) };
}
