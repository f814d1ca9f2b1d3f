// The language's public face: `analyze` turns the text of a `.cnn` file into its syntax tree, model
// spec, per-layer shapes and sorted diagnostics. Pure and total: any string in, an Analysis out.

import { buildModel } from './model';
import { checkClasses, checkMemory, DEFAULT_MEMORY_BUDGET, modelOutput } from './model-check';
import { checkShapes } from './shape-check';
import type { Diagnostic, LayerInfo, ModelSpec, Shape } from './spec';
import type { SyntaxTree } from './syntax';
import { parseLines } from './syntax';
import { compareRanges, splitLines } from './text';

export * from './spec';
export type { Argument, PositionalArgument, SettingArgument, Statement, SyntaxTree, Token, ValueToken } from './syntax';
export { parse } from './syntax';
export * from './catalog';
export { hoverMarkdown } from './hover';
export { defaultTrainingNote } from './train-defaults';
export { trainSettingEdits, type TrainValues } from './train-edits';
export { formatBytes, formatCount, formatShape } from './format';
export { formatSI, plural } from './format';
/** Reads one written value the way the language does (the CLI's --data, hover text for bounds). */
export { describeBounds, parseValue } from './values';
export { comparePositions } from './text';
/** "Did you mean …?" for a misspelt name. */
export { suggest } from './suggest';
export { DIAGNOSTIC_CODES } from './codes';
export type { DiagnosticCode } from './codes';
/** simpleNN `.config` models and option strings (src/lang/simplenn; docs/simplenn.md). */
export { analyzeConfig, configToCnn, type AnalyzeConfigOptions, type ConfigAnalysis } from './simplenn/config-model';
export { simpleNNOptions, SimpleNNOptionError, type SimpleNNOptions } from './simplenn/options';
export { looksLikeSimpleNNConfig } from './simplenn/detect';
export { CONFIG_DIAGNOSTIC_CODES } from './codes';
export type { ConfigDiagnosticCode } from './codes';

export interface Analysis {
  /** Statements with exact token ranges (for completion, symbols, semantic colouring). */
  readonly syntax: SyntaxTree;
  readonly spec: ModelSpec;
  /** One per spec.layers entry, in order. */
  readonly layers: readonly LayerInfo[];
  /** Sorted by position. */
  readonly diagnostics: readonly Diagnostic[];
  readonly totalParams: number;
  readonly outputShape: Shape | null;
  /** Classes of the chosen data set when known (mnist 10, cifar10 10; idx/libsvm → null). */
  readonly classes: number | null;
}

export interface AnalyzeOptions {
  /** Folder of the model file; relative data paths resolve against it (pure string join — no fs access). */
  readonly baseDir?: string;
  /** The user's home folder: data paths written `~/…` resolve against it (without it they are an error). */
  readonly homeDir?: string;
  /** Budget for memory diagnostics, bytes (default 1 GiB of params + activations at the train batch size). */
  readonly memoryBudgetBytes?: number;
}

export function analyze(text: string, options: AnalyzeOptions = {}): Analysis {
  const lines = splitLines(text);
  const parsed = parseLines(lines);
  const model = buildModel(parsed.tree, lines, { baseDir: options.baseDir, homeDir: options.homeDir });
  const shapes = checkShapes(model.layers, model.spec.input, model.input?.statement ?? null, lines);
  const diagnostics = [
    ...parsed.diagnostics,
    ...model.diagnostics,
    ...shapes.diagnostics,
    ...checkClasses(model, shapes.infos, lines),
    ...checkMemory(model, shapes.infos, options.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET),
  ].sort((a, b) => compareRanges(a.range, b.range));
  return {
    syntax: parsed.tree,
    spec: model.spec,
    layers: shapes.infos,
    diagnostics,
    totalParams: shapes.infos.reduce((sum, l) => sum + l.params, 0),
    outputShape: modelOutput(model, shapes.infos),
    classes: model.dataset?.classes ?? null,
  };
}
