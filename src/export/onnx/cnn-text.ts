// A layer spec as the .cnn statement that reads back to it, writing only the settings that differ
// from the defaults (docs/language.md), so an imported model reads like a hand-written one.

import type { UnplacedLayer } from './import-ops';

/** `5` for 5×5, `3x1` otherwise. */
function size([a, b]: readonly [number, number]): string {
  return a === b ? `${a}` : `${a}x${b}`;
}

const isOne = ([a, b]: readonly [number, number]) => a === 1 && b === 1;
const isZero = ([a, b]: readonly [number, number]) => a === 0 && b === 0;
const same = (a: readonly [number, number], b: readonly [number, number]) => a[0] === b[0] && a[1] === b[1];

export function cnnStatement(layer: UnplacedLayer): string {
  const words: string[] = [layer.kind];
  switch (layer.kind) {
    case 'conv':
      words.push(`${layer.filters}`, `kernel=${size(layer.kernel)}`);
      if (!isOne(layer.stride)) words.push(`stride=${size(layer.stride)}`);
      if (!isZero(layer.pad)) words.push(`pad=${size(layer.pad)}`);
      if (!layer.bias) words.push('bias=false');
      break;
    case 'maxpool':
    case 'avgpool':
      words.push(size(layer.window));
      if (!same(layer.stride, layer.window)) words.push(`stride=${size(layer.stride)}`);
      break;
    case 'dense':
      words.push(`${layer.units}`);
      if (!layer.bias) words.push('bias=false');
      break;
    case 'dropout':
      words.push(`${layer.p}`);
      break;
    case 'batchnorm':
      if (layer.momentum !== 0.1) words.push(`momentum=${layer.momentum}`);
      if (layer.epsilon !== 1e-5) words.push(`epsilon=${layer.epsilon}`);
      break;
    default:
      break;
  }
  return words.join(' ');
}
