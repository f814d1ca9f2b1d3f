// An ONNX model → a .cnn file and its weights named as ConvLab's checkpoints. The graph must be one
// chain from its input [N, C, H, W] to its output, of the operators in import-ops.ts (constants as
// initializers or Constant nodes, Identity and Dropout pass through); anything else is refused with
// the node that cannot be mapped and why. The text is checked with analyze() before it is returned.

import { analyze } from '../../lang/index';
import type { LayerSpec, Range, Shape } from '../../lang/spec';
import { layerDefinition } from '../../layers/index';
import { paramName } from '../../engine/tensor-names';
import type { CheckpointTensor } from '../../engine/checkpoint';
import { cnnStatement } from './cnn-text';
import {
  Attributes, constantNodeValue, constantOf, decodeOrRefuse, describeNode, Refusals, type Constant, type NodeSite,
} from './import-graph';
import { OP_IMPORTERS, type ChainState, type ImportedLayer, type OpScope } from './import-ops';
import { FLOAT, type OnnxGraph, type OnnxModel } from './schema';

export { OnnxImportError } from './import-graph';

export interface ImportedModel {
  /** The .cnn file. */
  readonly text: string;
  /** `layers.<i>.weight|bias|running_mean|running_var` for the text's layers. */
  readonly weights: Map<string, CheckpointTensor>;
}

const DEFAULT_DOMAINS = ['', 'ai.onnx'];
/** MNIST's examples and classes: the one data set an imported model can name without a path. */
const MNIST = { input: [1, 28, 28], classes: 10 };

interface PlacedLayer extends ImportedLayer { readonly source: string }

export function importOnnx(bytes: Uint8Array, sourceName: string): ImportedModel {
  const refuse = new Refusals(sourceName);
  const model = decodeOrRefuse(bytes, refuse);
  const graph = model.graph;
  const constants = new Map<string, Constant>();
  for (const t of graph.initializer) constants.set(t.name, constantOf(t, (why) => refuse.model(why)));
  const input = graphInput(graph, constants, refuse);
  const chain = new ChainReader(graph, refuse, constants, { shape: input.shape, rank: 4, opset: defaultOpset(model, refuse) }, input.name);
  for (let index = 0; index < graph.node.length;) index = chain.read(index);

  const outputs = graph.output.map((o) => o.name);
  if (outputs.length !== 1 || outputs[0] !== chain.current) {
    refuse.model(`the graph's output${outputs.length === 1 ? '' : 's'} ${outputs.map((o) => `'${o}'`).join(', ')} ${outputs.length === 1 ? 'is not' : 'are not'} the end of the chain ('${chain.current}')`);
  }
  return modelOf(sourceName, model, input.shape, chain.layers, chain.state.shape, refuse);
}

/** Reads the nodes in order as one chain of layers, keeping the value and shapes where it stands. */
class ChainReader {
  readonly layers: PlacedLayer[] = [];
  /** How many node inputs and graph outputs read each value. */
  private readonly uses: ReadonlyMap<string, number>;

  constructor(private readonly graph: OnnxGraph, private readonly refuse: Refusals, private readonly constants: Map<string, Constant>,
    public state: ChainState, public current: string) {
    this.uses = useCounts(graph);
    if ((this.uses.get(current) ?? 0) > 1) refuse.model(`the input '${current}' feeds ${this.uses.get(current)} nodes; ConvLab imports a single chain of layers`);
  }

