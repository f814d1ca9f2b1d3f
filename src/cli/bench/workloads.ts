// The two models every contestant trains in the peers bench, described once: the layer list each
// peer builds in its own framework, the ConvLab model text, the batch and how many rounds to time.

import { exampleSize, Rng, type Dataset } from '../../engine';
import { loadDataset } from '../../engine/node';
import type { DataSpec } from '../../lang';

export type PeerWorkloadName = 'lenet5' | 'cifar3';

/** One layer, in the few kinds these models use; conv padding is 'same' or 'valid' (tfjs's terms). */
export type PeerLayer =
  | { readonly kind: 'conv'; readonly filters: number; readonly kernel: number; readonly pad: 'same' | 'valid' }
  | { readonly kind: 'relu' | 'flatten' }
  | { readonly kind: 'maxpool'; readonly size: number }
  | { readonly kind: 'dense'; readonly units: number };

export interface PeerWorkload {
  readonly name: PeerWorkloadName;
  readonly shape: readonly [number, number, number];
  readonly classes: number;
  readonly layers: readonly PeerLayer[];
  readonly batch: number;
  readonly inferBatch: number;
  readonly lr: number;
  readonly momentum: number;
}

const conv = (filters: number, kernel: number, pad: 'same' | 'valid'): PeerLayer => ({ kind: 'conv', filters, kernel, pad });
const relu: PeerLayer = { kind: 'relu' };
const pool: PeerLayer = { kind: 'maxpool', size: 2 };
const dense = (units: number): PeerLayer => ({ kind: 'dense', units });

export const PEER_WORKLOADS: Readonly<Record<PeerWorkloadName, PeerWorkload>> = {
  // examples/lenet5.cnn's layers (softmax is part of each framework's cross-entropy loss).
  lenet5: {
    name: 'lenet5', shape: [1, 28, 28], classes: 10, batch: 64, inferBatch: 256, lr: 0.01, momentum: 0.9,
    layers: [conv(6, 5, 'same'), relu, pool, conv(16, 5, 'valid'), relu, pool, { kind: 'flatten' }, dense(120), relu, dense(84), relu, dense(10)],
  },
  cifar3: {
    name: 'cifar3', shape: [3, 32, 32], classes: 10, batch: 128, inferBatch: 256, lr: 0.01, momentum: 0.9,
    layers: [conv(32, 3, 'same'), relu, pool, conv(64, 3, 'same'), relu, pool, conv(128, 3, 'same'), relu, pool, { kind: 'flatten' }, dense(10)],
  },
};

/** The workload as a ConvLab model (.cnn text); `data` names the data set the spec points at. */
export function convlabModelText(w: PeerWorkload): string {
  const lines = [`input ${w.shape.join('x')}`];
  for (const l of w.layers) {
    if (l.kind === 'conv') lines.push(`conv ${l.filters} kernel=${l.kernel}${l.pad === 'same' ? ` pad=${(l.kernel - 1) / 2}` : ''}`);
    else if (l.kind === 'maxpool') lines.push(`maxpool ${l.size}`);
    else if (l.kind === 'dense') lines.push(`dense ${l.units}`);
    else lines.push(l.kind);
  }
  lines.push('softmax', `train data=${w.name === 'lenet5' ? 'mnist' : 'cifar10:data'} epochs=1 batch=${w.batch} optimizer=sgd lr=${w.lr} momentum=${w.momentum} seed=1`);
  return lines.join('\n');
}

/** How many steps make a timed round, and how many rounds are warm-up and timed. */
export interface RoundPlan {
  readonly steps: number;
  readonly warmup: number;
  readonly reps: number;
}

/**
 * The training data of a run: `steps` distinct batches, the same for every contestant. LeNet-5 reads
 * the built-in MNIST; cifar3 uses seeded random images and labels of CIFAR-10's shape (the point is speed).
 */
export async function trainingData(w: PeerWorkload, data: DataSpec, examples: number): Promise<Dataset> {
  if (w.name === 'lenet5') {
    const mnist = await loadDataset(data);
    if (mnist.train.count < examples) throw new Error(`the built-in MNIST has ${mnist.train.count} examples, the bench needs ${examples}`);
    const size = exampleSize(mnist);
    const split = { count: examples, images: mnist.train.images.slice(0, examples * size), labels: mnist.train.labels.slice(0, examples) };
    return { ...mnist, train: split, test: split };
  }
  const rng = new Rng(3);
  const images = new Uint8Array(examples * exampleSize({ shape: w.shape }));
  for (let i = 0; i < images.length; i++) images[i] = Math.floor(rng.next() * 256);
  const labels = Uint8Array.from({ length: examples }, () => Math.floor(rng.next() * w.classes));
  const split = { count: examples, images, labels };
  return { name: 'random CIFAR-10-shaped images', shape: w.shape, classes: w.classes, train: split, test: split };
}

/** Batch `b` of the data as NCHW floats in [0, 1] and its labels, for the peers' own tensors. */
export function batchOf(data: Dataset, batch: number, b: number): { images: Float32Array; labels: Uint8Array } {
  const size = exampleSize(data);
  const raw = data.train.images.subarray(b * batch * size, (b + 1) * batch * size);
  const images = raw instanceof Float32Array ? raw.slice() : Float32Array.from(raw, (v) => v / 255);
  return { images, labels: data.train.labels.slice(b * batch, (b + 1) * batch) };
}
