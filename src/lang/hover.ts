// The hover for a layer: shapes, the arithmetic with its numbers, parameters, FLOPs, memory and what
// the layer kind adds (for conv, how much im2col replicates the input). Pure markdown, so any editor
// can show it.

import { layerDefinition } from '../layers/index';
import { formatBytes, formatCount, formatShape, formatSI } from './format';
import type { LayerInfo } from './spec';

export function hoverMarkdown(info: LayerInfo): string {
  const { layer } = info;
  const definition = layerDefinition(layer.kind);
  const details = definition.describe(layer);
  const lines = [`**${layer.kind}** ${details} — ${formatShape(info.input)} → ${formatShape(info.output)}`, ''];
  if (info.formula) lines.push(`- size: \`${info.formula}\``);
  if (info.provisional) lines.push(`- provisional: ${info.provisional.reason}`);
  if (info.output === null) {
    lines.push(info.input.length === 0 ? '- input shape unknown (an earlier line has an error)' : '- output unknown: see the error on this line');
    return lines.join('\n');
  }
  const breakdown = info.input.length > 0 ? definition.paramBreakdown?.(layer, info.input) ?? '' : '';
  lines.push(`- parameters: ${formatCount(info.params)}${breakdown}`);
  lines.push(`- forward FLOPs per example: ${formatCount(info.flops)}${info.flops >= 1000 ? ` (${formatSI(info.flops)})` : ''}`);
  lines.push(`- activations per example: ${formatBytes(info.activationBytes)}${definition.role === 'reshape' ? ' (a view of its input)' : ' (f32 output)'}`);
  for (const note of definition.hoverNotes?.(layer, info) ?? []) lines.push(`- ${note}`);
  return lines.join('\n');
}