  /** Reads the node at `index` (and any it folds in, as MatMul does its Add); the index of the next one. */
  read(index: number): number {
    const site: NodeSite = { node: this.graph.node[index], index }, node = site.node, refuse = this.refuse;
    if (!DEFAULT_DOMAINS.includes(node.domain ?? '')) refuse.node(site, `its domain '${node.domain}' is not ONNX's own operator set`);
    if (node.op_type === 'Constant' || (node.op_type === 'Identity' && this.constants.has(node.input[0]))) {
      this.constants.set(node.output[0], node.op_type === 'Constant' ? constantNodeValue(site, refuse) : this.constants.get(node.input[0])!);
      return index + 1;
    }
    const importer = OP_IMPORTERS[node.op_type] ?? refuse.node(site, `${node.op_type} is not an operator ConvLab can map to a layer (it imports ${Object.keys(OP_IMPORTERS).join(', ')}, Constant)`);
    if (node.input[0] !== this.current) {
      refuse.node(site, `it reads '${node.input[0]}', which is not the output of the node before it ('${this.current}'); ConvLab imports a single chain of layers`);
    }
    node.input.slice(1).forEach((name, i) => {
      if (name !== '' && !this.constants.has(name)) refuse.node(site, `its input ${i + 1} '${name}' is not a constant (an initializer or Constant node)`);
    });
    const result = importer(scopeOf(site, this.state, refuse, this.constants, this.graph));
    const last = this.graph.node[index + result.consumed - 1];
    for (const [k, extra] of last.output.slice(1).entries()) {
      if (extra !== '' && this.uses.has(extra)) refuse.node(site, `its output ${k + 1} '${extra}' is used; a ConvLab layer has one output`);
    }
    this.current = last.output[0];
    const uses = this.uses.get(this.current) ?? 0;
    if (uses > 1) refuse.node(site, `its output '${this.current}' feeds ${uses} places; ConvLab imports a single chain of layers`);
    const source = this.graph.node.slice(index, index + result.consumed).map((n, i) => describeNode({ node: n, index: index + i })).join(' + ');
    if (result.layer) {
      this.layers.push({ ...result.layer, source });
      this.state = { ...this.state, shape: outputShape(result.layer, this.state.shape, site, refuse) };
    } else if (this.layers.length > 0) {
      // A node that changes nothing ConvLab sees (GlobalAveragePool's Flatten) is named with the layer before it.
      const before = this.layers[this.layers.length - 1];
      this.layers[this.layers.length - 1] = { ...before, source: `${before.source} + ${source}` };
    }
    this.state = { ...this.state, rank: result.rank };
    return index + result.consumed;
  }
}

function defaultOpset(model: OnnxModel, refuse: Refusals): number {
  const entry = model.opset_import.find((o) => DEFAULT_DOMAINS.includes(o.domain ?? ''));
  if (!entry) refuse.model('it imports no version of the ONNX operator set (opset_import has no default domain)');
  return entry.version;
}

/** The one graph input that is not an initializer: a float [N, C, H, W]. */
function graphInput(graph: OnnxGraph, constants: ReadonlyMap<string, Constant>, refuse: Refusals): { name: string; shape: readonly [number, number, number] } {
  const inputs = graph.input.filter((i) => !constants.has(i.name));
  if (inputs.length !== 1) refuse.model(`the graph has ${inputs.length} data inputs (${inputs.map((i) => `'${i.name}'`).join(', ')}); ConvLab models take one`);
  const { name, type } = inputs[0], tensor = type?.tensor_type;
  if (!tensor || tensor.elem_type !== FLOAT) refuse.model(`the input '${name}' is not a float32 tensor`);
  const dims = tensor.shape?.dim ?? [];
  const sizes = dims.slice(1).map((d) => ('dim_value' in d && d.dim_value > 0 ? d.dim_value : null));
  if (dims.length !== 4 || sizes.some((d) => d === null)) {
    const shown = dims.map((d) => ('dim_value' in d && d.dim_value ? d.dim_value : 'dim_param' in d && d.dim_param ? d.dim_param : '?')).join(', ');
    refuse.model(`the input '${name}' has shape [${shown}]; ConvLab needs [N, C, H, W] with known C, H and W`);
  }
  return { name, shape: [sizes[0]!, sizes[1]!, sizes[2]!] };
}

