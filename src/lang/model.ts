// From statements to a ModelSpec: looks every keyword up in the catalog, binds arguments, builds
// layers, `input`, `loss` and `train`, and reports statement-level problems (unknown keywords,
// duplicates, missing input, layers after the loss, data/input mismatch, optimizer notes).

import type { LayerArguments } from '../layers/index';
import { layerDefinition } from '../layers/index';
import type { Bound, WrittenArg } from './bind';
import { bindArguments } from './bind';
import type { StatementInfo } from './catalog';
import { KNOWN_DATASETS, STATEMENTS, statementInfo } from './catalog';
import { formatShape } from './format';
import type {
  DataSpec, Diagnostic, Fix, LayerSpec, LossKind, ModelSpec, NewtonTrainSettings, OptimizerKind, TrainSettings,
} from './spec';
import { DEFAULT_TRAIN, NEWTON_DEFAULTS } from './spec';
import { suggest } from './suggest';
import type { Statement, SyntaxTree } from './syntax';
import { deleteLines, indentation, insert, pos, replace, where } from './text';
import type { Value, ValueContext } from './values';

/** A layer with the source it came from. */
export interface LayerEntry {
  readonly spec: LayerSpec;
  readonly statement: Statement;
  readonly written: ReadonlyMap<string, WrittenArg>;
  /** Its arguments could not all be read, so its real output shape is unknown. */
  readonly broken: boolean;
  /** An unreadable statement between this layer and the previous one (maybe a misspelt layer, maybe one being typed). */
  readonly afterUnknown: Statement | null;
}

export interface BuiltModel {
  readonly spec: ModelSpec;
  readonly layers: readonly LayerEntry[];
  readonly input: { readonly statement: Statement; readonly written: ReadonlyMap<string, WrittenArg> } | null;
  readonly train: { readonly statement: Statement; readonly written: ReadonlyMap<string, WrittenArg> } | null;
  /** An unreadable statement follows the last layer, so the model's output cannot be known. */
  readonly unknownAfterLastLayer: boolean;
  /** The shape and classes of the chosen data set when the language knows them. */
  readonly dataset: { readonly shape: readonly [number, number, number]; readonly classes: number } | null;
  readonly diagnostics: readonly Diagnostic[];
}

export function buildModel(tree: SyntaxTree, lines: readonly string[], ctx: ValueContext): BuiltModel {
  const diagnostics: Diagnostic[] = [];
  const layers: LayerEntry[] = [];
  let input: { statement: Statement; bound: Bound } | null = null;
  let train: { statement: Statement; bound: Bound } | null = null;
  let loss: { statement: Statement; bound: Bound } | null = null;
  let afterUnknown: Statement | null = null;

  for (const statement of tree.statements) {
    const info = statementInfo(statement.keyword.text);
    if (!info) {
      diagnostics.push(unknownStatement(statement));
      afterUnknown ??= statement;
      continue;
    }
    const bound = bindArguments(statement, info, ctx, diagnostics);
    switch (info.category) {
      case 'layer': {
        const spec = layerSpec(info, statement, bound, diagnostics);
        layers.push({ spec: spec.layer, statement, written: bound.written, broken: bound.broken || spec.broken, afterUnknown });
        afterUnknown = null;
        break;
      }
      case 'input':
        if (input) diagnostics.push(duplicateStatement(statement, input.statement, lines));
        else input = { statement, bound };
        break;
      case 'loss':
        if (loss) diagnostics.push(duplicateStatement(statement, loss.statement, lines));
        else loss = { statement, bound };
        break;
      case 'train':
        if (train) diagnostics.push(duplicateStatement(statement, train.statement, lines));
        else train = { statement, bound };
        break;
    }
  }

  const inputShape = input && !input.bound.broken ? shapeValue(input.bound.values.get('shape')) : null;
  const settings = withExampleShape(trainSettings(train), inputShape);
  // Without a `train` statement no data set was chosen, so nothing is checked against one (training
  // then uses the defaults, and says so).
  const dataset = train && (settings.data.kind === 'mnist' || settings.data.kind === 'cifar10') ? KNOWN_DATASETS[settings.data.kind] : null;

  // A file with nothing in it yet (new, or only comments) is not an error.
  if (!input && tree.statements.length > 0) diagnostics.push(missingInput(tree, lines, dataset?.shape ?? null));
  if (input && inputShape) {
    const mismatch = inputMismatch(input.statement, input.bound, inputShape, settings.data, dataset?.shape ?? null, train);
    if (mismatch) diagnostics.push(mismatch);
  }
  if (input && layers.length > 0 && comesBefore(layers[0].statement, input.statement)) {
    diagnostics.push(inputNotFirst(input.statement, layers[0].statement, lines));
  }
  if (loss) diagnostics.push(...layersAfterLoss(loss.statement, layers, lines));
  diagnostics.push(...softmaxNotLast(layers));
  if (train) diagnostics.push(...optimizerNotes(train.statement, train.bound, settings.optimizer));

  const lossKind: LossKind = loss && !loss.bound.broken ? choiceValue(loss.bound.values.get('kind'), 'cross_entropy') as LossKind : 'cross_entropy';
  const spec: ModelSpec = {
    input: inputShape,
    layers: layers.map((l) => l.spec),
    loss: { kind: lossKind, line: loss ? loss.statement.firstLine : null },
    train: settings,
  };
  return {
    spec,
    layers,
    input: input && { statement: input.statement, written: input.bound.written },
    train: train && { statement: train.statement, written: train.bound.written },
    unknownAfterLastLayer: afterUnknown !== null,
    dataset,
    diagnostics,
  };
}

