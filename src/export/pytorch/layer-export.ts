// What a layer kind tells the PyTorch exporter: the torch.nn module that computes exactly what the
// ConvLab layer computes, and where the layer's tensors live in it. Each layer module under
// src/layers has a `torch(layer, ctx): TorchModule` entry (LayerDefinition.torch) beside its
// `create`; src/export/pytorch/plan.ts and model-py.ts turn the entries into model.py. Types only,
// so the layer modules import nothing from here at run time.

import type { Shape } from '../../lang/spec';
import type { ParamKind } from '../../engine/tensor-names';
import type { ParamInit } from '../../layers/definition';

/** What the exporter knows about one layer when it asks for its module. */
export interface TorchLayerContext {
  /** Index into ModelSpec.layers: the module is `layers.<index>` in the nn.Sequential. */
  readonly index: number;
  /** Shape of one example in: [C, H, W] or [F]. */
  readonly inputShape: Shape;
  /** An error that names the layer, its line and why it cannot be exported exactly. */
  refuse(reason: string): Error;
}

/** One tensor of the layer: ConvLab's `layers.<i>.<suffix>` is torch's `layers.<i>.<attribute>`, same layout. */
export interface TorchTensor {
  readonly suffix: ParamKind;
  readonly attribute: string;
  /** Its shape, identical in both (conv [M, C, kh, kw], dense [out, in], batchnorm [C]). */
  readonly shape: readonly number[];
  /** Learnable parameters carry ConvLab's initialisation rule; buffers (running statistics) carry none. */
  readonly init?: ParamInit;
}

/** The torch module of one ConvLab layer. */
export interface TorchModule {
  /** Python constructor expression, e.g. `nn.Conv2d(1, 6, kernel_size=5, padding=2)`. */
  readonly module: string;
  readonly tensors: readonly TorchTensor[];
}
