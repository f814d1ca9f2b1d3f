// A simpleNN `.config` file as a ConvLab model: parsed (never evaluated), checked for its own
// structure, turned into the equivalent `.cnn` text, analyzed by the ordinary `analyze()`, and the
// result carried back onto the `.config` text — so the editor and the CLI treat it like any model.

import type { Analysis, AnalyzeOptions } from '../index';
import { analyze } from '../index';
import type { Diagnostic, Range } from '../spec';
import { compareRanges } from '../text';
import { generateCnn, type GeneratedModel } from './config-cnn';
import { readLayout } from './config-layout';
import { ConfigMap } from './config-map';
import { parseConfig, type ConfigFile } from './config-parse';

export interface ConfigOptions {
  /**
   * Settings for the generated `train` line, written as on a `train` line (`data=mat:train.mat
   * optimizer=sgd lr=0.01`, e.g. from `simpleNNOptions`). A `.config` names no data set or optimizer,
   * so without them the model trains with ConvLab's defaults on the built-in MNIST.
   */
  readonly train?: string;
}

export interface AnalyzeConfigOptions extends AnalyzeOptions, ConfigOptions {}

/** An Analysis whose every range and line is in the `.config` text, plus what it was made from. */
export interface ConfigAnalysis extends Analysis {
  readonly config: ConfigFile;
  /** The equivalent `.cnn` text that was analyzed. */
  readonly cnn: string;
}

// Shape findings after a guessed layer (a missing entry) would be about the guess, not the model.
const SHAPE_CODES = new Set([
  'window-too-large', 'conv-non-integer-output', 'pool-window-not-tiling', 'dense-needs-flatten',
  'needs-feature-map', 'redundant-flatten', 'output-not-vector', 'class-count-mismatch', 'memory-budget',
]);

const MNIST_SHAPE = [1, 28, 28];

export function analyzeConfig(text: string, options: AnalyzeConfigOptions = {}): ConfigAnalysis {
  const parsed = parseConfig(text);
  const layout = readLayout(parsed.file);
  const generated = generateCnn(layout, [], options.train);
  const cnn = cnnText(generated);
  const inner = analyze(cnn, options);
  const map = new ConfigMap(generated);
  const mapped = inner.diagnostics
    .filter((d) => !(d.code === 'missing-input' && !generated.hasInput))
    .filter((d) => !(SHAPE_CODES.has(d.code) && map.isAfterGuess(d)))
    .map((d) => map.diagnostic(d));
  const noData = options.train === undefined ? noDataNote(inner.spec.input, generated) : null;
  const diagnostics: Diagnostic[] = [...parsed.diagnostics, ...layout.diagnostics, ...mapped, ...(noData ? [noData] : [])]
    .sort((a, b) => compareRanges(a.range, b.range));
  const layers = inner.layers.map((l) => map.layer(l));
  const spec = {
    ...inner.spec,
    layers: layers.map((l) => l.layer),
    loss: { ...inner.spec.loss, line: inner.spec.loss.line === null ? null : map.configLine(inner.spec.loss.line) },
    train: { ...inner.spec.train, ...(inner.spec.train.range ? { range: map.range(inner.spec.train.range) } : {}) },
  };
  return {
    syntax: { statements: [], comments: [], lineCount: parsed.file.lines.length },
    spec,
    layers,
    diagnostics,
    totalParams: inner.totalParams,
    outputShape: inner.outputShape,
    classes: inner.classes,
    config: parsed.file,
    cnn,
  };
}

/** The `.cnn` text equivalent to a `.config`, with a header saying where it came from. */
export function configToCnn(text: string, options: ConfigOptions & { readonly source?: string } = {}): string {
  const layout = readLayout(parseConfig(text).file);
  const header = [
    `Converted from the simpleNN model ${options.source ?? '.config'} by \`convlab convert\`.`,
    'simpleNN semantics: each conv layer is pad → conv → relu → maxpool (window = stride; none for 1),',
    'then flatten and the full layers, relu between them, the last linear under the squared loss.',
  ];
  return cnnText(generateCnn(layout, header, options.train));
}

function cnnText(model: GeneratedModel): string {
  return `${model.lines.map((l) => l.text).join('\n')}\n`;
}

/** Says, on the input's entries, that training falls back to MNIST, which only a 1×28×28 input fits. */
function noDataNote(input: readonly number[] | null, model: GeneratedModel): Diagnostic | null {
  if (!input || input.every((v, i) => v === MNIST_SHAPE[i])) return null;
  const inputLine = model.lines.find((l) => l.label === 'input');
  const range: Range = inputLine!.origin;
  return {
    range, severity: 'info', code: 'config-no-data',
    message: `a .config names no data set, so training would use the built-in MNIST (1×28×28), which this ${input.join('×')} input does not fit; ` +
      'give the data when training (`convlab train FILE.config --data mat:TRAIN.mat[,TEST.mat]`) or converting (`convlab convert … --data …`)',
  };
}
