// What every engine layer shares: where it sits, the shape it takes and the backend it runs on.
// Layers without weights keep the empty `params` and `buffers`.

import type { Shape } from '../lang/spec';
import type { Backend, Tensor } from '../engine/backend';
import type { Layer, Param, ParamTangent, Pass, StateBuffer } from '../engine/layers/layer';
import type { BuildContext } from './definition';
import type { LayerSpec } from './index';

export abstract class EngineLayer<S extends LayerSpec> implements Layer {
  readonly index: number;
  readonly inputShape: Shape;
  abstract readonly outputShape: Shape;
  params: readonly Param[] = [];
  buffers: readonly StateBuffer[] = [];
  protected readonly backend: Backend;
  protected readonly maxBatch: number;

  constructor(ctx: BuildContext, readonly spec: S) {
    this.index = ctx.index;
    this.inputShape = ctx.inputShape;
    this.backend = ctx.backend;
    this.maxBatch = ctx.maxBatch;
  }

  abstract forward(x: Tensor, y: Tensor, pass: Pass): void;
  abstract backward(x: Tensor, y: Tensor, dy: Tensor, dx: Tensor | null, pass: Pass): void;
  /**
   * Forward-mode derivative (R-op) at the x, y of the last forward pass: dy = J_x·dx + J_w·dw, with
   * dw = tangent(param) for each param. A null dx is a zero input tangent (the first layer).
   */
  abstract jvp(x: Tensor, dx: Tensor | null, y: Tensor, dy: Tensor, pass: Pass, tangent: ParamTangent): void;
}

export type { ParamTangent } from '../engine/layers/layer';
