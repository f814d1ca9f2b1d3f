// Dropout (the mask is the shared hash of random.ts, so it matches the cpu's bit for bit) and batch
// norm (one workgroup per row reduces its statistics).

import type { BatchNormTensors, Tensor } from '../backend';
import { dropoutThreshold } from '../random';
import { checkTensor } from './gpu-tensor';
import { launchLinear, launchRowwise, type OpContext } from './launch';

export function dropoutForward(ctx: OpContext, x: Tensor, y: Tensor, mask: Tensor, length: number, p: number, seed: number): void {
  launchLinear(ctx, 'dropoutForward', length, [checkTensor(x, length, 'dropout x').binding,
    checkTensor(y, length, 'dropout y').binding, checkTensor(mask, length, 'dropout mask').binding],
  { length, seed: seed >>> 0, threshold: dropoutThreshold(p), keep_scale: p < 1 ? 1 / (1 - p) : 0 });
}

export function dropoutBackward(ctx: OpContext, dy: Tensor, mask: Tensor, dx: Tensor, length: number): void {
  launchLinear(ctx, 'multiply', length, [checkTensor(dy, length, 'dropout dy').binding,
    checkTensor(mask, length, 'dropout mask').binding, checkTensor(dx, length, 'dropout dx').binding], { length });
}

export function batchNormForward(ctx: OpContext, x: Tensor, y: Tensor, rows: number, cols: number, t: BatchNormTensors,
  training: boolean, momentum: number, epsilon: number): void {
  const size = rows * cols;
  launchRowwise(ctx, 'batchNormForward', rows, [checkTensor(x, size, 'batchNorm x').binding,
    checkTensor(t.gamma, rows, 'gamma').binding, checkTensor(t.beta, rows, 'beta').binding,
    checkTensor(t.runningMean, rows, 'runningMean').binding, checkTensor(t.runningVar, rows, 'runningVar').binding,
    checkTensor(t.saveMean, rows, 'saveMean').binding, checkTensor(t.saveInvStd, rows, 'saveInvStd').binding,
    checkTensor(y, size, 'batchNorm y').binding],
  { rows, cols, training: training ? 1 : 0, momentum, keep: 1 - momentum, epsilon });
}

export function batchNormBackward(ctx: OpContext, x: Tensor, dy: Tensor, dx: Tensor, rows: number, cols: number,
  t: BatchNormTensors, dgamma: Tensor, dbeta: Tensor): void {
  const size = rows * cols;
  launchRowwise(ctx, 'batchNormBackward', rows, [checkTensor(x, size, 'batchNorm x').binding,
    checkTensor(dy, size, 'batchNorm dy').binding, checkTensor(t.gamma, rows, 'gamma').binding,
    checkTensor(t.saveMean, rows, 'saveMean').binding, checkTensor(t.saveInvStd, rows, 'saveInvStd').binding,
    checkTensor(dx, size, 'batchNorm dx').binding, checkTensor(dgamma, rows, 'dgamma').binding,
    checkTensor(dbeta, rows, 'dbeta').binding], { rows, cols });
}
