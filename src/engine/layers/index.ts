// Builds engine layers from their specs through the layer kinds' definitions (src/layers): the
// network hands each definition a BuildContext that allocates named tensors on the backend.

import type { Backend } from '../backend';
import type { LayerSpec, Shape } from '../../lang/spec';
import { findLayerDefinition, type BuildContext } from '../../layers/index';
import { LayerError, type Layer, type Param, type StateBuffer } from './layer';
import { paramName, type ParamKind } from '../tensor-names';
import type { ParamArena } from './param-arena';

/** With `arena`, parameters are views packed into it while its reservation lasts (param-arena.ts). */
export function createLayer(backend: Backend, spec: LayerSpec, index: number, inputShape: Shape, maxBatch: number,
  arena: ParamArena | null = null): Layer {
  const definition = findLayerDefinition(spec.kind);
  if (!definition) {
    throw new LayerError(null, index, `layer ${index}: unknown layer kind ${JSON.stringify((spec as { kind?: unknown }).kind)}`);
  }
  return definition.create(buildContext(backend, spec, index, inputShape, maxBatch, arena), spec);
}

function buildContext(backend: Backend, spec: LayerSpec, index: number, inputShape: Shape, maxBatch: number,
  arena: ParamArena | null): BuildContext {
  const name = (suffix: ParamKind) => paramName(index, suffix);
  return {
    backend, index, inputShape, maxBatch,
    param(suffix, shape, init): Param {
      const length = shape.reduce((a, b) => a * b, 1);
      const packed = arena?.take(length);
      if (packed) return { name: name(suffix), shape, length, ...packed, init };
      return { name: name(suffix), shape, length, value: backend.zeros(length), grad: backend.zeros(length), init };
    },
    buffer(suffix, length, initial): StateBuffer {
      return { name: name(suffix), length, tensor: backend.zeros(length), initial };
    },
    error: (message) => new LayerError(spec, index, message),
  };
}

export { LayerError, type StateBuffer, type Layer, type Param, type ParamTangent, type Pass } from './layer';
