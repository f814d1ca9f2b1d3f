// Builds a layer object from its spec.

import type { Backend } from '../backend';
import type { LayerSpec } from '../../lang/spec';
import { ActivationFn } from './activation';
import { BatchNorm } from './batchnorm';
import { Conv2d } from './conv';
import { Dense } from './dense';
import { Dropout } from './dropout';
import { Flatten } from './flatten';
import { LayerError, type Layer } from './layer';
import { Pool2d } from './pool';
import { Softmax } from './softmax';

export function createLayer(backend: Backend, spec: LayerSpec, index: number, inputShape: readonly number[], maxBatch: number): Layer {
  switch (spec.kind) {
    case 'conv': return new Conv2d(backend, index, spec, inputShape);
    case 'maxpool': case 'avgpool': return new Pool2d(backend, index, spec, inputShape, maxBatch);
    case 'relu': case 'sigmoid': case 'tanh': return new ActivationFn(backend, index, spec, inputShape);
    case 'flatten': return new Flatten(backend, index, spec, inputShape);
    case 'dense': return new Dense(backend, index, spec, inputShape);
    case 'dropout': return new Dropout(backend, index, spec, inputShape, maxBatch);
    case 'batchnorm': return new BatchNorm(backend, index, spec, inputShape, maxBatch);
    case 'softmax': return new Softmax(backend, index, spec, inputShape);
    default: {
      const unknown: never = spec;
      throw new LayerError(null, index, `layer ${index}: unknown layer kind ${JSON.stringify((unknown as { kind?: unknown }).kind)}`);
    }
  }
}

export { LayerError, shapeSize, type StateBuffer, type Layer, type Param, type Pass } from './layer';
