// Loss, accuracy and (on request) the confusion matrix of a split in eval mode, batch by batch,
// yielding to the event loop between batches so pause and stop stay responsive.

import { argmaxColumn } from '../argmax';
import type { Backend, Tensor } from '../backend';
import type { Split } from '../data/dataset';
import type { Network } from '../network';

export interface Evaluation {
  readonly loss: number;
  readonly accuracy: number;
  readonly count: number;
  /** confusion[true][predicted] counts, when asked for. */
  readonly confusion?: number[][];
}

/** What an evaluation runs on: the trainer's network, a metrics tensor and its batch loader. */
export interface EvaluationParts {
  readonly backend: Backend;
  readonly network: Network;
  readonly metrics: Tensor;
  readonly batch: number;
  /** Loads these examples of the split into the network's input and labels. */
  load(indices: Int32Array): void;
  yieldIfDue(): Promise<unknown>;
}

export async function evaluateSplit(parts: EvaluationParts, split: Split, confusion: boolean): Promise<Evaluation> {
  const { backend, network, metrics, batch } = parts, classes = network.classes;
  const matrix = confusion ? Array.from({ length: classes }, () => new Array<number>(classes).fill(0)) : undefined;
  backend.fill(metrics, 0);
  const indices = new Int32Array(batch);
  for (let from = 0; from < split.count; from += batch) {
    const n = Math.min(batch, split.count - from);
    for (let i = 0; i < n; i++) indices[i] = from + i;
    parts.load(indices.subarray(0, n));
    network.forward({ n, training: false, seed: 0 });
    network.computeLoss(n, metrics, false);
    backend.flush();
    if (matrix) {
      const out = await backend.read(network.output());
      for (let b = 0; b < n; b++) matrix[split.labels[from + b]][argmaxColumn(out, classes, n, b)]++;
    }
    await parts.yieldIfDue();
  }
  const [lossSum, correct, count] = await backend.read(metrics);
  return { loss: count > 0 ? lossSum / count : 0, accuracy: count > 0 ? correct / count : 0, count, ...(matrix ? { confusion: matrix } : {}) };
}
