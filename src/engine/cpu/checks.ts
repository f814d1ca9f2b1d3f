// Argument checks of the CPU backend: a wrong call fails with a message naming the op and the
// operand instead of silently reading past the end of a typed array.

import { outputSize, type Activation, type ConvGeometry, type PoolGeometry } from '../backend';
import { checkLabelValues, checkU32Values } from '../u32-values';

export function checkCount(op: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`CpuBackend.${op}: ${name} must be a non-negative integer, got ${value}`);
}

function checkPositive(op: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`CpuBackend.${op}: ${name} must be a positive integer, got ${value}`);
}

export function checkActivation(op: string, kind: Activation): void {
  if (kind !== 'relu' && kind !== 'sigmoid' && kind !== 'tanh') throw new RangeError(`CpuBackend.${op}: unknown activation '${String(kind)}'`);
}

export function checkConv(op: string, g: ConvGeometry): void {
  checkCount(op, 'g.n', g.n);
  for (const key of ['c', 'h', 'w', 'm', 'kh', 'kw', 'sh', 'sw'] as const) checkPositive(op, `g.${key}`, g[key]);
  checkCount(op, 'g.ph', g.ph); checkCount(op, 'g.pw', g.pw);
  const oh = outputSize(g.h, g.kh, g.sh, g.ph), ow = outputSize(g.w, g.kw, g.sw, g.pw);
  if (oh < 1 || ow < 1) throw new RangeError(`CpuBackend.${op}: a ${g.kh}×${g.kw} kernel does not fit a padded ${g.h}×${g.w} input`);
  if (g.oh !== oh || g.ow !== ow) {
    throw new RangeError(`CpuBackend.${op}: output size ${g.oh}×${g.ow} does not match the geometry, which gives ${oh}×${ow}`);
  }
}

export function checkPool(op: string, g: PoolGeometry): void {
  checkCount(op, 'g.n', g.n);
  for (const key of ['c', 'h', 'w', 'kh', 'kw', 'sh', 'sw'] as const) checkPositive(op, `g.${key}`, g[key]);
  const oh = outputSize(g.h, g.kh, g.sh, 0), ow = outputSize(g.w, g.kw, g.sw, 0);
  if (oh < 1 || ow < 1) throw new RangeError(`CpuBackend.${op}: a ${g.kh}×${g.kw} window does not fit a ${g.h}×${g.w} input`);
  if (g.oh !== oh || g.ow !== ow) {
    throw new RangeError(`CpuBackend.${op}: output size ${g.oh}×${g.ow} does not match the geometry, which gives ${oh}×${ow}`);
  }
}

/** Values written to a u32 tensor must be u32s. */
export function checkU32s(op: string, data: ArrayLike<number>): void { checkU32Values(`CpuBackend.${op}`, data); }

export function checkLabels(op: string, labels: Uint32Array, n: number, classes: number): void {
  checkLabelValues(`CpuBackend.${op}`, labels, n, classes);
}

/** Max-pooling choices must point into the input (the backward pass scatters through them). */
export function checkSelection(op: string, selection: Uint32Array, outputs: number, inputs: number): void {
  for (let o = 0; o < outputs; o++) {
    if (selection[o] >= inputs) throw new RangeError(`CpuBackend.${op}: argmax[${o}] = ${selection[o]} is outside the input (${inputs})`);
  }
}
