// The PyTorch form of a model, decided once for model.py, train.py and the weights: each layer's
// torch module (from its definition's `torch` entry), the initialisation of its parameters, and
// what the loss sees. A layer or setting without an exact torch counterpart stops the export here
// with an ExportError that names it and its line.

import type { Analysis, LayerSpec, ModelSpec, Shape } from '../../lang';
import { layerDefinition } from '../../layers/index';
import { followingActivation } from '../../engine/layers/init';
import type { TorchModule, TorchTensor } from './layer-export';

/** A model or setting that cannot be exported exactly; the message names the file, line and why. */
export class ExportError extends Error {
  override readonly name = 'ExportError';
}

/** How one `fan` weight is drawn: ConvLab's rule, in torch.nn.init terms. */
export type TorchInit = 'kaiming_normal_relu' | 'xavier_normal' | 'zeros' | 'ones';

export interface TorchLayerPlan {
  readonly index: number;
  readonly spec: LayerSpec;
  /** The statement as written in the .cnn file, for the comment beside the module. */
  readonly source: string;
  readonly output: Shape;
  readonly module: TorchModule;
  /** Learnable tensors with their initialisation, in ConvLab's draw order. */
  readonly inits: readonly { readonly tensor: TorchTensor; readonly init: TorchInit }[];
}

export interface TorchPlan {
  readonly spec: ModelSpec;
  readonly modelName: string;
  /** The .cnn text, recorded in the checkpoints train.py writes for ConvLab. */
  readonly modelText: string;
  readonly input: readonly [number, number, number];
  readonly classes: number;
  readonly layers: readonly TorchLayerPlan[];
  /** The last layer is a softmax that training folds into the cross-entropy (torch: F.cross_entropy on logits). */
  readonly softmaxFused: boolean;
  readonly parameterCount: number;
}

/** The torch plan of an analysed model (one without errors). */
export function planTorchModel(analysis: Analysis, modelText: string, modelName: string): TorchPlan {
  const { spec } = analysis;
  const lines = modelText.split(/\r?\n/);
  const where = (line: number) => `${modelName}:${line + 1}`;
  if (!spec.input) throw new ExportError(`${modelName}: the model has no valid \`input\` statement`);
  if (spec.layers.length === 0) throw new ExportError(`${modelName}: the model has no layers`);
  const firstError = analysis.diagnostics.find((d) => d.severity === 'error');
  if (firstError) throw new ExportError(`${where(firstError.range.start.line)}: ${firstError.message} (fix the model's errors first; see \`convlab check\`)`);
  const layers = spec.layers.map((layer, index): TorchLayerPlan => {
    const info = analysis.layers[index];
    const source = (lines[layer.line] ?? layer.kind).replace(/#.*$/, '').trim();
    const refuse = (reason: string) => new ExportError(`${where(layer.line)}: layer ${index} (${source}) cannot be exported to PyTorch: ${reason}`);
    if (!info?.output) throw refuse('its output shape is unknown');
    const module = layerDefinition(layer.kind).torch(layer, { index, inputShape: info.input, refuse });
    const following = followingActivation(spec.layers, index);
    const inits = module.tensors.filter((t) => t.init !== undefined).map((tensor) => ({
      tensor, init: tensor.init === 'fan' ? (following === 'relu' ? 'kaiming_normal_relu' : 'xavier_normal') as TorchInit : tensor.init!,
    }));
    return { index, spec: layer, source, output: info.output, module, inits };
  });
  const last = layers[layers.length - 1];
  const classes = last.output[0];
  const parameterCount = layers.reduce((sum, l) => sum + l.inits.reduce((s, i) => s + i.tensor.shape.reduce((p, d) => p * d, 1), 0), 0);
  return {
    spec, modelName, modelText, input: spec.input, classes, layers,
    softmaxFused: spec.loss.kind === 'cross_entropy' && last.spec.kind === 'softmax',
    parameterCount,
  };
}

/** The train statement's line, for messages about training settings. */
export function trainLine(plan: TorchPlan): string {
  const range = plan.spec.train.range;
  return range ? `${plan.modelName}:${range.start.line + 1}` : plan.modelName;
}
