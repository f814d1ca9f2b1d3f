// Every statement keyword and every parameter of the language, with documentation.
// The single source of truth: the parser checks names and values against it, the editor builds
// completion items, snippets and hovers from it, and docs/language.md describes the same entries.
// Layer statements come from their layer kinds' modules (src/layers); `input`, `loss` and `train`
// are declared here.

import { LAYERS } from '../layers/index';
import { MAX_DIM } from '../layers/params';
import { NEWTON_DEFAULTS } from './spec';

export type StatementCategory = 'input' | 'layer' | 'loss' | 'train';

/**
 * How a value is written and checked:
 * - integer: whole number within min..max
 * - number: real number within min..max (exclusive ends as flagged)
 * - size: `K` or `KxK` (height × width), positive integers
 * - padding: `P`, `PxP` or `same`
 * - shape: `CxHxW`
 * - boolean: `true` or `false`
 * - choice: one of `values`
 * - data: a data set spec, `mnist`, `idx:DIR`, `cifar10:DIR` or `libsvm:TRAIN[,TEST]`
 * - validation: a fraction in [0,1) or a data set spec
 */
export type ValueKind = 'integer' | 'number' | 'size' | 'padding' | 'shape' | 'boolean' | 'choice' | 'data' | 'validation';

export interface Bounds {
  readonly min?: number;
  readonly max?: number;
  readonly minExclusive?: boolean;
  readonly maxExclusive?: boolean;
}

export interface ParamInfo {
  readonly name: string;
  /** One line for completion details and hovers. */
  readonly doc: string;
  readonly kind: ValueKind;
  /** As written in the language; absent when the parameter is required. */
  readonly default?: string;
  readonly values?: readonly string[];
  readonly bounds?: Bounds;
  /** May be written bare, in this order (`conv 6` = `conv filters=6`). */
  readonly positional?: boolean;
  readonly required?: boolean;
  /** VS Code snippet syntax, e.g. `kernel=${1:3}`. */
  readonly snippet: string;
  /** Names people write by habit (PyTorch, Keras); only used for "did you mean". */
  readonly aliases?: readonly string[];
}

export interface StatementInfo {
  readonly keyword: string;
  readonly category: StatementCategory;
  readonly doc: string;
  readonly params: readonly ParamInfo[];
  /** VS Code snippet for the whole statement. */
  readonly snippet: string;
  readonly aliases?: readonly string[];
}

