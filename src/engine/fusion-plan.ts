// Which layer pairs the network runs as one: a layer ending in a product (conv, dense — those with
// forwardActivated) followed by relu, sigmoid or tanh. The pair's forward is one kernel on a
// backend with fused epilogues; the product still writes its own output (feature maps, jvp and
// the layer's backward read it). Backward, a layer with backwardGated (dense) after an activation
// applies that activation's derivative in its dx product, so the activation's backward disappears.
// Backend-agnostic: the cpu runs the same plan as separate calls.

import type { Activation } from './backend';
import type { Layer } from './layers/layer';

const ACTIVATIONS: ReadonlySet<string> = new Set<Activation>(['relu', 'sigmoid', 'tanh']);

export interface FusionPlan {
  /** The activation fused into layer i's forward (layer i + 1 is then skipped), or null. */
  activationAfter(i: number): Activation | null;
  /** Indices of the product layers that carry a fused activation. */
  readonly fused: readonly number[];
  /**
   * The activation (layer i − 1) whose backward layer i's backward absorbs, or null. Only where that
   * activation has an input gradient to write (i − 1 ≥ 1).
   */
  gateBefore(i: number): Activation | null;
}

/** Plans fusion over the first `end` layers (those the forward pass runs). */
export function planFusion(layers: readonly Layer[], end: number): FusionPlan {
  const after = new Map<number, Activation>();
  for (let i = 0; i + 1 < end; i++) {
    const next = layers[i + 1].spec.kind;
    if (layers[i].forwardActivated && ACTIVATIONS.has(next)) {
      after.set(i, next as Activation);
      i++;  // the activation is taken; it cannot start a pair of its own
    }
  }
  const gates = new Map<number, Activation>();
  for (let i = 2; i < end; i++) {
    const previous = layers[i - 1].spec.kind;
    if (layers[i].backwardGated && ACTIVATIONS.has(previous)) gates.set(i, previous as Activation);
  }
  return { activationAfter: (i) => after.get(i) ?? null, fused: [...after.keys()], gateBefore: (i) => gates.get(i) ?? null };
}
