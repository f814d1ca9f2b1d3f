// The model spec: what a `.cnn` file means once parsed, with every value resolved to numbers.
// This is the contract between the language (src/lang) and everything that consumes it
// (engine, CLI, extension, webview). Pure data: no classes, JSON-serialisable, so it can cross
// the host ⇄ webview boundary unchanged.

/** Zero-based position, as in LSP and VS Code. */
export interface Position { readonly line: number; readonly character: number }
/** Half-open range [start, end). */
export interface Range { readonly start: Position; readonly end: Position }

/** Activation shape of ONE example: [C, H, W] for feature maps, [N] for vectors. */
export type Shape = readonly number[];

export type ActivationKind = 'relu' | 'sigmoid' | 'tanh';
export type LossKind = 'cross_entropy' | 'mse';
export type OptimizerKind = 'sgd' | 'adam' | 'newton';

// Each layer kind declares its own spec in its module under src/layers; the union lives there.
export type {
  LayerBase, LayerSpec, LayerKind, ConvLayer, PoolLayer, GlobalAvgPoolLayer, ActivationLayer, FlattenLayer,
  DenseLayer, DropoutLayer, BatchNormLayer, SoftmaxLayer,
} from '../layers/index';
import type { LayerSpec } from '../layers/index';

/** Where training data comes from. Paths are already resolved against the model file's folder. */
export type DataSpec =
  | { readonly kind: 'mnist' }                                   // built in: 10,000 real digits (8,000 train / 2,000 test)
  | { readonly kind: 'idx'; readonly dir: string }               // 4 MNIST-style IDX files (optionally .gz)
  | { readonly kind: 'cifar10'; readonly dir: string }           // CIFAR-10 binary batches
  | { readonly kind: 'libsvm'; readonly train: string; readonly test?: string }
  // simpleNN MAT-files (y, Z); `shape` is the model's input, which decides how Z's columns become C×H×W
  | { readonly kind: 'mat'; readonly train: string; readonly test?: string; readonly shape?: readonly [number, number, number] };

export interface TrainSettings {
  readonly data: DataSpec;
  readonly epochs: number;
  readonly batch: number;
  readonly optimizer: OptimizerKind;
  readonly lr: number;
  readonly momentum: number;    // sgd only
  readonly decay: number;       // simpleNN's rule: lr_t = lr / (1 + decay·t), t = step count
  readonly weightDecay: number; // L2 penalty coefficient, added to the gradient
  readonly seed: number;
  /** optimizer=newton's settings (the other optimizers ignore them). */
  readonly newton: NewtonTrainSettings;
  /** Fraction of the training split held out for validation (0 = none), or a separate data set. */
  readonly validation: number | DataSpec;
  /** Range of the `train` statement (all its lines), if one was written. */
  readonly range?: Range;
}

/**
 * simpleNN's Newton options (its cnn_train.m parameter defaults). The objective is
 * f(w) = (1/(2·C·l))·‖w‖² + average loss over the l training examples; for sgd/adam the same L2 term
 * is weight_decay = 1/(C·l), which newton ignores.
 */
export interface NewtonTrainSettings {
  readonly C: number;
  /** Examples per Gauss-Newton subsample; 0 = ceil(5% of the training examples). */
  readonly gnSize: number;
  /** CG stops at ‖r‖ ≤ xi·‖g‖ … */
  readonly xi: number;
  /** … or after CGmax steps. */
  readonly cgMax: number;
  /** Initial Levenberg-Marquardt damping. */
  readonly lambda: number;
  /** λ ×= drop when actual/predicted reduction ≥ 3/4; λ ×= boost when < 1/4. */
  readonly drop: number;
  readonly boost: number;
  /** Armijo constant of the backtracking line search. */
  readonly eta: number;
}

export const NEWTON_DEFAULTS: NewtonTrainSettings = {
  C: 0.01, gnSize: 0, xi: 0.1, cgMax: 250, lambda: 1, drop: 2 / 3, boost: 1.5, eta: 1e-4,
};

export const DEFAULT_TRAIN: Omit<TrainSettings, 'range'> = {
  data: { kind: 'mnist' },
  epochs: 3,
  batch: 64,
  optimizer: 'sgd',
  lr: 0.05,
  momentum: 0.9,
  decay: 0,
  weightDecay: 0,
  seed: 1,
  newton: NEWTON_DEFAULTS,
  validation: 0,
};

export interface ModelSpec {
  /** Input shape [C, H, W] of one example, or null when the file has no valid `input`. */
  readonly input: readonly [number, number, number] | null;
  readonly layers: readonly LayerSpec[];
  /** Explicit `loss` statement, else cross-entropy (with `softmax` applied if the last layer is not one). */
  readonly loss: { readonly kind: LossKind; readonly line: number | null };
  readonly train: TrainSettings;
}

/** What shape inference computes for one layer. */
export interface LayerFigures {
  /** Output shape; null once an error (here or upstream) makes it unknowable. */
  readonly output: Shape | null;
  readonly params: number;
  /** Forward multiply-adds ×2 for one example. */
  readonly flops: number;
  /** Bytes of f32 activations this layer stores per example (its output). */
  readonly activationBytes: number;
  /** Conv only: C·K²·Hout·Wout / (C·Hpad·Wpad), the im2col input replication. */
  readonly im2colReplication?: number;
  /** Human-readable arithmetic for the hover, e.g. "(28 + 2·2 − 5)/1 + 1 = 28". */
  readonly formula?: string;
}

/** Everything the shape checker knows about one layer. */
export interface LayerInfo extends LayerFigures {
  readonly index: number;            // into ModelSpec.layers
  readonly layer: LayerSpec;
  /** Input shape; empty ([]) when unknown because of an error upstream. */
  readonly input: Shape;
  /**
   * The shapes hold only if an unreadable line is read the way shown: an unknown statement skipped,
   * or a layer's unreadable arguments taken at their defaults. Set on that layer and every one after
   * it; such layers get no shape diagnostics (one mistake never cascades), and editors show their
   * shapes as provisional so nothing vanishes while a line is being typed.
   */
  readonly provisional?: { readonly line: number; readonly reason: string };
}

export type Severity = 'error' | 'warning' | 'info';

/** A text edit that fixes a diagnostic: replace `range` with `newText`. */
export interface TextEdit { readonly range: Range; readonly newText: string }
export interface Fix { readonly title: string; readonly edits: readonly TextEdit[] }

export interface Diagnostic {
  readonly range: Range;
  readonly severity: Severity;
  /** Stable identifier, e.g. 'conv-non-integer-output'. Documented in docs/language.md. */
  readonly code: string;
  readonly message: string;
  /** Other places that explain the problem, e.g. the layer that produced the bad shape. */
  readonly related?: readonly { readonly range: Range; readonly message: string }[];
  readonly fixes?: readonly Fix[];
}
