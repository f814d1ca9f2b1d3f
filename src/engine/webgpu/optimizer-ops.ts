// Optimizer updates, in place, one invocation per weight.

import type { Tensor } from '../backend';
import { checkTensor } from './gpu-tensor';
import { launchLinear, type OpContext } from './launch';

export function sgdStep(ctx: OpContext, w: Tensor, g: Tensor, v: Tensor, length: number, lr: number, momentum: number,
  weightDecay: number): void {
  launchLinear(ctx, 'sgd', length, [checkTensor(g, length, 'sgd gradient').binding, checkTensor(w, length, 'sgd weights').binding,
    checkTensor(v, length, 'sgd velocity').binding], { length, lr, momentum, weight_decay: weightDecay });
}

export function adamStep(ctx: OpContext, w: Tensor, g: Tensor, m: Tensor, v: Tensor, length: number, lr: number,
  beta1: number, beta2: number, epsilon: number, t: number, weightDecay: number): void {
  launchLinear(ctx, 'adam', length, [checkTensor(g, length, 'adam gradient').binding, checkTensor(w, length, 'adam weights').binding,
    checkTensor(m, length, 'adam m').binding, checkTensor(v, length, 'adam v').binding],
  { length, lr, beta1, beta2, one_minus_beta1: 1 - beta1, one_minus_beta2: 1 - beta2, epsilon, weight_decay: weightDecay,
    correction1: 1 / (1 - Math.pow(beta1, t)), correction2: 1 / (1 - Math.pow(beta2, t)) });
}
