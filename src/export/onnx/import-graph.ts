// Reading a decoded ONNX graph for import: its constants (initializers and Constant nodes), its one
// data input, the node attributes, and refusals that name the node (index, name, op type) and why.

import { decodeModel, float32FromBytes, int64FromBytes } from './codec';
import { ATTRIBUTE, EXTERNAL, FLOAT, INT64, type OnnxAttribute, type OnnxModel, type OnnxNode, type OnnxTensor } from './schema';

/** An ONNX model ConvLab cannot import; the message names the file and, where there is one, the node. */
export class OnnxImportError extends Error {
  override readonly name = 'OnnxImportError';
}

/** A constant tensor: float values, or int64 ones (Reshape's shape). */
export interface Constant {
  readonly dims: readonly number[];
  readonly floats?: Float32Array;
  readonly ints?: readonly number[];
}

/** A node and where it sits, for refusals. */
export interface NodeSite {
  readonly node: OnnxNode;
  readonly index: number;
}

export function describeNode({ node, index }: NodeSite): string {
  return `node ${index}${node.name ? ` '${node.name}'` : ''} (${node.op_type})`;
}

/** Refusals of one file. */
export class Refusals {
  constructor(readonly source: string) {}
  /** The model as a whole cannot be imported. */
  model(why: string): never {
    throw new OnnxImportError(`${this.source}: ${why}`);
  }
  /** This node cannot be mapped to a ConvLab layer. */
  node(site: NodeSite, why: string): never {
    throw new OnnxImportError(`${this.source}: ${describeNode(site)} cannot be imported: ${why}`);
  }
}

export function decodeOrRefuse(bytes: Uint8Array, refuse: Refusals): OnnxModel {
  let model: OnnxModel;
  try {
    model = decodeModel(bytes);
  } catch (e) {
    return refuse.model(`not an ONNX model (${(e as Error).message})`);
  }
  if (!model.graph || model.graph.node.length === 0) refuse.model('not an ONNX model, or its graph has no nodes');
  return model;
}

/** The tensor's values; refuses types other than float and int64, and data kept outside the file. */
export function constantOf(t: OnnxTensor, refuse: (why: string) => never): Constant {
  const dims = t.dims ?? [];
  if (t.data_location === EXTERNAL) refuse(`tensor '${t.name}' keeps its data in an external file; save the model with the data inside it`);
  const count = dims.reduce((p, d) => p * d, 1);
  let constant: Constant;
  if (t.data_type === FLOAT) {
    constant = { dims, floats: t.raw_data?.length ? float32FromBytes(t.raw_data) : Float32Array.from(t.float_data ?? []) };
  } else if (t.data_type === INT64) {
    constant = { dims, ints: t.raw_data?.length ? int64FromBytes(t.raw_data) : [...(t.int64_data ?? [])] };
  } else {
    return refuse(`tensor '${t.name}' has ONNX data type ${t.data_type}; ConvLab reads float32 (1) weights and int64 (7) shapes`);
  }
  const length = constant.floats?.length ?? constant.ints!.length;
  if (length !== count) refuse(`tensor '${t.name}' has dims [${dims.join(', ')}] (${count} values) but holds ${length}`);
  return constant;
}

/** Typed access to a node's attributes; any attribute outside `known` is refused (it might change the result). */
export class Attributes {
  private readonly byName: Map<string, OnnxAttribute>;

  constructor(private readonly site: NodeSite, private readonly refuse: Refusals, known: readonly string[]) {
    this.byName = new Map(site.node.attribute.map((a) => [a.name, a]));
    for (const name of this.byName.keys()) {
      if (!known.includes(name)) refuse.node(site, `attribute '${name}' is not one ConvLab can map${known.length > 0 ? ` (it reads ${known.join(', ')})` : ''}`);
    }
  }

  int(name: string, fallback: number): number {
    const a = this.get(name, ATTRIBUTE.INT);
    return a ? a.i ?? 0 : fallback;
  }

  float(name: string, fallback: number): number {
    const a = this.get(name, ATTRIBUTE.FLOAT);
    return a ? a.f ?? 0 : fallback;
  }

  ints(name: string, fallback: readonly number[]): readonly number[] {
    const a = this.get(name, ATTRIBUTE.INTS);
    return a ? a.ints ?? [] : fallback;
  }

  floats(name: string): readonly number[] {
    return this.get(name, ATTRIBUTE.FLOATS)?.floats ?? [];
  }

  string(name: string, fallback: string): string {
    const a = this.get(name, ATTRIBUTE.STRING);
    return a ? new TextDecoder().decode(a.s ?? new Uint8Array()) : fallback;
  }

  tensor(name: string): OnnxTensor | undefined {
    return this.get(name, ATTRIBUTE.TENSOR)?.t;
  }

  has(name: string): boolean { return this.byName.has(name); }

  private get(name: string, type: number): OnnxAttribute | undefined {
    const a = this.byName.get(name);
    if (a && a.type !== type) this.refuse.node(this.site, `attribute '${name}' has type ${a.type}, expected ${type}`);
    return a;
  }
}

/** A Constant node's value, from whichever of its attributes holds it. */
export function constantNodeValue(site: NodeSite, refuse: Refusals): Constant {
  const attributes = new Attributes(site, refuse, ['value', 'value_float', 'value_floats', 'value_int', 'value_ints']);
  const tensor = attributes.tensor('value');
  if (tensor) return constantOf(tensor, (why) => refuse.node(site, why));
  if (attributes.has('value_float')) return { dims: [], floats: Float32Array.of(attributes.float('value_float', 0)) };
  if (attributes.has('value_floats')) {
    const floats = Float32Array.from(attributes.floats('value_floats'));
    return { dims: [floats.length], floats };
  }
  if (attributes.has('value_int')) return { dims: [], ints: [attributes.int('value_int', 0)] };
  if (attributes.has('value_ints')) {
    const ints = attributes.ints('value_ints', []);
    return { dims: [ints.length], ints };
  }
  return refuse.node(site, 'a Constant without a value (value, value_float, value_int or value_ints)');
}
