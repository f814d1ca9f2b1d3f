// Moves batches to the device: a split's examples gathered into host buffers of the trainer's batch
// size (allocated once), then written to the network's input and labels.

import type { Backend } from '../backend';
import { exampleSize, fillBatch, type Dataset, type Split } from '../data/dataset';
import type { Network } from '../network';

export class BatchLoader {
  private readonly images: Float32Array;
  private readonly labels: Uint32Array;

  constructor(private readonly backend: Backend, private readonly network: Network, private readonly dataset: Dataset, batch: number) {
    this.images = new Float32Array(exampleSize(dataset) * batch);
    this.labels = new Uint32Array(batch);
  }

  /** Loads these examples of `split` (at most a batch) into the network's input and labels. */
  load(split: Split, indices: ArrayLike<number>): void {
    const n = indices.length, size = exampleSize(this.dataset);
    fillBatch(split, this.dataset.shape, indices, this.images, this.labels);
    this.backend.write(this.network.input, this.images.subarray(0, n * size));
    this.backend.write(this.network.labels, this.labels.subarray(0, n));
  }
}
