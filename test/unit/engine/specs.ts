// Builders for ModelSpec values in tests (the language front end is tested separately).

import { DEFAULT_TRAIN, type LayerSpec, type LossKind, type ModelSpec, type TrainSettings } from '../../../src/lang/spec';

const at = (line: number) => ({ line, range: { start: { line, character: 0 }, end: { line, character: 1 } } });
type Omitted<T> = T extends unknown ? Omit<T, 'line' | 'range'> : never;

/** A model with layers on consecutive lines (input on line 0). */
export function model(input: [number, number, number], layers: Omitted<LayerSpec>[], loss: LossKind = 'cross_entropy',
  train: Partial<TrainSettings> = {}): ModelSpec {
  return {
    input,
    layers: layers.map((l, i) => ({ ...l, ...at(i + 1) }) as LayerSpec),
    loss: { kind: loss, line: null },
    train: { ...DEFAULT_TRAIN, ...train },
  };
}

export const conv = (filters: number, k: number, o: { stride?: number; pad?: number; bias?: boolean } = {}) =>
  ({ kind: 'conv', filters, kernel: [k, k], stride: [o.stride ?? 1, o.stride ?? 1], pad: [o.pad ?? 0, o.pad ?? 0], bias: o.bias ?? true }) as const;
export const maxpool = (k: number, s = k) => ({ kind: 'maxpool', window: [k, k], stride: [s, s] }) as const;
export const avgpool = (k: number, s = k) => ({ kind: 'avgpool', window: [k, k], stride: [s, s] }) as const;
export const dense = (units: number, bias = true) => ({ kind: 'dense', units, bias }) as const;
export const relu = { kind: 'relu' } as const;
export const sigmoid = { kind: 'sigmoid' } as const;
export const tanh = { kind: 'tanh' } as const;
export const flatten = { kind: 'flatten' } as const;
export const softmax = { kind: 'softmax' } as const;
export const dropout = (p: number) => ({ kind: 'dropout', p }) as const;
export const batchnorm = { kind: 'batchnorm', momentum: 0.1, epsilon: 1e-5 } as const;
export const globalavgpool = { kind: 'globalavgpool' } as const;
