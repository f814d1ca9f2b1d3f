// Output layers and losses: softmax one invocation per example column; the losses in one workgroup,
// which also accumulates the metrics (Σ loss, #correct, n) on the device.

import { METRICS_LENGTH, type Tensor } from '../backend';
import { checkTensor } from './gpu-tensor';
import { launchLinear, launchSingleWorkgroup, type OpContext } from './launch';

export function softmaxForward(ctx: OpContext, x: Tensor, y: Tensor, classes: number, n: number): void {
  const size = classes * n;
  launchLinear(ctx, 'softmaxForward', n, [checkTensor(x, size, 'softmax x').binding, checkTensor(y, size, 'softmax y').binding],
    { classes, n });
}

export function softmaxBackward(ctx: OpContext, y: Tensor, dy: Tensor, dx: Tensor, classes: number, n: number): void {
  const size = classes * n;
  launchLinear(ctx, 'softmaxBackward', n, [checkTensor(y, size, 'softmax y').binding, checkTensor(dy, size, 'softmax dy').binding,
    checkTensor(dx, size, 'softmax dx').binding], { classes, n });
}

export function softmaxCrossEntropy(ctx: OpContext, logits: Tensor, labels: Tensor, probs: Tensor, dlogits: Tensor | null,
  metrics: Tensor, classes: number, n: number): void {
  const size = classes * n;
  launchSingleWorkgroup(ctx, 'softmaxCrossEntropy', [checkTensor(logits, size, 'logits').binding,
    checkTensor(labels, n, 'labels', 'u32').binding, checkTensor(probs, size, 'probs').binding,
    dlogits ? checkTensor(dlogits, size, 'dlogits').binding : ctx.unusedOutput,
    checkTensor(metrics, METRICS_LENGTH, 'metrics').binding], { classes, n, has_dlogits: dlogits ? 1 : 0 });
}

export function mseLoss(ctx: OpContext, out: Tensor, labels: Tensor, dout: Tensor | null, metrics: Tensor,
  classes: number, n: number): void {
  const size = classes * n;
  launchSingleWorkgroup(ctx, 'mseLoss', [checkTensor(out, size, 'mse out').binding, checkTensor(labels, n, 'labels', 'u32').binding,
    dout ? checkTensor(dout, size, 'dout').binding : ctx.unusedOutput,
    checkTensor(metrics, METRICS_LENGTH, 'metrics').binding], { classes, n, has_dout: dout ? 1 : 0 });
}
