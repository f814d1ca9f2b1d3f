// Live views into a network for plots: one example's class probabilities and conv/pool feature
// maps, and every parameter's latest gradient. Used by Trainer.inspect / Trainer.gradients and the
// panel's telemetry while training runs.
//
// Safe between two training steps: each call enqueues its work and every read synchronously, before
// its first await, so a step queued later cannot change what it reads (read() copies at enqueue time).

import { argmaxColumn } from '../argmax';
import type { Backend, Tensor } from '../backend';
import { exampleSize, fillBatch, type Dataset } from '../data/dataset';
import { toFloat32, type FeatureMaps, type Network } from '../network';
import { TrainError } from './errors';

/** One example seen by the current weights (Trainer.inspect). */
export interface Inspection {
  readonly label: number;
  /** The example as the network got it: C×H×W, normalised. */
  readonly image: Float32Array;
  /** Softmax probabilities (or mse outputs) per class. */
  readonly probabilities: Float32Array;
  /** The first largest probability's class. */
  readonly predicted: number;
  /** Outputs of every conv and pool layer for this example. */
  readonly featureMaps: readonly FeatureMaps[];
}

/** One parameter's gradient from the latest backward pass. */
export interface ParameterGradient {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export class Inspector {
  /** One example's share of each feature-map layer and of the output, so a read moves only that. */
  private snapshots: { readonly maps: Tensor[]; readonly output: Tensor } | null = null;

  /** Snapshot tensors come from `backend`, so a tracking view of it releases them with its owner. */
  constructor(private readonly backend: Backend, private readonly network: Network, private readonly dataset: Dataset) {}

  /** Example `index` of a split through the network in eval mode (a batch of 1). */
  async inspect(which: 'test' | 'train', index: number): Promise<Inspection> {
    const split = which === 'test' ? this.dataset.test : this.dataset.train;
    if (!Number.isInteger(index) || index < 0 || index >= split.count) {
      throw new TrainError(`example ${index} is not in the ${which} split (${split.count} examples)`);
    }
    const { backend, network: net } = this;
    const image = new Float32Array(exampleSize(this.dataset)), label = new Uint32Array(1);
    fillBatch(split, this.dataset.shape, [index], image, label);
    backend.write(net.input, image);
    const output = net.predict({ n: 1, training: false, seed: 0 });
    const layers = net.featureMapLayers();
    const shapes = layers.map((i) => mapShape(net.layers[i].outputShape));
    const snaps = (this.snapshots ??= {
      maps: shapes.map(([c, h, w]) => backend.zeros(c * h * w)),
      output: backend.zeros(net.classes),
    });
    // With n = 1 the c × (N·H·W) layout starts with exactly this example's C planes of H·W.
    layers.forEach((layer, k) => backend.copy(net.layerOutput(layer), snaps.maps[k], snaps.maps[k].length));
    backend.copy(output, snaps.output, net.classes);
    const reads = [...snaps.maps, snaps.output].map((s) => backend.read(s));
    backend.flush();
    const values = (await Promise.all(reads)).map(toFloat32);
    const probabilities = values.pop()!;
    return {
      label: label[0], image, probabilities, predicted: argmaxColumn(probabilities, net.classes),
      featureMaps: layers.map((layer, k) => ({ layer, shape: shapes[k], data: values[k] })),
    };
  }

  /** Every parameter's gradient from the latest backward pass (zeros before the first). */
  async gradients(): Promise<ParameterGradient[]> {
    const params = this.network.parameters;
    const reads = params.map((p) => this.backend.read(p.grad));
    this.backend.flush();
    const data = await Promise.all(reads);
    return params.map((p, i) => ({ name: p.name, shape: p.shape, data: toFloat32(data[i]) }));
  }
}

/** A layer's output shape as FeatureMaps report it: [C, H, W], a vector as [F, 1, 1]. */
function mapShape(shape: readonly number[]): [number, number, number] {
  return shape.length === 3 ? [shape[0], shape[1], shape[2]] : [shape[0], 1, 1];
}
