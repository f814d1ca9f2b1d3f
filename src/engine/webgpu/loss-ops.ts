// Output layers and losses: softmax one invocation per example column; the losses in one workgroup,
// which also accumulates the metrics (Σ loss, #correct, n) on the device.

import { METRICS_LENGTH, type Tensor } from '../backend';
import { checkTensor } from './gpu-tensor';
import { launchLinear, launchSingleWorkgroup, type OpContext } from './launch';

export function softmaxForward(ctx: OpContext, x: Tensor, y: Tensor, classes: number, n: number): void {
  const size = classes * n;
  launchLinear(ctx, 'softmaxForward', n, [checkTensor(x, size, 'softmax x').buffer, checkTensor(y, size, 'softmax y').buffer],
    { classes, n });
}

export function softmaxBackward(ctx: OpContext, y: Tensor, dy: Tensor, dx: Tensor, classes: number, n: number): void {
  const size = classes * n;
  launchLinear(ctx, 'softmaxBackward', n, [checkTensor(y, size, 'softmax y').buffer, checkTensor(dy, size, 'softmax dy').buffer,
    checkTensor(dx, size, 'softmax dx').buffer], { classes, n });
}

export function softmaxCrossEntropy(ctx: OpContext, logits: Tensor, labels: Tensor, probs: Tensor, dlogits: Tensor | null,
  metrics: Tensor, classes: number, n: number): void {
  const size = classes * n;
  launchSingleWorkgroup(ctx, 'softmaxCrossEntropy', [checkTensor(logits, size, 'logits').buffer,
    checkTensor(labels, n, 'labels', 'u32').buffer, checkTensor(probs, size, 'probs').buffer,
    dlogits ? checkTensor(dlogits, size, 'dlogits').buffer : ctx.unusedOutput,
    checkTensor(metrics, METRICS_LENGTH, 'metrics').buffer], { classes, n, has_dlogits: dlogits ? 1 : 0 });
}

export function mseLoss(ctx: OpContext, out: Tensor, labels: Tensor, dout: Tensor | null, metrics: Tensor,
  classes: number, n: number): void {
  const size = classes * n;
  launchSingleWorkgroup(ctx, 'mseLoss', [checkTensor(out, size, 'mse out').buffer, checkTensor(labels, n, 'labels', 'u32').buffer,
    dout ? checkTensor(dout, size, 'dout').buffer : ctx.unusedOutput,
    checkTensor(metrics, METRICS_LENGTH, 'metrics').buffer], { classes, n, has_dout: dout ? 1 : 0 });
}
