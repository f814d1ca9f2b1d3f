// ONNX export and import (issue #12): the contract the CLI's `export --to onnx` and `import` commands
// and the VS Code commands call. The graph is built in graph.ts, read back in import.ts.

import type { ModelSpec } from '../../lang/spec';
import type { CheckpointTensor } from '../../engine/checkpoint';
import { encodeModel } from './codec';
import { onnxGraphOf } from './graph';

export { importOnnx, OnnxImportError, type ImportedModel } from './import';

/** Weights by checkpoint name (`layers.0.weight`, `layers.2.running_mean`, …). */
export type NamedWeights = ReadonlyMap<string, CheckpointTensor>;

/**
 * The network in eval mode as an ONNX ModelProto's bytes (opset 13, batch dimension `N`). A model
 * that cannot be exported, or weights that do not fit it, throw a LayerError naming the layer and line.
 */
export function exportOnnx(spec: ModelSpec, weights: NamedWeights): Uint8Array {
  return encodeModel(onnxGraphOf(spec, weights));
}
