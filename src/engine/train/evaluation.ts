// Loss, accuracy and (on request) the confusion matrix of a split in eval mode, batch by batch,
// yielding to the event loop between batches so pause and stop stay responsive; and the trainer's
// Evaluator, which knows its splits and what the end of an epoch evaluates.

import { argmaxColumn } from '../argmax';
import { METRICS_LENGTH, type Backend, type Tensor } from '../backend';
import type { Dataset, Split } from '../data/dataset';
import type { Network } from '../network';
import type { BatchLoader } from './batch-loader';
import { TrainError } from './errors';

export interface Evaluation {
  readonly loss: number;
  readonly accuracy: number;
  readonly count: number;
  /** confusion[true][predicted] counts, when asked for. */
  readonly confusion?: number[][];
}

/** What the end of an epoch evaluates: null where there is no such split or evaluateEachEpoch is off. */
export interface EpochEvaluations {
  readonly test: Evaluation | null;
  readonly validation: Evaluation | null;
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

/** The splits a trainer evaluates, and whether the end of each epoch evaluates test and validation. */
export interface EvaluatorSplits {
  readonly dataset: Dataset;
  readonly validation: Split | null;
  readonly eachEpoch: boolean;
}

/** The trainer's evaluations, on its own metrics tensor: a split on request, and those after each epoch. */
export class Evaluator {
  private readonly metrics: Tensor;

  constructor(private readonly backend: Backend, private readonly network: Network, private readonly loader: BatchLoader,
    private readonly batch: number, private readonly splits: EvaluatorSplits, private readonly yieldIfDue: () => Promise<unknown>) {
    this.metrics = backend.zeros(METRICS_LENGTH);
  }

  evaluate(which: 'test' | 'validation' | 'train', confusion: boolean): Promise<Evaluation> {
    const { dataset, validation } = this.splits;
    const split = which === 'test' ? dataset.test : which === 'train' ? dataset.train : validation;
    if (!split) throw new TrainError('there is no validation split (set `validation` in the train statement)');
    return this.evaluateSplit(split, confusion);
  }

  /** The evaluations at an epoch's end: test where it has examples, validation where there is one. */
  async afterEpoch(): Promise<EpochEvaluations> {
    const { dataset, validation, eachEpoch } = this.splits;
    const test = eachEpoch && dataset.test.count > 0 ? await this.evaluateSplit(dataset.test, false) : null;
    const validationResult = validation && eachEpoch ? await this.evaluateSplit(validation, false) : null;
    return { test, validation: validationResult };
  }

  private evaluateSplit(split: Split, confusion: boolean): Promise<Evaluation> {
    return evaluateSplit({
      backend: this.backend, network: this.network, metrics: this.metrics, batch: this.batch,
      load: (indices) => this.loader.load(split, indices), yieldIfDue: this.yieldIfDue,
    }, split, confusion);
  }
}
