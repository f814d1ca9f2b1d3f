// Whole-model checks that need every layer's shape: does the output match the data set's classes,
// and does training fit in the memory budget.

import { layerDefinition } from '../layers/index';
import { formatBytes, formatShape } from './format';
import type { BuiltModel, LayerEntry } from './model';
import { elements } from './shapes';
import { setParamFix } from './shape-check';
import type { Diagnostic, Fix, LayerInfo, Shape } from './spec';
import { indentation, insert, pos, replace, where } from './text';

export const DEFAULT_MEMORY_BUDGET = 1024 ** 3;

/** The model's output: the last layer's, the input's when there are no layers, null when unknown. */
export function modelOutput(model: BuiltModel, infos: readonly LayerInfo[]): Shape | null {
  if (model.unknownAfterLastLayer) return null;
  if (infos.length === 0) return model.spec.input;
  const last = infos[infos.length - 1];
  // A provisional output is a guess: nothing is checked against it.
  return last.provisional ? null : last.output;
}

export function checkClasses(model: BuiltModel, infos: readonly LayerInfo[], lines: readonly string[]): Diagnostic[] {
  const output = modelOutput(model, infos);
  if (!model.dataset || !output) return [];
  const classes = model.dataset.classes;
  const dataName = model.spec.train.data.kind;
  const dataArg = model.train?.written.get('data');
  const related = dataArg ? [{ range: dataArg.value.range, message: `${dataName} has ${classes} classes` }] : undefined;
  const last = model.layers[model.layers.length - 1];
  const anchor = last ? last.statement : model.input?.statement;
  if (!anchor) return [];

  if (output.length !== 1) {
    // Insert before a trailing softmax so the new `dense` feeds it.
    const before = last?.spec.kind === 'softmax' ? last.statement : null;
    const text = `flatten\ndense ${classes}`;
    const edit = before
      ? insert(pos(before.firstLine, 0), indentLines(text, indentation(lines[before.firstLine])) + '\n')
      : insert(pos(anchor.lastLine, lines[anchor.lastLine].length), '\n' + indentLines(text, indentation(lines[anchor.firstLine])));
    return [{
      range: anchor.keyword.range, severity: 'error', code: 'output-not-vector',
      message: `${where(anchor)}: the model ends with a ${formatShape(output)} feature map, but the loss needs one score per class (${classes} for ${dataName}); end with \`flatten\` and \`dense ${classes}\``,
      ...(related && { related }),
      fixes: [{ title: `Add \`flatten\` and \`dense ${classes}\``, edits: [edit] }],
    }];
  }
  if (output[0] === classes) return [];

  const sizer = lastSizingLayer(model.layers);
  // A layer whose parameter sets its output size (dense's units) is fixed in place; otherwise add a dense.
  const sizeParam = sizer && layerDefinition(sizer.spec.kind).sizeParam;
  const sizeArg = sizeParam ? sizer.written.get(sizeParam) : undefined;
  const fixes: Fix[] = [];
  if (sizer && sizeParam) {
    if (sizeArg) fixes.push({ title: `Set this layer to ${sizer.spec.kind} ${classes}`, edits: [replace(sizeArg.value.range, String(classes))] });
  } else if (last) {
    const before = last.spec.kind === 'softmax' ? last.statement : null;
    fixes.push({
      title: `Add \`dense ${classes}\``,
      edits: [before
        ? insert(pos(before.firstLine, 0), `${indentation(lines[before.firstLine])}dense ${classes}\n`)
        : insert(pos(last.statement.lastLine, lines[last.statement.lastLine].length), `\n${indentation(lines[last.statement.firstLine])}dense ${classes}`)],
    });
  }
  const at = sizer && sizeParam ? sizeArg?.value.range ?? sizer.statement.keyword.range : anchor.keyword.range;
  const who = sizer ? sizer.statement : anchor;
  return [{
    range: at, severity: 'error', code: 'class-count-mismatch',
    message: `${where(who)}: the model ends with ${output[0]} outputs, but ${dataName} has ${classes} classes${sizer && sizeParam ? `; set it to \`${sizer.spec.kind} ${classes}\`` : `; add \`dense ${classes}\``}`,
    ...(related && { related }),
    ...(fixes.length > 0 && { fixes }),
  }];
}

/** The layer that sets the output size: the last weighted, pooling or reshaping one, ignoring element-wise layers after it. */
function lastSizingLayer(layers: readonly LayerEntry[]): LayerEntry | undefined {
  for (let i = layers.length - 1; i >= 0; i--) {
    const role = layerDefinition(layers[i].spec.kind).role;
    if (role === 'weighted' || role === 'pooling' || role === 'reshape') return layers[i];
  }
  return undefined;
}

function indentLines(text: string, indent: string): string {
  return text.split('\n').map((l) => indent + l).join('\n');
}

/**
 * Parameters (f32) plus activations of one batch: the input and every layer's output, which
 * backpropagation keeps. A lower bound: gradients and optimizer state come on top.
 */
export function checkMemory(model: BuiltModel, infos: readonly LayerInfo[], budget: number): Diagnostic[] {
  const input = model.spec.input;
  if (!input) return [];
  const batch = model.spec.train.batch;
  const paramBytes = 4 * infos.reduce((sum, l) => sum + l.params, 0);
  const perExample = 4 * elements(input) + infos.reduce((sum, l) => sum + l.activationBytes, 0);
  const total = paramBytes + batch * perExample;
  if (total <= budget) return [];

  const byParams = paramBytes >= batch * perExample;
  let biggest = 0;
  infos.forEach((l, i) => {
    const key = (x: LayerInfo) => (byParams ? x.params : x.activationBytes);
    if (key(l) > key(infos[biggest])) biggest = i;
  });
  const heaviest = model.layers[biggest];
  const anchor = heaviest?.statement ?? model.input!.statement;
  const culprit = heaviest
    ? byParams
      ? `; ${where(heaviest.statement)} has the most parameters (${formatBytes(4 * infos[biggest].params)})`
      : `; ${where(heaviest.statement)} stores the most (${formatBytes(infos[biggest].activationBytes)} per example)`
    : '';

  const fixes: Fix[] = [];
  const fitting = Math.floor((budget - paramBytes) / perExample);
  if (!byParams && fitting >= 1 && model.train) {
    const smaller = 2 ** Math.floor(Math.log2(fitting));
    fixes.push(setParamFix(model.train, 'batch', String(smaller), `about ${formatBytes(paramBytes + smaller * perExample)}`));
  }
  return [{
    range: anchor.keyword.range, severity: 'warning', code: 'memory-budget',
    message: `training needs at least ${formatBytes(total)} at batch ${batch} — parameters ${formatBytes(paramBytes)} + activations ${formatBytes(perExample)} per example × ${batch} — over the ${formatBytes(budget)} budget${culprit}`,
    ...(fixes.length > 0 && { fixes }),
  }];
}
