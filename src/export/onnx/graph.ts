// A model spec and its weights as an ONNX ModelProto (plain objects, schema.ts) in evaluation mode:
// one input `input` [N, C, H, W] with a symbolic batch N, the layers' nodes in order (each layer's
// `onnx` entry in its module under src/layers), and one output `output` [N, classes].
//
// The graph computes the layers as written. A model whose last layer is not `softmax` outputs what
// its last layer does (logits, under cross-entropy), as the engine's forward pass does; a final
// `softmax` is a Softmax node, so the graph gives the probabilities the engine predicts.

import type { LayerSpec, ModelSpec, Shape } from '../../lang/spec';
import { elements } from '../../lang/shapes';
import { layerDefinition } from '../../layers/index';
import { LayerError } from '../../engine/layers/layer';
import { paramName, type ParamKind } from '../../engine/tensor-names';
import type { CheckpointTensor } from '../../engine/checkpoint';
import { float32Bytes } from './codec';
import { flattenNode, type OnnxAttributeValue, type OnnxExportContext, type OnnxLayerNode } from './layer-export';
import { ATTRIBUTE, FLOAT, type OnnxAttribute, type OnnxDim, type OnnxModel, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './schema';

/** Opset 13: Softmax over one axis, Dropout's ratio as an input. */
export const OPSET = 13;
/** The IR version that goes with opset 13. */
export const IR_VERSION = 7;
export const INPUT = 'input', OUTPUT = 'output', BATCH = 'N';

export function onnxGraphOf(spec: ModelSpec, weights: ReadonlyMap<string, CheckpointTensor>): OnnxModel {
  if (!spec.input) throw new LayerError(null, null, 'the model has no valid `input` statement');
  if (spec.layers.length === 0) throw new LayerError(null, null, 'the model has no layers');
  const nodes: OnnxNode[] = [], initializers: OnnxTensor[] = [], used = new Set<string>();
  let shape: Shape = spec.input, value = INPUT;
  spec.layers.forEach((layer, index) => {
    const output = outputShape(layer, index, shape);
    const last = index === spec.layers.length - 1;
    const ctx = layerContext(layer, index, shape, value, last && output.length === 1 ? OUTPUT : `layers.${index}.output`, weights, initializers, used);
    nodes.push(...named(`layers.${index}`, layerDefinition(layer.kind).onnx(layer, ctx)));
    shape = output;
    value = ctx.output;
  });
  const last = spec.layers[spec.layers.length - 1];
  if (shape.length === 3) {
    // The engine reads a C×1×1 map as the vector of C scores; any other map is no model output.
    if (shape[1] * shape[2] !== 1) throw new LayerError(last, spec.layers.length - 1, `the model must end in a vector of class scores, not a ${shape.join('×')} feature map`);
    nodes.push(...named(OUTPUT, [flattenNode(value, OUTPUT)]));
  }
  const unused = [...weights.keys()].filter((name) => name.startsWith('layers.') && !used.has(name));
  if (unused.length > 0) {
    throw new LayerError(null, null, `the weights hold ${unused.map((n) => `'${n}'`).join(', ')}, which this model does not have (saved from a different model?)`);
  }
  return {
    ir_version: IR_VERSION,
    opset_import: [{ domain: '', version: OPSET }],
    producer_name: 'convlab',
    graph: {
      name: 'convlab',
      node: nodes,
      initializer: initializers,
      input: [valueInfo(INPUT, [{ dim_param: BATCH }, ...spec.input.map((d) => ({ dim_value: d }))])],
      output: [valueInfo(OUTPUT, [{ dim_param: BATCH }, { dim_value: elements(shape) }])],
    },
  };
}

function outputShape(layer: LayerSpec, index: number, input: Shape): Shape {
  const inferred = layerDefinition(layer.kind).infer(layer, input);
  if (!inferred.output) {
    throw new LayerError(layer, index, `its output shape is unknown for a ${input.join('×')} input${inferred.problem ? ` (${inferred.problem.kind})` : ''}; fix the model first (convlab check)`);
  }
  return inferred.output;
}

function layerContext(layer: LayerSpec, index: number, inputShape: Shape, input: string, output: string,
  weights: ReadonlyMap<string, CheckpointTensor>, initializers: OnnxTensor[], used: Set<string>): OnnxExportContext {
  const error = (message: string) => new LayerError(layer, index, message);
  const addInitializer = (name: string, dims: readonly number[], data: Float32Array) => {
    initializers.push({ name, dims: [...dims], data_type: FLOAT, raw_data: float32Bytes(data) });
    return name;
  };
  return {
    index, input, inputShape, output, error,
    weight(suffix: ParamKind, dims: readonly number[]) {
      const name = paramName(index, suffix), tensor = weights.get(name);
      if (!tensor) throw error(`the weights have no '${name}' (were they saved from a different model?)`);
      // Same row-major order whatever shape the checkpoint recorded, so only the count must agree.
      if (tensor.data.length !== elements(dims)) {
        throw error(`'${name}' has ${tensor.data.length} values (shape [${tensor.shape.join(', ')}]); the layer needs [${dims.join(', ')}] = ${elements(dims)}`);
      }
      used.add(name);
      return addInitializer(name, dims, tensor.data);
    },
    constant: (what, dims, values) => addInitializer(`layers.${index}.${what}`, dims, Float32Array.from(values)),
    value: (what) => `layers.${index}.${what}`,
  };
}

/** The nodes named `<prefix>.<op>` (numbered when a layer has the op twice). */
function named(prefix: string, nodes: readonly OnnxLayerNode[]): OnnxNode[] {
  return nodes.map((n, i) => {
    const repeated = nodes.filter((m) => m.op === n.op).length > 1;
    return {
      name: `${prefix}.${n.op}${repeated ? i : ''}`, op_type: n.op, input: [...n.inputs], output: [n.output],
      attribute: Object.entries(n.attributes ?? {}).map(([name, v]) => attribute(name, v)),
    };
  });
}

function attribute(name: string, v: OnnxAttributeValue): OnnxAttribute {
  if ('int' in v) return { name, type: ATTRIBUTE.INT, i: v.int };
  if ('float' in v) return { name, type: ATTRIBUTE.FLOAT, f: v.float };
  return { name, type: ATTRIBUTE.INTS, ints: [...v.ints] };
}

function valueInfo(name: string, dims: OnnxDim[]): OnnxValueInfo {
  return { name, type: { tensor_type: { elem_type: FLOAT, shape: { dim: dims } } } };
}
