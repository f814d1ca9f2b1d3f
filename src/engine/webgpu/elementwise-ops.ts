// Elementwise kernels, activations and the flatten reshape: one invocation per element.

import { checkU32Values } from '../u32-values';
import type { Activation, Tensor } from '../backend';
import { asGpuTensor, checkTensor } from './gpu-tensor';
import { launchLinear, type OpContext } from './launch';

const ACTIVATION_KIND: Record<Activation, number> = { relu: 0, sigmoid: 1, tanh: 2 };

export function fill(ctx: OpContext, t: Tensor, value: number, length?: number): void {
  const g = asGpuTensor(t);
  const n = length ?? g.length;
  checkTensor(t, n, 'fill target', g.dtype);
  // u32 tensors (labels, argmax indices) are filled from the host: no kernel for them.
  if (g.dtype === 'u32') {
    checkU32Values('WebGpuBackend.fill', [value]);
    const values = new Uint32Array(n).fill(value);
    ctx.recorder.upload(g.buffer, g.byteOffset, values);
    g.hostValues ??= new Uint32Array(g.length);
    g.hostValues.set(values);
    return;
  }
  launchLinear(ctx, 'fill', n, [g.binding], { length: n, value });
}

export function axpy(ctx: OpContext, alpha: number, x: Tensor, y: Tensor, length?: number): void {
  const n = length ?? asGpuTensor(y).length;
  launchLinear(ctx, 'axpy', n, [checkTensor(x, n, 'axpy x').binding, checkTensor(y, n, 'axpy y').binding], { length: n, alpha });
}

export function scale(ctx: OpContext, t: Tensor, alpha: number, length?: number): void {
  const n = length ?? asGpuTensor(t).length;
  launchLinear(ctx, 'scale', n, [checkTensor(t, n, 'scale target').binding], { length: n, alpha });
}

export function activationForward(ctx: OpContext, kind: Activation, x: Tensor, y: Tensor, length: number): void {
  launchLinear(ctx, 'activationForward', length, [checkTensor(x, length, 'activation x').binding,
    checkTensor(y, length, 'activation y').binding], { length, kind: ACTIVATION_KIND[kind] });
}

export function activationBackward(ctx: OpContext, kind: Activation, y: Tensor, dy: Tensor, dx: Tensor, length: number): void {
  launchLinear(ctx, 'activationBackward', length, [checkTensor(y, length, 'activation y').binding,
    checkTensor(dy, length, 'activation dy').binding, checkTensor(dx, length, 'activation dx').binding],
  { length, kind: ACTIVATION_KIND[kind] });
}

export function flattenForward(ctx: OpContext, x: Tensor, y: Tensor, c: number, n: number, hw: number): void {
  const size = c * n * hw;
  launchLinear(ctx, 'flattenForward', size, [checkTensor(x, size, 'flatten x').binding, checkTensor(y, size, 'flatten y').binding],
    { c, n, hw });
}

export function flattenBackward(ctx: OpContext, dy: Tensor, dx: Tensor, c: number, n: number, hw: number): void {
  const size = c * n * hw;
  launchLinear(ctx, 'flattenBackward', size, [checkTensor(dy, size, 'flatten dy').binding, checkTensor(dx, size, 'flatten dx').binding],
    { c, n, hw });
}