export const STATEMENTS: readonly StatementInfo[] = [
  {
    keyword: 'input',
    category: 'input',
    doc: 'Shape of one example, channels × height × width (`1x28x28` for MNIST, `3x32x32` for CIFAR-10).',
    snippet: 'input ${1:1}x${2:28}x${3:28}',
    aliases: ['inputs', 'input_shape', 'shape'],
    params: [{
      name: 'shape', doc: 'Channels × height × width, e.g. `1x28x28` (`×` works too).', kind: 'shape',
      bounds: { min: 1, max: MAX_DIM }, positional: true, required: true, snippet: 'shape=${1:1x28x28}',
    }],
  },
  // The layer kinds, each declared in its own module under src/layers.
  ...LAYERS.map((layer) => layer.statement),
  {
    keyword: 'loss',
    category: 'loss',
    doc: 'Training loss: `cross_entropy` (default; softmax applied if the model does not end in one) or `mse`, simpleNN\'s squared loss against one-hot labels.',
    snippet: 'loss ${1|cross_entropy,mse|}',
    aliases: ['criterion', 'objective'],
    params: [
      { name: 'kind', doc: 'Loss function.', kind: 'choice', values: ['cross_entropy', 'mse'], positional: true, required: true, snippet: 'kind=${1|cross_entropy,mse|}', aliases: ['crossentropy', 'ce', 'nll', 'l2', 'squared'] },
    ],
  },
  {
    keyword: 'train',
    category: 'train',
    doc: 'Training settings; may continue on following lines that start with key=value.',
    snippet: 'train data=${1|mnist,idx:,cifar10:,libsvm:|} epochs=${2:3} batch=${3:64} optimizer=${4|sgd,adam,newton|} lr=${5:0.05}',
    aliases: ['training', 'fit', 'optim', 'optimize'],
    params: [
      { name: 'data', doc: 'Data set: `mnist` (built in), `idx:DIR`, `cifar10:DIR` or `libsvm:TRAIN[,TEST]`; relative paths are from the model file\'s folder.', kind: 'data', default: 'mnist', snippet: 'data=${1|mnist,idx:,cifar10:,libsvm:|}', aliases: ['dataset', 'datasets'] },
      { name: 'epochs', doc: 'Passes over the training split; with optimizer=newton, Newton iterations (simpleNN\'s iter_max).', kind: 'integer', default: '3', bounds: { min: 1, max: 1_000_000 }, snippet: 'epochs=${1:3}', aliases: ['epoch', 'iterations', 'iters', 'iter_max', 'epoch_max'] },
      { name: 'batch', doc: 'Examples per gradient step.', kind: 'integer', default: '64', bounds: { min: 1, max: 1_000_000 }, snippet: 'batch=${1:64}', aliases: ['batch_size', 'batchsize', 'bs'] },
      { name: 'optimizer', doc: 'Update rule: `sgd` (with momentum), `adam`, or `newton` (simpleNN\'s subsampled Gauss-Newton method with conjugate gradient).', kind: 'choice', default: 'sgd', values: ['sgd', 'adam', 'newton'], snippet: 'optimizer=${1|sgd,adam,newton|}', aliases: ['optim', 'opt', 'solver', 'method'] },
      { name: 'lr', doc: 'Learning rate, > 0.', kind: 'number', default: '0.05', bounds: { min: 0, minExclusive: true, max: 1000 }, snippet: 'lr=${1:0.05}', aliases: ['learning_rate', 'rate', 'alpha'] },
      { name: 'momentum', doc: 'SGD momentum, in [0, 1).', kind: 'number', default: '0.9', bounds: { min: 0, max: 1, maxExclusive: true }, snippet: 'momentum=${1:0.9}', aliases: ['beta'] },
      { name: 'decay', doc: 'Learning-rate decay: lr_t = lr / (1 + decay·t), t = step count.', kind: 'number', default: '0', bounds: { min: 0, max: 1000 }, snippet: 'decay=${1:0}', aliases: ['lr_decay'] },
      { name: 'weight_decay', doc: 'L2 penalty coefficient added to the gradient, ≥ 0.', kind: 'number', default: '0', bounds: { min: 0, max: 1000 }, snippet: 'weight_decay=${1:5e-4}', aliases: ['l2', 'weightdecay', 'wd', 'regularization'] },
      // optimizer=newton (simpleNN's opt/newton.m and opt/CG.m), with simpleNN's names and defaults.
      { name: 'C', doc: 'Newton: regularisation, (1/(2C·l))·‖w‖² added to the average loss over the l training examples (simpleNN\'s -C), > 0.', kind: 'number', default: String(NEWTON_DEFAULTS.C), bounds: { min: 0, minExclusive: true, max: 1e12 }, snippet: 'C=${1:0.01}', aliases: ['c', 'reg_c'] },
      { name: 'GNsize', doc: 'Newton: examples in each Gauss-Newton subsample; 0 = 5% of the training examples (simpleNN\'s default).', kind: 'integer', default: String(NEWTON_DEFAULTS.gnSize), bounds: { min: 0, max: 1_000_000_000 }, snippet: 'GNsize=${1:0}', aliases: ['gnsize', 'gn_size', 'subsample'] },
      { name: 'xi', doc: 'Newton: CG stops once ‖r‖ ≤ xi·‖g‖, in (0, 1).', kind: 'number', default: String(NEWTON_DEFAULTS.xi), bounds: { min: 0, minExclusive: true, max: 1, maxExclusive: true }, snippet: 'xi=${1:0.1}', aliases: ['cg_tol', 'cgtol'] },
      { name: 'CGmax', doc: 'Newton: most conjugate-gradient steps per iteration.', kind: 'integer', default: String(NEWTON_DEFAULTS.cgMax), bounds: { min: 1, max: 100_000 }, snippet: 'CGmax=${1:250}', aliases: ['cgmax', 'cg_max', 'max_cg'] },
      { name: 'lambda', doc: 'Newton: initial Levenberg-Marquardt damping λ, > 0 (not the L2 penalty: that is weight_decay, or C for newton).', kind: 'number', default: String(NEWTON_DEFAULTS.lambda), bounds: { min: 0, minExclusive: true, max: 1e12 }, snippet: 'lambda=${1:1}', aliases: ['damping', 'lm_lambda'] },
      { name: 'drop', doc: 'Newton: λ is multiplied by drop (2/3) when actual/predicted reduction ≥ 3/4, in (0, 1).', kind: 'number', default: String(NEWTON_DEFAULTS.drop), bounds: { min: 0, minExclusive: true, max: 1, maxExclusive: true }, snippet: 'drop=${1:0.5}', aliases: ['lambda_drop'] },
      { name: 'boost', doc: 'Newton: λ is multiplied by boost when actual/predicted reduction < 1/4, > 1.', kind: 'number', default: String(NEWTON_DEFAULTS.boost), bounds: { min: 1, minExclusive: true, max: 1000 }, snippet: 'boost=${1:1.5}', aliases: ['lambda_boost'] },
      { name: 'eta', doc: 'Newton: line-search (Armijo) constant, accept α once f(w+αd) − f(w) ≤ eta·α·gᵀd, in (0, 1).', kind: 'number', default: String(NEWTON_DEFAULTS.eta), bounds: { min: 0, minExclusive: true, max: 1, maxExclusive: true }, snippet: 'eta=${1:1e-4}', aliases: ['armijo'] },
      { name: 'seed', doc: 'Seed for weight initialisation, shuffling and dropout, so runs repeat exactly.', kind: 'integer', default: '1', bounds: { min: 0, max: 4_294_967_295 }, snippet: 'seed=${1:1}', aliases: ['random_seed', 'rng'] },
      { name: 'validation', doc: 'Fraction of the training split held out for validation, in [0, 1), or a data set spec.', kind: 'validation', default: '0', bounds: { min: 0, max: 1, maxExclusive: true }, snippet: 'validation=${1:0.1}', aliases: ['val', 'validation_split', 'valid', 'holdout'] },
    ],
  },
];

const byKeyword = new Map(STATEMENTS.map((s) => [s.keyword, s]));

export function statementInfo(keyword: string): StatementInfo | undefined {
  return byKeyword.get(keyword);
}

export function paramInfo(statement: StatementInfo, name: string): ParamInfo | undefined {
  return statement.params.find((p) => p.name === name);
}

export const LAYER_KEYWORDS: readonly string[] = STATEMENTS.filter((s) => s.category === 'layer').map((s) => s.keyword);

/** What the language knows about the data sets it can name. */
export interface KnownDataset {
  readonly shape: readonly [number, number, number];
  readonly classes: number;
}

export const KNOWN_DATASETS: Readonly<Record<'mnist' | 'cifar10', KnownDataset>> = {
  mnist: { shape: [1, 28, 28], classes: 10 },
  cifar10: { shape: [3, 32, 32], classes: 10 },
};

/** The data spec kinds, as written before the `:`. */
export const DATA_KINDS: readonly string[] = ['mnist', 'idx', 'cifar10', 'libsvm', 'mat'];
