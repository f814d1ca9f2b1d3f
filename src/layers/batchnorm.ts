// batchnorm: batch normalisation per channel of feature maps (a row of the d × (N·H·W) matrix) or per
// feature of vectors (as PyTorch's BatchNorm2d and BatchNorm1d). Training uses batch statistics and
// updates the running ones; evaluation uses the running ones. gamma/beta are named weight/bias and
// the running statistics running_mean/running_var.

import { elements, F32 } from '../lang/shapes';
import type { Shape } from '../lang/spec';
import type { BatchNormTensors, Tensor } from '../engine/backend';
import type { Param, Pass } from '../engine/layers/layer';
import type { BuildContext, LayerBase, LayerDefinition } from './definition';
import { EngineLayer, type ParamTangent } from './engine-layer';
import { float } from '../export/onnx/layer-export';
import { pyNumber } from '../export/pytorch/python';

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
  // Evaluation mode: the running statistics. ONNX's momentum weighs the old running value, ConvLab's the batch.
  onnx: (layer, ctx) => {
    const rows = [ctx.inputShape[0]];
    return [{
      op: 'BatchNormalization',
      inputs: [ctx.input, ctx.weight('weight', rows), ctx.weight('bias', rows), ctx.weight('running_mean', rows), ctx.weight('running_var', rows)],
      output: ctx.output,
      attributes: { epsilon: float(layer.epsilon), momentum: float(1 - layer.momentum) },
    }];
  },
  create: (ctx, layer) => new BatchNorm(ctx, layer),
  // Same conventions as torch: momentum weighs the current batch, the running variance is unbiased.
  torch: (layer, { inputShape }) => {
    const rows = inputShape[0];
    return {
      module: `nn.BatchNorm${inputShape.length === 3 ? '2d' : '1d'}(${rows}, eps=${pyNumber(layer.epsilon)}, momentum=${pyNumber(layer.momentum)})`,
      tensors: [
        { suffix: 'weight', attribute: 'weight', shape: [rows], init: 'ones' },
        { suffix: 'bias', attribute: 'bias', shape: [rows], init: 'zeros' },
        { suffix: 'running_mean', attribute: 'running_mean', shape: [rows] },
        { suffix: 'running_var', attribute: 'running_var', shape: [rows] },
      ],
    };
  },
};

class BatchNorm extends EngineLayer<BatchNormLayer> {
  readonly outputShape: readonly number[];
  readonly gamma: Param;
  readonly beta: Param;
  private readonly tensors: BatchNormTensors;
  /** Channels or features, and the elements of each per example. */
  private readonly rows: number;
  private readonly spatial: number;
  /** Input gradient when batch norm is the first layer (the backend always writes one). */
  private discardedDx: Tensor | null = null;

  constructor(private readonly ctx: BuildContext, spec: BatchNormLayer) {
    super(ctx, spec);
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
    dx ??= this.discardedDx ??= this.backend.zeros(this.rows * this.spatial * this.maxBatch);
    const cols = this.spatial * pass.n;
    if (pass.training) {
      this.backend.batchNormBackward(x, dy, dx, this.rows, cols, this.tensors, this.gamma.grad, this.beta.grad);
      return;
    }
    // Running statistics make y = γ·x̂ + β affine (the Gauss-Newton products run this way):
    // dβ = Σ dy, dγ = Σ dy·x̂ per row, dx = γ·dy/σ.
    const s = this.evalScratch(), length = this.rows * cols;
    this.backend.biasGrad(dy, this.beta.grad, this.rows, cols);
    this.normalise(x, s.first, cols, { gamma: s.ones, beta: s.zeroShift });         // x̂
    this.backend.dropoutBackward(dy, s.first, s.second, length);                    // dy⊙x̂ (dropout's backward is that product)
    this.backend.biasGrad(s.second, this.gamma.grad, this.rows, cols);
    this.normalise(dy, dx, cols, { beta: s.zeroShift, runningMean: s.zeroMean });  // γ·dy/σ
  }

  jvp(x: Tensor, dx: Tensor | null, _y: Tensor, dy: Tensor, pass: Pass, tangent: ParamTangent): void {
    // With running statistics y = γ·x̂ + β is affine in x and in (γ, β), so each term is itself an
    // evaluation-mode batch norm: dγ·x̂ + dβ, plus γ·dx/σ (zero shift and mean).
    if (pass.training) throw this.ctx.error('a Jacobian-vector product needs an evaluation-mode pass (running statistics)');
    const cols = this.spatial * pass.n;
    this.normalise(x, dy, cols, { gamma: tangent(this.gamma), beta: tangent(this.beta) });
    if (!dx) return;
    const s = this.evalScratch();
    this.normalise(dx, s.first, cols, { beta: s.zeroShift, runningMean: s.zeroMean });
    this.backend.axpy(1, s.first, dy, this.rows * cols);
  }

  /** Evaluation-mode batch norm of a rows × cols matrix with some of its tensors replaced. */
  private normalise(x: Tensor, y: Tensor, cols: number, replaced: Partial<BatchNormTensors>): void {
    this.backend.batchNormForward(x, y, this.rows, cols, { ...this.tensors, ...replaced }, false, this.spec.momentum, this.spec.epsilon);
  }

  /**
   * Scratch of the evaluation-mode derivatives. The shift and the mean get separate zero tensors
   * because WebGPU refuses one buffer bound for reading (beta) and writing (running mean) at once.
   */
  private scratch: EvalScratch | null = null;

  private evalScratch(): EvalScratch {
    if (!this.scratch) {
      const size = this.rows * this.spatial * this.maxBatch, b = this.backend;
      const ones = b.zeros(this.rows);
      b.fill(ones, 1);
      this.scratch = { ones, zeroShift: b.zeros(this.rows), zeroMean: b.zeros(this.rows), first: b.zeros(size), second: b.zeros(size) };
    }
    return this.scratch;
  }
}

interface EvalScratch {
  readonly ones: Tensor; readonly zeroShift: Tensor; readonly zeroMean: Tensor;
  /** Two rows × cols × maxBatch matrices. */
  readonly first: Tensor; readonly second: Tensor;
}
