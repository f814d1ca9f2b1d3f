// Whether a saved state's tensors fit a network and its optimizer, checked as a whole before
// anything is written: a checkpoint from another model, or a corrupt one, is refused with every
// tensor that differs (name, expected vs found shape) and leaves the network untouched.

import type { Network } from '../network';
import type { OptimizerState } from '../optim/optimizer';
import { TrainError } from './errors';

type SavedTensors = ReadonlyMap<string, { readonly shape: readonly number[]; readonly data: ArrayLike<number> }>;

/** One tensor that does not fit; `found` is null when the state lacks it. */
export interface TensorMismatch {
  readonly name: string;
  readonly expected: readonly number[] | null;
  readonly found: readonly number[] | null;
}

export interface StateFit {
  readonly mismatches: readonly TensorMismatch[];
  /** Whether the state holds this optimizer's slots (all of them; none means a fresh optimizer). */
  readonly hasOptimizerState: boolean;
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
const countOf = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

/** Compares every weight, buffer and optimizer slot the model needs with what the state holds. */
export function checkStateFit(tensors: SavedTensors, network: Network, optimizer: OptimizerState): StateFit {
  const mismatches: TensorMismatch[] = [];
  const compare = (name: string, expected: readonly number[]) => {
    const saved = tensors.get(name);
    if (!saved) mismatches.push({ name, expected, found: null });
    else if (!sameShape(saved.shape, expected) || saved.data.length !== countOf(expected)) mismatches.push({ name, expected, found: saved.shape });
  };
  for (const p of network.parameters) compare(p.name, p.shape);
  for (const b of network.buffers) compare(b.name, [b.length]);
  const known = new Set([...network.parameters.map((p) => p.name), ...network.buffers.map((b) => b.name)]);
  // Extra layer tensors mean the checkpoint was saved from a different model; another optimizer's
  // slots are fine (an optimizer switch starts fresh).
  for (const [name, t] of tensors) if (!name.startsWith('optim.') && !known.has(name)) mismatches.push({ name, expected: null, found: t.shape });
  const hasOptimizerState = holdsOptimizerState(tensors, optimizer);
  if (hasOptimizerState) for (const s of optimizer.slots) compare(s.name, [s.length]);
  return { mismatches, hasOptimizerState };
}

/** Whether the state holds any of this optimizer's slots (then it must hold all of them). */
export function holdsOptimizerState(tensors: SavedTensors, optimizer: OptimizerState): boolean {
  return optimizer.slots.some((s) => tensors.has(s.name));
}

function describe(m: TensorMismatch): string {
  const shape = (s: readonly number[]) => `[${s.join(', ')}]`;
  if (m.found === null) return `${m.name}: missing (expected ${shape(m.expected!)})`;
  if (m.expected === null) return `${m.name}: not in this model (found ${shape(m.found)})`;
  if (m.name.startsWith('optim.')) return `saved optimizer tensor '${m.name}' has ${countOf(m.found)} values, expected ${countOf(m.expected)}`;
  return `${m.name}: expected ${shape(m.expected)}, found ${shape(m.found)}`;
}

/** Throws a TrainError listing every mismatch, if there is any. */
export function assertStateFits(fit: StateFit): void {
  if (fit.mismatches.length === 0) return;
  throw new TrainError(`the saved state does not fit this model; nothing was loaded. ${fit.mismatches.length} tensor(s) differ:\n` +
    fit.mismatches.map((m) => `  ${describe(m)}`).join('\n'));
}
