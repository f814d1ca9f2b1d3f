// What every engine layer shares: where it sits, the shape it takes and the backend it runs on.
// Layers without weights keep the empty `params` and `buffers`.

import type { Shape } from '../lang/spec';
import type { Backend, Tensor } from '../engine/backend';
import type { Layer, Param, Pass, StateBuffer } from '../engine/layers/layer';
import type { BuildContext } from './definition';
import type { LayerSpec } from './index';

export abstract class EngineLayer<S extends LayerSpec> implements Layer {
  readonly index: number;
  readonly inputShape: Shape;
  abstract readonly outputShape: Shape;
  params: readonly Param[] = [];
  buffers: readonly StateBuffer[] = [];
  protected readonly backend: Backend;

  constructor(ctx: BuildContext, readonly spec: S) {
    this.index = ctx.index;
    this.inputShape = ctx.inputShape;
    this.backend = ctx.backend;
  }

  abstract forward(x: Tensor, y: Tensor, pass: Pass): void;
  abstract backward(x: Tensor, y: Tensor, dy: Tensor, dx: Tensor | null, pass: Pass): void;
}
