// The one interface both compute backends implement (cpu: TypeScript reference and fallback;
// webgpu: WGSL compute shaders). Layers are written once against it, so every model runs on
// every backend and every engine test can run on every backend.
//
// Memory layout — simpleNN's matrix formulation, row-major:
//   feature maps   d × (N·H·W)   element (c, n, h, w) at ((c·N + n)·H + h)·W + w
//   vectors        d × N         element (f, n) at f·N + n  (a feature map with H = W = 1)
//   conv weights   M × (C·kh·kw) element (m, c, p, q) at ((m·C + c)·kh + p)·kw + q
//   dense weights  out × in
//   im2col φ(pad(Z))  (C·kh·kw) × (N·OH·OW), row (c·kh + p)·kw + q, column (n·OH + oh)·OW + ow
// so conv forward is one GEMM, S = W · φ(pad(Z)), whose output is already in the d × (N·H·W) layout,
// and batch norm / bias work on rows.
//
// Calls are enqueued in order; results are only observable through read(), which resolves once
// every earlier call has finished. On webgpu nothing but read() moves data back to the host.

export type BackendName = 'cpu' | 'webgpu';
export type FloatArray = Float32Array | Float64Array;

/** An opaque device buffer. f32 tensors hold numbers; u32 tensors hold labels and argmax indices. */
export interface Tensor {
  readonly length: number;
  readonly dtype: 'f32' | 'u32';
}

export interface ConvGeometry {
  readonly n: number;  // batch size of this call (≤ the size tensors were allocated for)
  readonly c: number; readonly h: number; readonly w: number;   // input channels and size
  readonly m: number;                                           // filters (output channels)
  readonly kh: number; readonly kw: number;
  readonly sh: number; readonly sw: number;
  readonly ph: number; readonly pw: number;
  readonly oh: number; readonly ow: number;                     // floor((h + 2ph − kh)/sh) + 1 …
}

export interface PoolGeometry {
  readonly n: number;
  readonly c: number; readonly h: number; readonly w: number;
  readonly kh: number; readonly kw: number;
  readonly sh: number; readonly sw: number;
  readonly oh: number; readonly ow: number;  // floor((h − kh)/sh) + 1; no padding
}

export interface GemmOptions {
  readonly transA?: boolean;  // use Aᵀ: A is stored k × m
  readonly transB?: boolean;  // use Bᵀ: B is stored n × k
  readonly alpha?: number;    // default 1
  readonly beta?: number;     // default 0 (C is overwritten)
}

export type Activation = 'relu' | 'sigmoid' | 'tanh';

/** An activation fused into the kernel that computes y: out = f(y), y itself still written. */
export interface FusedActivation {
  readonly kind: Activation;
  readonly out: Tensor;
}

export interface BatchNormTensors {
  readonly gamma: Tensor; readonly beta: Tensor;              // [rows]
  readonly runningMean: Tensor; readonly runningVar: Tensor;  // [rows], updated in training mode
  readonly saveMean: Tensor; readonly saveInvStd: Tensor;     // [rows], written in training mode for backward
}

/**
 * Metrics accumulated on the device so the training loop never stalls on a readback:
 * metrics[0] += Σ loss over the batch, metrics[1] += number of correct argmax predictions,
 * metrics[2] += n. Read it every few steps and zero it with fill().
 */
export const METRICS_LENGTH = 3;

/**
 * Tensors sharing one allocation, so one kernel call over the whole arena updates them all (the
 * optimizer's single dispatch per step). Optional: a backend without it gets separate tensors.
 */
export interface TensorViews {
  /** View offsets must be multiples of this many elements. */
  readonly alignment: number;
  /** `length` elements at element `offset` of `arena` (an f32 zeros() tensor), sharing its memory. */
  view(arena: Tensor, offset: number, length: number): Tensor;
}

export interface Backend {
  readonly name: BackendName;
  /** Human-readable, e.g. "cpu (f32)" or "webgpu (google swiftshader, fallback adapter)". */
  readonly description: string;

