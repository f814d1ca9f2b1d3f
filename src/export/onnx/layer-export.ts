// What a layer kind's ONNX exporter entry (`onnx(layer, ctx)` in its module under src/layers) is
// given and gives back: the nodes that compute the layer in evaluation mode, the last one writing
// ctx.output, with its weights as initializers. Plain data with no protobuf in sight, so the layer
// modules (which the language and the editor load) stay light; graph.ts makes the ModelProto.

import type { Shape } from '../../lang/spec';
import type { ParamKind } from '../../engine/tensor-names';

/** An attribute value, typed the way ONNX types it. */
export type OnnxAttributeValue =
  | { readonly int: number }
  | { readonly float: number }
  | { readonly ints: readonly number[] };

export const int = (value: number): OnnxAttributeValue => ({ int: value });
export const float = (value: number): OnnxAttributeValue => ({ float: value });
export const ints = (values: readonly number[]): OnnxAttributeValue => ({ ints: values });

/** One ONNX node of a layer. Its name is given by the graph builder: `layers.<i>.<op>`. */
export interface OnnxLayerNode {
  readonly op: string;
  /** Value and initializer names; the first is the data flowing through the layer. */
  readonly inputs: readonly string[];
  readonly output: string;
  readonly attributes?: Readonly<Record<string, OnnxAttributeValue>>;
}

/** What the graph builder hands a layer's entry. Tensors are [N, …shape of one example]. */
export interface OnnxExportContext {
  /** Index into ModelSpec.layers. */
  readonly index: number;
  /** The value the layer reads. */
  readonly input: string;
  /** Shape of one example in: [C, H, W] or [F]. */
  readonly inputShape: Shape;
  /** The value the layer's last node must write. */
  readonly output: string;
  /** The checkpoint tensor `layers.<index>.<suffix>` as an initializer of dims `shape`; its name. */
  weight(suffix: ParamKind, shape: readonly number[]): string;
  /** A float constant initializer `layers.<index>.<what>` (dims [] for a scalar); its name. */
  constant(what: string, dims: readonly number[], values: readonly number[]): string;
  /** The name of an intermediate value of this layer, `layers.<index>.<what>`. */
  value(what: string): string;
  /** An error that names this layer and its line. */
  error(message: string): Error;
}

/** `[N, C, H, W]` → `[N, C·H·W]` (a no-op on vectors); ConvLab's flatten order is ONNX's. */
export function flattenNode(input: string, output: string): OnnxLayerNode {
  return { op: 'Flatten', inputs: [input], output, attributes: { axis: int(1) } };
}

/** The nodes of a layer that needs a vector: a Flatten first when its input is a (C×1×1) feature map. */
export function onVector(ctx: OnnxExportContext, node: (input: string) => OnnxLayerNode): OnnxLayerNode[] {
  if (ctx.inputShape.length !== 3) return [node(ctx.input)];
  const flat = ctx.value('flat');
  return [flattenNode(ctx.input, flat), node(flat)];
}