function comesBefore(a: Statement, b: Statement): boolean {
  return a.firstLine < b.firstLine;
}

// ---- values -------------------------------------------------------------------------------

function numberValue(v: Value | undefined, fallback: number): number {
  return v?.kind === 'number' ? v.value : fallback;
}
function pairValue(v: Value | undefined, fallback: readonly [number, number]): readonly [number, number] {
  return v?.kind === 'pair' ? v.value : fallback;
}
function booleanValue(v: Value | undefined, fallback: boolean): boolean {
  return v?.kind === 'boolean' ? v.value : fallback;
}
function choiceValue(v: Value | undefined, fallback: string): string {
  return v?.kind === 'choice' ? v.value : fallback;
}
function shapeValue(v: Value | undefined): readonly [number, number, number] | null {
  return v?.kind === 'shape' ? v.value : null;
}

// ---- layers -------------------------------------------------------------------------------

/** Reads a layer statement through its kind's definition (src/layers). */
function layerSpec(info: StatementInfo, statement: Statement, bound: Bound, diagnostics: Diagnostic[]): { layer: LayerSpec; broken: boolean } {
  const v = (name: string) => bound.values.get(name);
  const args: LayerArguments = {
    statement,
    written: bound.written,
    number: (name, fallback) => numberValue(v(name), fallback),
    pair: (name, fallback) => pairValue(v(name), fallback),
    boolean: (name, fallback) => booleanValue(v(name), fallback),
    isSame: (name) => v(name)?.kind === 'same',
    report: (d) => diagnostics.push(d),
  };
  return layerDefinition(info.keyword).read(args, { line: statement.firstLine, range: statement.range });
}

// ---- statements ---------------------------------------------------------------------------

function unknownStatement(statement: Statement): Diagnostic {
  const word = statement.keyword.text;
  const guess = suggest(word, STATEMENTS.map((s) => ({ name: s.keyword, aliases: s.aliases })));
  const trainKey = STATEMENTS.find((s) => s.keyword === 'train')!.params.some((p) => p.name === word);
  const message = guess
    ? `line ${statement.firstLine + 1}: unknown statement \`${word}\`; did you mean \`${guess}\`?`
    : trainKey
      ? `line ${statement.firstLine + 1}: \`${word}\` is a \`train\` setting; write it as ${word}=VALUE on a \`train\` line`
      : `line ${statement.firstLine + 1}: unknown statement \`${word}\`; expected a layer (${STATEMENTS.filter((s) => s.category === 'layer').map((s) => s.keyword).join(', ')}), \`input\`, \`loss\` or \`train\``;
  return {
    range: statement.keyword.range, severity: 'error', code: 'unknown-statement', message,
    ...(guess && { fixes: [{ title: `Change to \`${guess}\``, edits: [replace(statement.keyword.range, guess)] }] }),
  };
}

function duplicateStatement(statement: Statement, first: Statement, lines: readonly string[]): Diagnostic {
  const kw = statement.keyword.text;
  return {
    range: statement.range, severity: 'error', code: 'duplicate-statement',
    message: `${where(statement)}: a model has one \`${kw}\` statement and line ${first.firstLine + 1} already has it; this one is ignored`,
    related: [{ range: first.range, message: `first \`${kw}\` here` }],
    fixes: [{ title: `Delete this \`${kw}\``, edits: [deleteLines(lines, statement.firstLine, statement.lastLine)] }],
  };
}

