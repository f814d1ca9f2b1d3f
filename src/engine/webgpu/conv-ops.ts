// The three convolution passes on tensors: size checks against the geometry, then conv.ts records
// them with the algorithm asked for ('auto' lets kernel-select.ts choose per pass and shape).

import type { ConvGeometry, FusedActivation, Tensor } from '../backend';
import { encodeConvBackwardData, encodeConvBackwardFilter, encodeConvForward } from './conv';
import { checkTensor } from './gpu-tensor';
import type { ConvAlgorithmOption } from './kernel-select';
import type { OpContext } from './launch';

export function convForward(ctx: OpContext, algorithm: ConvAlgorithmOption, g: ConvGeometry,
  x: Tensor, w: Tensor, bias: Tensor | null, y: Tensor, activation: FusedActivation | null = null): void {
  ctx.checkUsable();
  const size = g.m * g.n * g.oh * g.ow;
  encodeConvForward(ctx, algorithm, g,
    checkTensor(x, g.c * g.n * g.h * g.w, 'conv x').binding, checkTensor(w, g.m * g.c * g.kh * g.kw, 'conv weights').binding,
    bias ? checkTensor(bias, g.m, 'conv bias').binding : null, checkTensor(y, size, 'conv y').binding,
    activation && { kind: activation.kind, out: checkTensor(activation.out, size, 'conv activation output').binding });
}

export function convBackwardData(ctx: OpContext, algorithm: ConvAlgorithmOption, g: ConvGeometry,
  dy: Tensor, w: Tensor, dx: Tensor): void {
  ctx.checkUsable();
  encodeConvBackwardData(ctx, algorithm, g,
    checkTensor(dy, g.m * g.n * g.oh * g.ow, 'conv dy').binding, checkTensor(w, g.m * g.c * g.kh * g.kw, 'conv weights').binding,
    checkTensor(dx, g.c * g.n * g.h * g.w, 'conv dx').binding);
}

export function convBackwardFilter(ctx: OpContext, algorithm: ConvAlgorithmOption, g: ConvGeometry,
  x: Tensor, dy: Tensor, dw: Tensor, dbias: Tensor | null): void {
  ctx.checkUsable();
  encodeConvBackwardFilter(ctx, algorithm, g,
    checkTensor(x, g.c * g.n * g.h * g.w, 'conv x').binding, checkTensor(dy, g.m * g.n * g.oh * g.ow, 'conv dy').binding,
    checkTensor(dw, g.m * g.c * g.kh * g.kw, 'conv dw').binding, dbias ? checkTensor(dbias, g.m, 'conv dbias').binding : null);
}
