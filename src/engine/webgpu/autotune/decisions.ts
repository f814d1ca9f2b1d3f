// What the autotuner chooses and how each choice is named: a GEMM-family product's tile and split-K,
// and a convolution pass's algorithm. A decision's key is its shape (and operand geometry), so one
// measurement serves every later call of that shape on the same adapter.

import type { Activation, ConvGeometry } from '../../backend';
import type { GemmCall } from '../gemm';
import type { ConvAlgorithm, ConvPass } from '../kernel-select';

/** One GEMM-family product as recorded; `n` counts the row-sums column, as the kernel sees it. */
export interface GemmDecision {
  readonly kind: 'gemm';
  readonly key: string;
  readonly call: GemmCall;
  readonly m: number;
  readonly n: number;
  readonly k: number;
}

/** One convolution pass as recorded, with what its epilogue writes (for replaying it on scratch buffers). */
export interface ConvDecision {
  readonly kind: 'conv';
  readonly key: string;
  readonly pass: ConvPass;
  readonly g: ConvGeometry;
  /** Forward: a bias is added; wgrad: the bias gradient comes out too. */
  readonly hasBias: boolean;
  /** Forward only: the fused activation. */
  readonly activation: Activation | null;
}

export type Decision = GemmDecision | ConvDecision;

/** A stored choice: what was picked, and how long it and the rule's pick took (µs, median). */
export type KernelChoice =
  | { readonly kind: 'gemm'; readonly tile: string; readonly splits: number; readonly micros: number; readonly ruleMicros: number }
  | { readonly kind: 'conv'; readonly algorithm: ConvAlgorithm; readonly micros: number; readonly ruleMicros: number };

const GEOMETRY_FIELDS = ['n', 'c', 'h', 'w', 'm', 'kh', 'kw', 'sh', 'sw', 'ph', 'pw'] as const;

export function convKey(pass: ConvPass, g: ConvGeometry): string {
  return `conv:${pass}:${GEOMETRY_FIELDS.map((f) => g[f]).join('x')}`;
}

/** Operands, m × n × k and the operand uniforms (transposes, or the convolution geometry the gather follows). */
export function gemmKey(call: GemmCall, m: number, n: number, k: number): string {
  const params = Object.keys(call.operandParams).sort().map((p) => `${p}=${call.operandParams[p]}`).join(',');
  return `gemm:${call.operands}:${m}x${n}x${k}:${params}`;
}

/** The adapter's identity from adapter.info; measurements on one adapter say nothing about another. */
export function adapterIdentity(info: Partial<Pick<GPUAdapterInfo, 'vendor' | 'architecture' | 'device' | 'description'>>): string {
  return [info.vendor, info.architecture, info.device, info.description].map((part) => part ?? '').join('|');
}
