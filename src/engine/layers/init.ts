// Initial weights, drawn on the host from the seeded Rng so every backend starts from the same
// numbers: He normal (std √(2/fan_in)) for a conv/dense layer followed by relu, Xavier/Glorot normal
// (std √(2/(fan_in + fan_out))) otherwise; biases and beta 0, batch-norm gamma 1.
// Draw order: layer by layer, weights only, in index order.

import type { ActivationKind, LayerSpec } from '../../lang/spec';
import { Rng } from '../random';
import type { Layer } from './layer';

/** The activation applied to a layer's output before the next weighted layer, if any. */
export function followingActivation(layers: readonly LayerSpec[], index: number): ActivationKind | null {
  for (let i = index + 1; i < layers.length; i++) {
    const kind = layers[i].kind;
    if (kind === 'relu' || kind === 'sigmoid' || kind === 'tanh') return kind;
    if (kind === 'conv' || kind === 'dense' || kind === 'softmax') return null;
  }
  return null;
}

/** Fan-in and fan-out of a weight tensor [out, in, …kernel]. */
function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1] * receptive, fanOut: shape[0] * receptive };
}

/** Initial values of every param of every layer, by param name. */
export function initialValues(layers: readonly Layer[], specs: readonly LayerSpec[], seed: number): Map<string, Float64Array> {
  const rng = new Rng(seed);
  const values = new Map<string, Float64Array>();
  for (const layer of layers) {
    for (const param of layer.params) {
      const data = new Float64Array(param.length);
      if (layer.spec.kind === 'batchnorm') {
        if (param.name.endsWith('.weight')) data.fill(1);
      } else if (param.name.endsWith('.weight')) {
        const { fanIn, fanOut } = fans(param.shape);
        const std = followingActivation(specs, layer.index) === 'relu' ? Math.sqrt(2 / fanIn) : Math.sqrt(2 / (fanIn + fanOut));
        for (let i = 0; i < data.length; i++) data[i] = rng.normal() * std;
      }
      values.set(param.name, data);
    }
  }
  return values;
}