/** How many node inputs and graph outputs read each value. */
function useCounts(graph: OnnxGraph): Map<string, number> {
  const uses = new Map<string, number>();
  const use = (name: string) => { if (name !== '') uses.set(name, (uses.get(name) ?? 0) + 1); };
  for (const node of graph.node) node.input.forEach(use);
  for (const output of graph.output) use(output.name);
  return uses;
}

function scopeOf(site: NodeSite, state: ChainState, refuse: Refusals, constants: ReadonlyMap<string, Constant>, graph: OnnxGraph): OpScope {
  const input = (i: number) => site.node.input[i] ?? '';
  return {
    site, state, refuse,
    attributes: (known) => new Attributes(site, refuse, known),
    floats(i, what) {
      const c = constants.get(input(i));
      if (!c) return refuse.node(site, `it has no ${what} (input ${i})`);
      if (!c.floats) return refuse.node(site, `its ${what} '${input(i)}' are not float32`);
      return c as Constant & { floats: Float32Array };
    },
    optional: (i) => constants.get(input(i)),
    constant: (name) => constants.get(name),
    next: () => (site.index + 1 < graph.node.length ? { node: graph.node[site.index + 1], index: site.index + 1 } : undefined),
  };
}

const NOWHERE: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** The layer's output by its own shape rule; refused if the rule finds a problem. */
function outputShape(layer: ImportedLayer, input: Shape, site: NodeSite, refuse: Refusals): Shape {
  const spec = { ...layer.spec, line: 0, range: NOWHERE } as LayerSpec;
  const inferred = layerDefinition(spec.kind).infer(spec, input);
  if (!inferred.output) refuse.node(site, `as \`${cnnStatement(layer.spec)}\` on a ${input.join('×')} input it has no output (${inferred.problem?.kind ?? 'unknown shape'})`);
  return inferred.output;
}

function modelOf(sourceName: string, model: OnnxModel, input: Shape, layers: readonly PlacedLayer[], output: Shape, refuse: Refusals): ImportedModel {
  if (layers.length === 0) refuse.model('the graph has no node that maps to a ConvLab layer');
  if (output.length === 3 && output[1] * output[2] !== 1) refuse.model(`the graph ends with a ${output.join('×')} feature map; a ConvLab model ends in a vector of class scores`);
  const classes = output[0];
  if (classes < 2) refuse.model(`the graph ends with ${classes} output; a ConvLab model needs at least 2 class scores`);

  const file = sourceName.split(/[\\/]/).pop();
  const producer = model.producer_name ? ` (made by ${model.producer_name})` : '';
  const statements = layers.map((l) => cnnStatement(l.spec));
  const width = Math.max(...statements.map((s) => s.length)) + 2;
  const isMnist = input.every((d, i) => d === MNIST.input[i]) && classes === MNIST.classes;
  const lines = [
    `# Imported from ${file}${producer} by \`convlab import\`; each layer names the ONNX node it came from.`,
    `input ${input.join('x')}`,
    '',
    ...layers.map((l, i) => `${statements[i].padEnd(width)}# ${[l.source, ...(l.notes ?? [])].join('; ')}`),
    '',
    isMnist
      ? 'train data=mnist epochs=3 batch=64 optimizer=sgd lr=0.05 momentum=0.9 seed=1'
      : `# Add a \`train\` line for this model's data (examples ${input.join('x')}, ${classes} classes), e.g. train data=idx:DIR epochs=3 batch=64`,
    '',
  ];
  const text = lines.join('\n');
  const weights = new Map<string, CheckpointTensor>();
  layers.forEach((l, i) => { for (const [suffix, t] of l.tensors) weights.set(paramName(i, suffix), t); });

  const errors = analyze(text).diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) refuse.model(`the imported model does not check: ${errors.map((d) => `line ${d.range.start.line + 1}: ${d.message}`).join('; ')}`);
  return { text, weights };
}
