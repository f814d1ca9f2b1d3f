// The loss at the end of the network, chosen from the spec:
//   cross-entropy after a final softmax layer → fused softmax + cross-entropy on that layer's input
//   cross-entropy with no final softmax        → softmax + cross-entropy on the logits
//   mse                                         → simpleNN's squared loss on the last output
// Each adds Σ loss, #correct and n to a metrics tensor and can write the output gradient.

import type { Backend, Tensor } from '../backend';
import type { LossKind } from '../../lang/spec';

export type LossHeadKind = 'softmax-cross-entropy' | 'mse';

export class LossHead {
  constructor(private readonly backend: Backend, readonly kind: LossHeadKind, readonly classes: number) {}

  /**
   * out: logits (cross-entropy) or the network output (mse); probs: where cross-entropy writes the
   * probabilities; dOut: ∂ξ/∂out, or null to only measure.
   */
  compute(out: Tensor, probs: Tensor, labels: Tensor, dOut: Tensor | null, metrics: Tensor, n: number): void {
    if (this.kind === 'mse') this.backend.mseLoss(out, labels, dOut, metrics, this.classes, n);
    else this.backend.softmaxCrossEntropy(out, labels, probs, dOut, metrics, this.classes, n);
  }
}

export function lossHeadKind(loss: LossKind): LossHeadKind {
  return loss === 'mse' ? 'mse' : 'softmax-cross-entropy';
}
