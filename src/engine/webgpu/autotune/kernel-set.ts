// A fingerprint of every kernel the autotuner chooses among (its WGSL and launch shape) and of the
// candidate lists. Choices measured among other kernels say nothing about these, so a stored record
// with another fingerprint is dropped whole (choice-table.ts).

import { CANDIDATE_SET_REVISION } from './candidates';
import { GEMM_OPERANDS, gemmKernel, kernel, type GemmOperandsName } from '../kernels';
import { GEMM_TILES } from '../kernel-select';

let fingerprint: string | undefined;

export function kernelSetVersion(): string {
  if (fingerprint) return fingerprint;
  const parts: string[] = [`candidates ${CANDIDATE_SET_REVISION}`];
  for (const operands of Object.keys(GEMM_OPERANDS) as GemmOperandsName[]) {
    for (const tile of Object.values(GEMM_TILES)) parts.push(gemmKernel(operands, tile).code);
  }
  for (const name of ['im2col', 'col2im', 'convDirect', 'convDirectStrip', 'convWgradDirect', 'gemmSplitReduce'] as const) parts.push(kernel(name).code);
  return (fingerprint = fnv1a(parts.join('\n\u0000\n')));
}

/** 32-bit FNV-1a as 8 hex digits: a change detector, not a security hash. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