function missingInput(tree: SyntaxTree, lines: readonly string[], shape: readonly [number, number, number] | null): Diagnostic {
  const first = tree.statements[0];
  const at = first ? first.keyword.range : { start: pos(0, 0), end: pos(0, lines[0]?.length ?? 0) };
  const text = shape ? `input ${shape.join('x')}` : undefined;
  const fixes: Fix[] = text === undefined ? [] : [{
    title: `Insert \`${text}\``,
    edits: [insert(pos(first ? first.firstLine : 0, 0), `${first ? indentation(lines[first.firstLine]) : ''}${text}\n`)],
  }];
  return {
    range: at, severity: 'error', code: 'missing-input',
    message: `the model has no \`input\` statement, so no shape can be checked; start with ${text ? `\`${text}\` (the data set's shape)` : 'e.g. `input 1x28x28` (channels×height×width)'}`,
    ...(fixes.length > 0 && { fixes }),
  };
}

function inputMismatch(statement: Statement, bound: Bound, shape: readonly [number, number, number], data: DataSpec,
  expected: readonly [number, number, number] | null, train: { statement: Statement; bound: Bound } | null): Diagnostic | null {
  if (!expected || shape.every((d, i) => d === expected[i])) return null;
  const token = bound.written.get('shape')!.value;
  const dataArg = train?.bound.written.get('data');
  return {
    range: token.range, severity: 'error', code: 'input-mismatch',
    message: `${where(statement)}: input ${formatShape(shape)} differs from ${data.kind}'s examples, which are ${formatShape(expected)}`,
    ...(dataArg && { related: [{ range: dataArg.value.range, message: `data set chosen here` }] }),
    fixes: [{ title: `Change to ${expected.join('x')}`, edits: [replace(token.range, expected.join('x'))] }],
  };
}

function inputNotFirst(input: Statement, firstLayer: Statement, lines: readonly string[]): Diagnostic {
  const text = lines.slice(input.firstLine, input.lastLine + 1).map((l) => l.trimStart()).join('\n');
  return {
    range: input.range, severity: 'warning', code: 'input-not-first',
    message: `${where(input)}: \`input\` comes after the first layer (line ${firstLayer.firstLine + 1}); it describes what the first layer receives, so put it first`,
    related: [{ range: firstLayer.range, message: 'first layer' }],
    fixes: [{
      title: 'Move `input` before the first layer',
      edits: [insert(pos(firstLayer.firstLine, 0), `${indentation(lines[firstLayer.firstLine])}${text}\n`), deleteLines(lines, input.firstLine, input.lastLine)],
    }],
  };
}

function layersAfterLoss(loss: Statement, layers: readonly LayerEntry[], lines: readonly string[]): Diagnostic[] {
  const after = layers.filter((l) => comesBefore(loss, l.statement));
  if (after.length === 0) return [];
  const last = after[after.length - 1].statement;
  const lossText = lines.slice(loss.firstLine, loss.lastLine + 1).map((l) => l.trimStart()).join('\n');
  const move: Fix = {
    title: 'Move `loss` after the last layer',
    edits: [
      deleteLines(lines, loss.firstLine, loss.lastLine),
      insert(pos(last.lastLine, lines[last.lastLine].length), `\n${indentation(lines[last.firstLine])}${lossText}`),
    ],
  };
  return after.map(({ statement }) => ({
    range: statement.keyword.range, severity: 'error' as const, code: 'layer-after-loss',
    message: `${where(statement)}: layer after \`loss\` (line ${loss.firstLine + 1}); the loss ends the model, so it must come after every layer`,
    related: [{ range: loss.range, message: 'the loss is declared here' }],
    fixes: [move],
  }));
}