  // ── memory ──────────────────────────────────────────────────────────────────────────
  /** A zero-filled f32 tensor. */
  zeros(length: number): Tensor;
  /** A zero-filled u32 tensor. */
  indices(length: number): Tensor;
  /** Copies host data into t starting at element `offset` (numbers for f32, integers for u32). */
  write(t: Tensor, data: ArrayLike<number>, offset?: number): void;
  /** Resolves with a copy of t (f32 tensors; Float64Array on a cpu backend built with precision 'f64'). */
  read(t: Tensor): Promise<FloatArray>;
  readIndices(t: Tensor): Promise<Uint32Array>;
  /** dst[0..length) = src[0..length) (whole tensor by default). */
  copy(src: Tensor, dst: Tensor, length?: number): void;
  dispose(t: Tensor): void;
  /** Submits queued work (webgpu); cpu runs eagerly and does nothing. */
  flush(): void;
  /** Releases every resource; the backend is unusable afterwards. */
  destroy(): void;
  /**
   * Optional (webgpu): runs `record` as a dry pass that executes nothing and only notes the kernels
   * it would launch, then builds all their pipelines asynchronously and together, so later calls
   * never block on a compile. `record` must make backend calls only (no host writes or reads).
   */
  compileFor?(record: () => void): Promise<void>;
  /** Views into one tensor (webgpu); absent where tensors cannot share memory. */
  readonly views?: TensorViews;

  // ── elementwise ─────────────────────────────────────────────────────────────────────
  fill(t: Tensor, value: number, length?: number): void;
  /** y += alpha·x over the first `length` elements. */
  axpy(alpha: number, x: Tensor, y: Tensor, length?: number): void;
  scale(t: Tensor, alpha: number, length?: number): void;

  // ── linear algebra ──────────────────────────────────────────────────────────────────
  /** C (m×n) = alpha·op(A)·op(B) + beta·C, with op(A) m×k and op(B) k×n, all row-major. */
  gemm(a: Tensor, b: Tensor, c: Tensor, m: number, n: number, k: number, opts?: GemmOptions): void;
  /** y[r, j] += bias[r] for a rows × cols matrix. */
  addBias(y: Tensor, bias: Tensor, rows: number, cols: number): void;
  /** db[r] = Σ_j dy[r, j] (or += when accumulate). */
  biasGrad(dy: Tensor, db: Tensor, rows: number, cols: number, accumulate?: boolean): void;

  // ── convolution (simpleNN: S = W·φ(pad(Z)); dW = Δ·φᵀ; dZ = vec(WᵀΔ)ᵀ P_φ P_pad) ─────
  /** y (m × N·OH·OW) = W · φ(pad(x)) + bias. The backend picks im2col+GEMM or implicit GEMM. */
  convForward(g: ConvGeometry, x: Tensor, w: Tensor, bias: Tensor | null, y: Tensor): void;
  /** dx (c × N·H·W) = col2im(Wᵀ · dy). Overwrites dx. */
  convBackwardData(g: ConvGeometry, dy: Tensor, w: Tensor, dx: Tensor): void;
  /** dw = dy · φ(pad(x))ᵀ and dbias = row sums of dy. Overwrites both. */
  convBackwardFilter(g: ConvGeometry, x: Tensor, dy: Tensor, dw: Tensor, dbias: Tensor | null): void;

  // ── pooling (max pooling remembers its selection P_pool as argmax input offsets) ─────
  maxPoolForward(g: PoolGeometry, x: Tensor, y: Tensor, argmax: Tensor): void;
  /** Overwrites dx: dx = 0, then dx[argmax[i]] += dy[i]. */
  maxPoolBackward(g: PoolGeometry, dy: Tensor, argmax: Tensor, dx: Tensor): void;
  /** Overwrites y: y[i] = x[argmax[i]], the forward selection replayed (max pooling's Jacobian-vector product). */
  maxPoolGather(g: PoolGeometry, x: Tensor, argmax: Tensor, y: Tensor): void;
  avgPoolForward(g: PoolGeometry, x: Tensor, y: Tensor): void;
  avgPoolBackward(g: PoolGeometry, dy: Tensor, dx: Tensor): void;

  // ── activations; backward uses the forward OUTPUT y (relu: y>0, sigmoid: y(1−y), tanh: 1−y²) ──
  activationForward(kind: Activation, x: Tensor, y: Tensor, length: number): void;
  activationBackward(kind: Activation, y: Tensor, dy: Tensor, dx: Tensor, length: number): void;

  // ── reshapes ────────────────────────────────────────────────────────────────────────
  /** c × (n·hw) feature maps → (c·hw) × n vectors, feature f = c·hw + spatial index. */
  flattenForward(x: Tensor, y: Tensor, c: number, n: number, hw: number): void;
  flattenBackward(dy: Tensor, dx: Tensor, c: number, n: number, hw: number): void;

