// Initial weights, drawn on the host from the seeded Rng so every backend starts from the same
// numbers. Each parameter declares its rule (src/layers): 'fan' weights are He normal
// (std √(2/fan_in)) when a relu follows the layer, Xavier/Glorot normal (std √(2/(fan_in + fan_out)))
// otherwise; 'zeros' and 'ones' draw nothing. Draw order: layer by layer, parameters in order.

import type { ActivationKind, LayerSpec } from '../../lang/spec';
import { layerDefinition } from '../../layers/index';
import { Rng } from '../random';
import type { Layer } from './layer';

/** The activation applied to a layer's output before the next weighted layer (or softmax), if any. */
export function followingActivation(layers: readonly LayerSpec[], index: number): ActivationKind | null {
  for (let i = index + 1; i < layers.length; i++) {
    const role = layerDefinition(layers[i].kind).role;
    if (role === 'activation') return layers[i].kind as ActivationKind;
    if (role === 'weighted' || role === 'softmax') return null;
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
      if (param.init === 'ones') data.fill(1);
      else if (param.init === 'fan') {
        const { fanIn, fanOut } = fans(param.shape);
        const std = followingActivation(specs, layer.index) === 'relu' ? Math.sqrt(2 / fanIn) : Math.sqrt(2 / (fanIn + fanOut));
        for (let i = 0; i < data.length; i++) data[i] = rng.normal() * std;
      }
      values.set(param.name, data);
    }
  }
  return values;
}