function softmaxNotLast(layers: readonly LayerEntry[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (let i = 0; i < layers.length - 1; i++) {
    const { spec, statement } = layers[i];
    if (spec.kind !== 'softmax') continue;
    out.push({
      range: statement.keyword.range, severity: 'warning', code: 'softmax-not-last',
      message: `${where(statement)}: \`softmax\` is not the last layer; it turns outputs into class probabilities and normally ends the model`,
    });
  }
  return out;
}

/** Train keys that only optimizer=newton reads. */
const NEWTON_KEYS = ['C', 'GNsize', 'xi', 'CGmax', 'lambda', 'drop', 'boost', 'eta'] as const;
/** Keys whose names meant something else before (aliases of weight_decay and lr), so a silent change is ruled out. */
const FORMER_MEANINGS: Readonly<Record<string, { readonly meaning: string; readonly instead: string }>> = {
  lambda: { meaning: "Newton's initial damping", instead: 'weight_decay' },
  eta: { meaning: "Newton's line-search constant", instead: 'lr' },
};
/** Keys optimizer=newton does not read, and what it uses instead. */
const IGNORED_BY_NEWTON: Readonly<Record<string, string>> = {
  lr: 'its step size comes from the line search',
  decay: 'its step size comes from the line search',
  weight_decay: 'its L2 term is (1/(2C·l))·‖w‖², set by C',
};

function optimizerNotes(statement: Statement, bound: Bound, optimizer: OptimizerKind): Diagnostic[] {
  const out: Diagnostic[] = [];
  const momentum = bound.written.get('momentum');
  if (momentum && optimizer !== 'sgd') {
    out.push({
      range: momentum.arg.range, severity: 'info', code: 'momentum-unused',
      message: `${where(statement)}: momentum only applies to optimizer=sgd; ${optimizer} ignores it`,
    });
  }
  if (optimizer === 'newton') {
    for (const [key, why] of Object.entries(IGNORED_BY_NEWTON)) {
      const arg = bound.written.get(key);
      if (arg) out.push({ range: arg.arg.range, severity: 'info', code: 'ignored-by-newton', message: `${where(statement)}: optimizer=newton ignores ${key}; ${why}` });
    }
    return out;
  }
  for (const key of NEWTON_KEYS) {
    const arg = bound.written.get(key);
    if (!arg) continue;
    const former = FORMER_MEANINGS[key];
    if (former) {
      const keyRange = arg.arg.kind === 'setting' ? arg.arg.key.range : arg.arg.range;
      out.push({
        range: keyRange, severity: 'warning', code: 'newton-setting-misread',
        message: `${where(statement)}: ${key} is ${former.meaning} and only applies to optimizer=newton; ${optimizer} ignores it — did you mean ${former.instead}?`,
        fixes: [{ title: `Change to \`${former.instead}\``, edits: [replace(keyRange, former.instead)] }],
      });
    } else {
      out.push({
        range: arg.arg.range, severity: 'info', code: 'newton-only-setting',
        message: `${where(statement)}: ${key} only applies to optimizer=newton; ${optimizer} ignores it${key === 'C' ? ' (its L2 penalty is weight_decay)' : ''}`,
      });
    }
  }
  return out;
}

// ---- train --------------------------------------------------------------------------------

/** A `.mat` matrix holds flat rows: the model's input shape says how each becomes C×H×W. */
function withExampleShape(settings: TrainSettings, input: readonly [number, number, number] | null): TrainSettings {
  return settings.data.kind === 'mat' && input ? { ...settings, data: { ...settings.data, shape: input } } : settings;
}

function trainSettings(train: { statement: Statement; bound: Bound } | null): TrainSettings {
  if (!train) return DEFAULT_TRAIN;
  const v = (name: string) => train.bound.values.get(name);
  const data = v('data');
  const validation = v('validation');
  return {
    data: data?.kind === 'data' ? data.value : DEFAULT_TRAIN.data,
    epochs: numberValue(v('epochs'), DEFAULT_TRAIN.epochs),
    batch: numberValue(v('batch'), DEFAULT_TRAIN.batch),
    optimizer: choiceValue(v('optimizer'), DEFAULT_TRAIN.optimizer) as OptimizerKind,
    lr: numberValue(v('lr'), DEFAULT_TRAIN.lr),
    momentum: numberValue(v('momentum'), DEFAULT_TRAIN.momentum),
    decay: numberValue(v('decay'), DEFAULT_TRAIN.decay),
    weightDecay: numberValue(v('weight_decay'), DEFAULT_TRAIN.weightDecay),
    seed: numberValue(v('seed'), DEFAULT_TRAIN.seed),
    newton: newtonSettings(v),
    validation: validation?.kind === 'data' ? validation.value : numberValue(validation, 0),
    range: train.statement.range,
  };
}

function newtonSettings(v: (name: string) => Value | undefined): NewtonTrainSettings {
  const d = NEWTON_DEFAULTS;
  return {
    C: numberValue(v('C'), d.C), gnSize: numberValue(v('GNsize'), d.gnSize), xi: numberValue(v('xi'), d.xi),
    cgMax: numberValue(v('CGmax'), d.cgMax), lambda: numberValue(v('lambda'), d.lambda), drop: numberValue(v('drop'), d.drop),
    boost: numberValue(v('boost'), d.boost), eta: numberValue(v('eta'), d.eta),
  };
}
