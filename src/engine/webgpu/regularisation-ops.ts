// Dropout (the mask is the shared hash of random.ts, so it matches the cpu's bit for bit) and batch
// norm (one workgroup per row reduces its statistics).

import type { BatchNormTensors, Tensor } from '../backend';
import { dropoutThreshold } from '../random';
import { checkTensor } from './gpu-tensor';
import { launchLinear, launchRowwise, type OpContext } from './launch';

export function dropoutForward(ctx: OpContext, x: Tensor, y: Tensor, mask: Tensor, length: number, p: number, seed: number): void {
  launchLinear(ctx, 'dropoutForward', length, [checkTensor(x, length, 'dropout x').buffer,
    checkTensor(y, length, 'dropout y').buffer, checkTensor(mask, length, 'dropout mask').buffer],
  { length, seed: seed >>> 0, threshold: dropoutThreshold(p), keep_scale: p < 1 ? 1 / (1 - p) : 0 });
}

export function dropoutBackward(ctx: OpContext, dy: Tensor, mask: Tensor, dx: Tensor, length: number): void {
  launchLinear(ctx, 'multiply', length, [checkTensor(dy, length, 'dropout dy').buffer,
    checkTensor(mask, length, 'dropout mask').buffer, checkTensor(dx, length, 'dropout dx').buffer], { length });
}

export function batchNormForward(ctx: OpContext, x: Tensor, y: Tensor, rows: number, cols: number, t: BatchNormTensors,
  training: boolean, momentum: number, epsilon: number): void {
  const size = rows * cols;
  launchRowwise(ctx, 'batchNormForward', rows, [checkTensor(x, size, 'batchNorm x').buffer,
    checkTensor(t.gamma, rows, 'gamma').buffer, checkTensor(t.beta, rows, 'beta').buffer,
    checkTensor(t.runningMean, rows, 'runningMean').buffer, checkTensor(t.runningVar, rows, 'runningVar').buffer,
    checkTensor(t.saveMean, rows, 'saveMean').buffer, checkTensor(t.saveInvStd, rows, 'saveInvStd').buffer,
    checkTensor(y, size, 'batchNorm y').buffer],
  { rows, cols, training: training ? 1 : 0, momentum, keep: 1 - momentum, epsilon });
}

export function batchNormBackward(ctx: OpContext, x: Tensor, dy: Tensor, dx: Tensor, rows: number, cols: number,
  t: BatchNormTensors, dgamma: Tensor, dbeta: Tensor): void {
  const size = rows * cols;
  launchRowwise(ctx, 'batchNormBackward', rows, [checkTensor(x, size, 'batchNorm x').buffer,
    checkTensor(dy, size, 'batchNorm dy').buffer, checkTensor(t.gamma, rows, 'gamma').buffer,
    checkTensor(t.saveMean, rows, 'saveMean').buffer, checkTensor(t.saveInvStd, rows, 'saveInvStd').buffer,
    checkTensor(dx, size, 'batchNorm dx').buffer, checkTensor(dgamma, rows, 'dgamma').buffer,
    checkTensor(dbeta, rows, 'dbeta').buffer], { rows, cols });
}
