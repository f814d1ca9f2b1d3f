// Max and average pooling: forward one invocation per output, backward one per input element (or,
// for max pooling whose windows tile the input, one per window).

import type { PoolGeometry, Tensor } from '../backend';
import { checkTensor } from './gpu-tensor';
import { launchLinear, type OpContext } from './launch';

function poolParams(g: PoolGeometry): Record<string, number> {
  return {
    planes: g.c * g.n, in_h: g.h, in_w: g.w, k_h: g.kh, k_w: g.kw, stride_h: g.sh, stride_w: g.sw, out_h: g.oh, out_w: g.ow,
  };
}

export function maxPoolForward(ctx: OpContext, g: PoolGeometry, x: Tensor, y: Tensor, argmax: Tensor): void {
  const outputs = g.c * g.n * g.oh * g.ow;
  launchLinear(ctx, 'maxPoolForward', outputs, [checkTensor(x, g.c * g.n * g.h * g.w, 'pool x').binding,
    checkTensor(y, outputs, 'pool y').binding, checkTensor(argmax, outputs, 'pool argmax', 'u32').binding], poolParams(g));
}

/** Windows that tile the input exactly (stride = window, nothing left over): each element has one window. */
function tilesExactly(g: PoolGeometry): boolean {
  return g.sh === g.kh && g.sw === g.kw && g.oh * g.kh === g.h && g.ow * g.kw === g.w;
}

export function maxPoolBackward(ctx: OpContext, g: PoolGeometry, dy: Tensor, argmax: Tensor, dx: Tensor): void {
  const outputs = g.c * g.n * g.oh * g.ow, inputs = g.c * g.n * g.h * g.w;
  const buffers = [checkTensor(dy, outputs, 'pool dy').binding, checkTensor(argmax, outputs, 'pool argmax', 'u32').binding,
    checkTensor(dx, inputs, 'pool dx').binding];
  // Tiled: one invocation per window writes its block; otherwise one per input gathers its windows.
  if (tilesExactly(g)) launchLinear(ctx, 'maxPoolBackwardTiled', outputs, buffers, poolParams(g));
  else launchLinear(ctx, 'maxPoolBackward', inputs, buffers, poolParams(g));
}

export function maxPoolGather(ctx: OpContext, g: PoolGeometry, x: Tensor, argmax: Tensor, y: Tensor): void {
  const outputs = g.c * g.n * g.oh * g.ow;
  launchLinear(ctx, 'maxPoolGather', outputs, [checkTensor(x, g.c * g.n * g.h * g.w, 'pool x').binding,
    checkTensor(argmax, outputs, 'pool argmax', 'u32').binding, checkTensor(y, outputs, 'pool y').binding], poolParams(g));
}

export function avgPoolForward(ctx: OpContext, g: PoolGeometry, x: Tensor, y: Tensor): void {
  const outputs = g.c * g.n * g.oh * g.ow;
  launchLinear(ctx, 'avgPoolForward', outputs, [checkTensor(x, g.c * g.n * g.h * g.w, 'pool x').binding,
    checkTensor(y, outputs, 'pool y').binding], poolParams(g));
}

export function avgPoolBackward(ctx: OpContext, g: PoolGeometry, dy: Tensor, dx: Tensor): void {
  const outputs = g.c * g.n * g.oh * g.ow, inputs = g.c * g.n * g.h * g.w;
  launchLinear(ctx, 'avgPoolBackward', inputs, [checkTensor(dy, outputs, 'pool dy').binding,
    checkTensor(dx, inputs, 'pool dx').binding], poolParams(g));
}