  // ── regularisation ──────────────────────────────────────────────────────────────────
  /**
   * Inverted dropout. Element i is kept iff dropoutHash(seed, i) >= dropoutThreshold(p)
   * (see random.ts), so both backends drop the same units. mask[i] = kept ? 1/(1−p) : 0.
   */
  dropoutForward(x: Tensor, y: Tensor, mask: Tensor, length: number, p: number, seed: number): void;
  dropoutBackward(dy: Tensor, mask: Tensor, dx: Tensor, length: number): void;
  /** Per-row batch norm of a rows × cols matrix (rows = channels, cols = N·H·W). */
  batchNormForward(x: Tensor, y: Tensor, rows: number, cols: number, t: BatchNormTensors,
    training: boolean, momentum: number, epsilon: number): void;
  /** Overwrites dx, dgamma, dbeta (training-mode statistics saved by the forward call). */
  batchNormBackward(x: Tensor, dy: Tensor, dx: Tensor, rows: number, cols: number, t: BatchNormTensors,
    dgamma: Tensor, dbeta: Tensor): void;

  // ── output layers and losses (classes × n matrices; labels are u32 class indices) ────
  softmaxForward(x: Tensor, y: Tensor, classes: number, n: number): void;
  softmaxBackward(y: Tensor, dy: Tensor, dx: Tensor, classes: number, n: number): void;
  /**
   * Fused softmax + cross-entropy on logits. probs = softmax(logits); if dlogits is given,
   * dlogits = (probs − onehot(labels)) / n. Accumulates loss sum, correct count and n into metrics.
   */
  softmaxCrossEntropy(logits: Tensor, labels: Tensor, probs: Tensor, dlogits: Tensor | null,
    metrics: Tensor, classes: number, n: number): void;
  /**
   * simpleNN's squared loss ξ = Σ_classes (out − onehot)², averaged over n; if dout is given,
   * dout = 2(out − onehot)/n. Accumulates into metrics like softmaxCrossEntropy.
   */
  mseLoss(out: Tensor, labels: Tensor, dout: Tensor | null, metrics: Tensor, classes: number, n: number): void;

  // ── fused forms (optional: engine/layers/fused-ops.ts makes the separate calls where absent) ──
  /** y (m × n) = W·x + bias[row] (W m × k, x k × n), then activation.out = f(y), in one kernel. */
  linearForward?(w: Tensor, x: Tensor, bias: Tensor | null, y: Tensor, m: number, n: number, k: number,
    activation: FusedActivation | null): void;
  /** dw (m × k) = dy·xᵀ (dy m × n, x k × n) and dbias = row sums of dy, in one kernel. Overwrites both. */
  linearBackwardFilter?(dy: Tensor, x: Tensor, dw: Tensor, dbias: Tensor | null, m: number, n: number, k: number): void;
  /**
   * dx (k × n) = Wᵀ·dy (W m × k, dy m × n); with `gate`, dx = (Wᵀ·dy) ⊙ f'(·) from the output
   * gate.out of the activation that produced this layer's input, in one kernel.
   */
  linearBackwardData?(w: Tensor, dy: Tensor, dx: Tensor, m: number, n: number, k: number, gate: FusedActivation | null): void;
  /** convForward, then activation.out = f(y), in one kernel. */
  convForwardActivated?(g: ConvGeometry, x: Tensor, w: Tensor, bias: Tensor | null, y: Tensor, activation: FusedActivation): void;

  // ── optimizers (in place; weightDecay adds wd·w to the gradient first) ────────────────
  /** v = momentum·v − lr·(g + wd·w); w += v. */
  sgdStep(w: Tensor, g: Tensor, v: Tensor, length: number, lr: number, momentum: number, weightDecay: number): void;
  /** Adam with bias correction; t is the 1-based step number. */
  adamStep(w: Tensor, g: Tensor, m: Tensor, v: Tensor, length: number, lr: number,
    beta1: number, beta2: number, epsilon: number, t: number, weightDecay: number): void;
}

/** Output size of a strided window: floor((size + 2·pad − k)/stride) + 1. */
export function outputSize(size: number, k: number, stride: number, pad: number): number {
  return Math.floor((size + 2 * pad - k) / stride) + 1;
}
