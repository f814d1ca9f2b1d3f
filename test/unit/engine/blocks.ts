// A small synthetic task for training tests: class k of 3 is a bright 2×2 block at one of three
// places on a noisy 6×6 image, and a small conv net (with dropout) that learns it.

import type { Dataset, Split } from '../../../src/engine/data/dataset';
import { Rng } from '../../../src/engine/random';
import type { TrainEvent } from '../../../src/engine/train';
import * as L from './specs';

export function blocksSplit(count: number, seed: number): Split {
  const rng = new Rng(seed);
  const images = new Uint8Array(count * 36), labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = rng.int(3);
    labels[i] = label;
    for (let p = 0; p < 36; p++) images[i * 36 + p] = rng.int(60);
    const [y, x] = [[0, 0], [2, 3], [4, 1]][label];
    for (const [dy, dx] of [[0, 0], [0, 1], [1, 0], [1, 1]]) images[i * 36 + (y + dy) * 6 + x + dx] = 200 + rng.int(55);
  }
  return { count, images, labels };
}

export const blocks: Dataset = { name: 'blocks', shape: [1, 6, 6], classes: 3, train: blocksSplit(100, 1), test: blocksSplit(30, 2) };

export const blocksSpec = L.model([1, 6, 6], [L.conv(4, 3, { pad: 1 }), L.relu, L.maxpool(2), L.flatten, L.dropout(0.2), L.dense(3), L.softmax],
  'cross_entropy', { epochs: 2, batch: 16, lr: 0.1, momentum: 0.9, seed: 7 });

/** [globalStep, loss] of every step event. */
export const stepLosses = (events: TrainEvent[]): [number, number][] =>
  events.flatMap((e) => (e.type === 'step' ? [[e.globalStep, e.loss] as [number, number]] : []));
