// Learnable tensors packed into one value buffer and one gradient buffer (on a backend with tensor
// views), so the optimizer updates every parameter in one dispatch per step. Each parameter is a
// view starting on the backend's alignment; the gaps between views stay zero forever, which both
// optimizers leave at zero (zero gradient, zero weight, zero state).

import type { Backend, Tensor, TensorViews } from '../backend';
import type { LayerSpec, Shape } from '../../lang/spec';
import { layerDefinition } from '../../layers/index';

/** Where a packed parameter lives: its arena and its element offset there. */
export interface PackedParam {
  readonly arena: ParamArena;
  readonly offset: number;
}

/** Learnable tensors a layer kind allocates at most (weight and bias). */
const TENSORS_PER_LAYER = 2;

export class ParamArena {
  readonly values: Tensor;
  readonly grads: Tensor;
  private used = 0;
  private taken = 0;

  constructor(backend: Backend, private readonly views: TensorViews, readonly capacity: number) {
    this.values = backend.zeros(capacity);
    this.grads = backend.zeros(capacity);
  }

  /** Elements from the arena's start to the end of the last view handed out. */
  get extent(): number { return this.used; }

  /** Parameters packed here so far. */
  get count(): number { return this.taken; }

  /** Aligned value and gradient views of `length` elements, or null when the reservation is used up. */
  take(length: number): { value: Tensor; grad: Tensor; packed: PackedParam } | null {
    const offset = Math.ceil(this.used / this.views.alignment) * this.views.alignment;
    if (offset + length > this.capacity) return null;
    this.used = offset + length;
    this.taken++;
    return {
      value: this.views.view(this.values, offset, length),
      grad: this.views.view(this.grads, offset, length),
      packed: { arena: this, offset },
    };
  }

  /** A tensor laid out like this arena (optimizer state) and its view for each packed parameter. */
  twin(backend: Backend): { whole: Tensor; view: (p: PackedParam, length: number) => Tensor } {
    const whole = backend.zeros(this.capacity);
    return { whole, view: (p, length) => this.views.view(whole, p.offset, length) };
  }
}

/** The arena holding exactly `params` (so one call over it updates them and nothing else), else null. */
export function sharedArena(params: readonly { readonly packed?: PackedParam }[]): ParamArena | null {
  const arena = params[0]?.packed?.arena;
  if (!arena || arena.count !== params.length || !params.every((p) => p.packed?.arena === arena)) return null;
  if (new Set(params.map((p) => p.packed!.offset)).size !== params.length) return null;
  return arena;
}

/**
 * An arena sized by the layers' shape rules for every parameter of the model, or null when the
 * backend has no views or the model has no parameters.
 */
export function reserveParamArena(backend: Backend, layers: readonly LayerSpec[], input: Shape): ParamArena | null {
  const views = backend.views;
  if (!views) return null;
  let shape = input, params = 0;
  for (const layer of layers) {
    const inferred = layerDefinition(layer.kind).infer(layer as never, shape);
    if (!inferred.output) return null;  // the builder reports the bad shape itself
    params += inferred.params;
    shape = inferred.output;
  }
  if (params === 0) return null;
  return new ParamArena(backend, views, params + TENSORS_PER_LAYER * views.alignment * layers.length);
}
