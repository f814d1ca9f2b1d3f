// The hover for a layer: shapes, the arithmetic with its numbers, parameters, FLOPs, memory and,
// for conv, how much im2col replicates the input. Pure markdown, so any editor can show it.

import { formatBytes, formatCount, formatShape, formatSI } from './format';
import type { LayerInfo, LayerSpec } from './spec';

export function hoverMarkdown(info: LayerInfo): string {
  const { layer } = info;
  const lines = [`**${layer.kind}** ${describe(layer)} — ${formatShape(info.input)} → ${formatShape(info.output)}`, ''];
  if (info.formula) lines.push(`- size: \`${info.formula}\``);
  if (info.output === null) {
    lines.push(info.input.length === 0 ? '- input shape unknown (an earlier line has an error)' : '- output unknown: see the error on this line');
    return lines.join('\n');
  }
  lines.push(`- parameters: ${formatCount(info.params)}${paramsBreakdown(info)}`);
  lines.push(`- forward FLOPs per example: ${formatCount(info.flops)}${info.flops >= 1000 ? ` (${formatSI(info.flops)})` : ''}`);
  lines.push(`- activations per example: ${formatBytes(info.activationBytes)}${layer.kind === 'flatten' ? ' (a view of its input)' : ' (f32 output)'}`);
  if (info.im2colReplication !== undefined) {
    lines.push(`- im2col replication: ${info.im2colReplication.toFixed(1)}× (each input value appears in up to ${windowArea(layer)} columns)`);
  }
  return lines.join('\n');
}

function describe(layer: LayerSpec): string {
  switch (layer.kind) {
    case 'conv': {
      const stride = layer.stride[0] === 1 && layer.stride[1] === 1 ? '' : ` stride ${formatShape(layer.stride)}`;
      const pad = layer.pad[0] === 0 && layer.pad[1] === 0 ? '' : ` pad ${formatShape(layer.pad)}`;
      return `${layer.filters} × ${formatShape(layer.kernel)}${stride}${pad}${layer.bias ? '' : ' no bias'}`;
    }
    case 'maxpool':
    case 'avgpool':
      return `${formatShape(layer.window)} stride ${formatShape(layer.stride)}`;
    case 'dense':
      return `${layer.units}${layer.bias ? '' : ' no bias'}`;
    case 'dropout':
      return `p = ${layer.p}`;
    case 'batchnorm':
      return `momentum ${layer.momentum}, ε ${layer.epsilon}`;
    default:
      return '';
  }
}

function paramsBreakdown(info: LayerInfo): string {
  const { layer, input } = info;
  if (layer.kind === 'conv' && input.length === 3) {
    const weights = `${layer.filters}·${input[0]}·${layer.kernel[0]}·${layer.kernel[1]}`;
    return ` (${weights}${layer.bias ? ` + ${layer.filters}` : ''})`;
  }
  if (layer.kind === 'dense' && input.length > 0) {
    const inputs = input.reduce((a, b) => a * b, 1);
    return ` (${inputs}·${layer.units}${layer.bias ? ` + ${layer.units}` : ''})`;
  }
  if (layer.kind === 'batchnorm' && input.length > 0) return ` (scale and shift for ${input[0]} channels)`;
  return '';
}

function windowArea(layer: LayerSpec): number {
  return layer.kind === 'conv' ? layer.kernel[0] * layer.kernel[1] : 1;
}
