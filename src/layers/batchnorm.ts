// batchnorm: batch normalisation per channel of feature maps (a row of the d × (N·H·W) matrix) or per
// feature of vectors (as PyTorch's BatchNorm2d and BatchNorm1d). Training uses batch statistics and
// updates the running ones; evaluation uses the running ones. gamma/beta are named weight/bias and
// the running statistics running_mean/running_var.

import { elements, F32 } from '../lang/shapes';
import type { Shape } from '../lang/spec';
import type { BatchNormTensors, Tensor } from '../engine/backend';
import type { Param, Pass } from '../engine/layers/layer';
import type { BuildContext, LayerBase, LayerDefinition } from './definition';
import { EngineLayer } from './engine-layer';

export interface BatchNormLayer extends LayerBase { readonly kind: 'batchnorm'; readonly momentum: number; readonly epsilon: number }

/** "8 channels" for feature maps, "120 features" for vectors. */
function normalised(input: Shape): string {
  return `${input[0]} ${input.length === 3 ? 'channels' : 'features'}`;
}

export const batchnorm: LayerDefinition<BatchNormLayer> = {
  statement: {
    keyword: 'batchnorm',
    category: 'layer',
    doc: 'Batch normalisation with a learned scale and shift, per channel of a feature map or per feature of a vector.',
    snippet: 'batchnorm',
    aliases: ['batch_norm', 'batchnorm2d', 'batchnorm1d', 'bn', 'batchnormalization'],
    params: [
      { name: 'momentum', doc: 'Weight of the current batch in the running mean and variance, in (0, 1].', kind: 'number', default: '0.1', bounds: { min: 0, max: 1, minExclusive: true }, snippet: 'momentum=${1:0.1}' },
      { name: 'epsilon', doc: 'Added to the variance before the square root, > 0.', kind: 'number', default: '1e-5', bounds: { min: 0, minExclusive: true, max: 1 }, snippet: 'epsilon=${1:1e-5}', aliases: ['eps'] },
    ],
  },
  role: 'elementwise',

  read: (args, { line, range }) => ({
    broken: false,
    layer: { line, range, kind: 'batchnorm', momentum: args.number('momentum', 0.1), epsilon: args.number('epsilon', 1e-5) },
  }),

  infer: (_layer, input) => ({
    output: input, params: 2 * input[0], flops: 2 * elements(input), activationBytes: F32 * elements(input),
    formula: `scale and shift for each of ${normalised(input)}`,
  }),

  describe: (layer) => `momentum ${layer.momentum}, ε ${layer.epsilon}`,
  paramBreakdown: (_layer, input) => ` (scale and shift for ${normalised(input)})`,
  create: (ctx, layer) => new BatchNorm(ctx, layer),
};

class BatchNorm extends EngineLayer<BatchNormLayer> {
  readonly outputShape: readonly number[];
  readonly gamma: Param;
  readonly beta: Param;
  private readonly tensors: BatchNormTensors;
  /** Channels or features, and the elements of each per example. */
  private readonly rows: number;
  private readonly spatial: number;
  private readonly maxBatch: number;
  /** Input gradient when batch norm is the first layer (the backend always writes one). */
  private discardedDx: Tensor | null = null;

  constructor(private readonly ctx: BuildContext, spec: BatchNormLayer) {
    super(ctx, spec);
    this.maxBatch = ctx.maxBatch;
    if (!(spec.epsilon > 0)) throw ctx.error(`epsilon must be > 0, got ${spec.epsilon}`);
    if (!(spec.momentum >= 0 && spec.momentum <= 1)) throw ctx.error(`momentum must be in [0, 1], got ${spec.momentum}`);
    this.outputShape = ctx.inputShape;
    this.rows = ctx.inputShape[0];
    this.spatial = elements(ctx.inputShape) / this.rows;
    this.gamma = ctx.param('weight', [this.rows], 'ones');
    this.beta = ctx.param('bias', [this.rows], 'zeros');
    this.params = [this.gamma, this.beta];
    const mean = ctx.buffer('running_mean', this.rows, 0), variance = ctx.buffer('running_var', this.rows, 1);
    this.buffers = [mean, variance];
    this.tensors = {
      gamma: this.gamma.value, beta: this.beta.value, runningMean: mean.tensor, runningVar: variance.tensor,
      saveMean: ctx.backend.zeros(this.rows), saveInvStd: ctx.backend.zeros(this.rows),
    };
  }

  forward(x: Tensor, y: Tensor, pass: Pass): void {
    this.backend.batchNormForward(x, y, this.rows, this.spatial * pass.n, this.tensors, pass.training,
      this.spec.momentum, this.spec.epsilon);
  }

  backward(x: Tensor, _y: Tensor, dy: Tensor, dx: Tensor | null, pass: Pass): void {
    if (!pass.training) throw this.ctx.error('backward needs a training-mode forward pass (batch statistics)');
    dx ??= this.discardedDx ??= this.backend.zeros(this.rows * this.spatial * this.maxBatch);
    this.backend.batchNormBackward(x, dy, dx, this.rows, this.spatial * pass.n, this.tensors, this.gamma.grad, this.beta.grad);
  }
}
