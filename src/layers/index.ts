// The layer kinds: each module here is everything about one kind — its statement (keyword,
// parameters, documentation), how its spec is read, its shape rule, its hover text, and its engine
// layer (parameters, initialisation, forward and backward on the Backend interface).
// To add a kind, write its module, list it here, and follow docs/architecture.md.

import type { LayerDefinition } from './definition';
import { relu, sigmoid, tanh, type ActivationLayer } from './activation';
import { batchnorm, type BatchNormLayer } from './batchnorm';
import { conv, type ConvLayer } from './conv';
import { dense, type DenseLayer } from './dense';
import { dropout, type DropoutLayer } from './dropout';
import { flatten, type FlattenLayer } from './flatten';
import { globalavgpool, type GlobalAvgPoolLayer } from './global-avg-pool';
import { avgpool, maxpool, type PoolLayer } from './pool';
import { softmax, type SoftmaxLayer } from './softmax';

export type LayerSpec =
  | ConvLayer | PoolLayer | GlobalAvgPoolLayer | ActivationLayer | FlattenLayer | DenseLayer
  | DropoutLayer | BatchNormLayer | SoftmaxLayer;
export type LayerKind = LayerSpec['kind'];

export type { ActivationLayer, BatchNormLayer, ConvLayer, DenseLayer, DropoutLayer, FlattenLayer, GlobalAvgPoolLayer, PoolLayer, SoftmaxLayer };
export type { BuildContext, LayerArguments, LayerBase, LayerDefinition, LayerRole, ParamInit, ReadLayer } from './definition';
export { layerSeed } from './dropout';

/** Every kind, in the order completion and the docs list them. */
export const LAYERS = [
  conv, maxpool, avgpool, globalavgpool, relu, sigmoid, tanh, flatten, dense, dropout, batchnorm, softmax,
] as const satisfies readonly LayerDefinition<LayerSpec>[];

const byKind = new Map<string, LayerDefinition<LayerSpec>>(LAYERS.map((d) => [d.statement.keyword, d as LayerDefinition<LayerSpec>]));

/** The definition of a layer kind (a spec's `kind` is its keyword). */
export function layerDefinition(kind: string): LayerDefinition<LayerSpec> {
  const definition = byKind.get(kind);
  if (!definition) throw new Error(`unknown layer kind ${JSON.stringify(kind)}`);
  return definition;
}

/** The definition of a statement keyword, when it is a layer. */
export function findLayerDefinition(keyword: string): LayerDefinition<LayerSpec> | undefined {
  return byKind.get(keyword);
}
