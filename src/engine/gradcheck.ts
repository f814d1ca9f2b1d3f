// Gradient check: every parameter tensor's analytic gradient (backward pass) against central finite
// differences of the loss, (ξ(θ + ε·e_i) − ξ(θ − ε·e_i)) / 2ε, on a small seeded batch.
//
// Error per element: |a − n| / max(|a| + |n|, floor). The floor keeps elements whose true gradient is
// ~0 (dead relu units, unused pixels) from turning rounding noise into a "100 % error"; it sits well
// above the noise of the loss divided by 2ε and well below the gradients that matter.
//
// Tolerances (defaults, chosen by precision, which is detected from what the backend's read returns):
//   f64 storage (CpuBackend precision 'f64'): ε = 1e-6, floor 1e-4, pass if max error ≤ 1e-5.
//     Measured on LeNet-5 and smaller conv/bn/mlp models: 1e-8 … 3e-6.
//   f32 storage (CpuBackend 'f32', WebGPU):   ε = 1e-3, floor 3e-3, pass if max error ≤ 0.2.
//     Activations rounded to f32 make the loss a staircase at ~1e-7 relative, so ε cannot be small;
//     at ε = 1e-3 a conv weight moves thousands of relu pre-activations and some cross zero, which
//     bends the difference quotient by up to ~0.13 on LeNet-5. A wrong gradient is off by O(1).
// The loss for the differences is recomputed on the host in f64 from the network output, so the f32
// metrics sum does not quantise it.
// Kinks: relu and max-pool make the loss piecewise smooth. When a kink lies inside [θ − ε, θ + ε] the
// central difference is meaningless; that shows as disagreeing one-sided differences
// (ξ(θ+ε) − ξ(θ))/ε and (ξ(θ) − ξ(θ−ε))/ε. Such elements are skipped and counted; the decision uses
// only the numeric values, so it cannot hide a wrong analytic gradient. A tensor passes if its worst
// compared element is within tolerance and at most half of its checked elements were skipped.
// With f64 and ε = 1e-6 kinks are rare; with f32 (larger ε, conv + relu) a few percent are typical.
// Dropout uses one fixed seed for every evaluation, so the mask is the same function of θ throughout.
//
// Reference comparison (option `reference`, used for f32 backends such as WebGPU): the f32 finite
// differences above can only catch gross errors (tolerance 0.2), so the backend's analytic gradients
// are also compared, whole tensor, with those of a trusted backend (the f64 CPU, itself verified by
// finite differences) on the same weights, inputs and labels. Error = max|g − g_ref| / max|g_ref|, the
// scale floored at 1e-3 of the largest reference gradient in the model (a bias before batch norm has a
// true gradient of 0, where f32 leaves ~1e-9 of noise);
// pass if ≤ 1e-3 (measured on LeNet-5, WebGPU f32 vs CPU f64: ≤ 6e-7; deeper models accumulate more).

import type { Backend, Tensor } from './backend';
import type { ModelSpec } from '../lang/spec';
import { Network } from './network';
import type { Pass } from './layers/layer';
import type { LossHeadKind } from './layers/loss';
import { Rng } from './random';

export interface GradCheckOptions {
  /** Examples in the batch (default 4). */
  readonly batch?: number;
  /** Seed of the weights, inputs, labels, dropout and element sample (default the spec's train seed). */
  readonly seed?: number;
  /** Finite-difference step (default by precision, see above). */
  readonly epsilon?: number;
  /** Largest acceptable error (default by precision). */
  readonly tolerance?: number;
  /** Denominator floor of the relative error (default by precision). */
  readonly floor?: number;
  /** Elements checked in a tensor larger than this; smaller tensors are checked whole (default 40, at least 30). */
  readonly sample?: number;
  /** Classes of the random labels (default: the model's output size). */
  readonly classes?: number;
  /** A trusted backend (e.g. CpuBackend f64) whose analytic gradients every tensor is also compared with. */
  readonly reference?: Backend;
  /** Largest acceptable reference error (default 1e-3). */
  readonly referenceTolerance?: number;
}

export interface TensorCheck {
  readonly name: string;
  readonly shape: readonly number[];
  /** Elements picked, of `total`. */
  readonly checked: number;
  /** Picked elements skipped because a relu/max-pool kink lay within ±ε. */
  readonly skipped: number;
  readonly total: number;
  readonly maxRelativeError: number;
  /** The element with the largest error, with both gradients there. */
  readonly worst: { readonly index: number; readonly analytic: number; readonly numeric: number };
  /** With a reference backend: max|g − g_ref| / max|g_ref| over the whole tensor. */
  readonly referenceError?: number;
  readonly passed: boolean;
}

export interface GradCheckResult {
  readonly backend: string;
  readonly precision: 'f32' | 'f64';
  readonly epsilon: number;
  readonly tolerance: number;
  readonly floor: number;
  readonly batch: number;
  /** Loss at the unperturbed weights. */
  readonly loss: number;
  readonly tensors: readonly TensorCheck[];
  /** The reference backend's description and tolerance, when one was given. */
  readonly reference?: { readonly backend: string; readonly tolerance: number };
  readonly passed: boolean;
}

const REFERENCE_TOLERANCE = 1e-3;

const DEFAULTS = {
  f64: { epsilon: 1e-6, tolerance: 1e-5, floor: 1e-4 },
  f32: { epsilon: 1e-3, tolerance: 0.2, floor: 3e-3 },
} as const;

/** One-sided differences further apart than this fraction of their size mean a kink inside ±ε. */
const KINK_RATIO = 0.25;

/** Checks the gradients of a fresh network built from `spec` on `backend`. */
export async function gradientCheck(backend: Backend, spec: ModelSpec, options: GradCheckOptions = {}): Promise<GradCheckResult> {
  const batch = options.batch ?? 4;
  const seed = options.seed ?? spec.train.seed;
  const sample = Math.max(30, options.sample ?? 40);
  const net = new Network(backend, spec, { maxBatch: batch, seed });
  const metrics = backend.zeros(3);
  try {
    const precision = await storagePrecision(backend, metrics);
    const epsilon = options.epsilon ?? DEFAULTS[precision].epsilon;
    const tolerance = options.tolerance ?? DEFAULTS[precision].tolerance;
    const floor = options.floor ?? DEFAULTS[precision].floor;

    const rng = new Rng(seed ^ 0x5eed);
    const [c, h, w] = net.inputShape;
    backend.write(net.input, Float64Array.from({ length: c * h * w * batch }, () => rng.next()));
    const classes = options.classes ?? net.classes;
    const labels = Uint32Array.from({ length: batch }, () => rng.int(classes));
    backend.write(net.labels, labels);
    const pass: Pass = { n: batch, training: true, seed };

    // The loss is recomputed on the host in f64 from the network's output (probabilities or mse
    // outputs): an f32 metrics sum would quantise it at ~1e-6 and swamp the finite differences.
    const lossAt = async (): Promise<number> => {
      backend.fill(metrics, 0);
      net.forward(pass);
      net.computeLoss(batch, metrics, false);
      return hostLoss(net.loss.kind, await backend.read(net.output()), labels, net.classes, batch);
    };

    backend.fill(metrics, 0);
    net.forward(pass);
    net.computeLoss(batch, metrics, true);
    net.backward(pass);
    const loss = hostLoss(net.loss.kind, await backend.read(net.output()), labels, net.classes, batch);
    const referenceGrads = options.reference
      ? await referenceGradients(options.reference, spec, net, await backend.read(net.input), labels, pass)
      : null;
    const referenceTolerance = options.referenceTolerance ?? REFERENCE_TOLERANCE;
    const referenceFloor = referenceGrads ? 1e-3 * Math.max(...[...referenceGrads.values()].map(maxAbs)) : 0;

    const tensors: TensorCheck[] = [];
    for (const param of net.parameters) {
      const analytic = await backend.read(param.grad);
      const referenceError = referenceGrads ? normRelativeError(analytic, referenceGrads.get(param.name)!, referenceFloor) : undefined;
      const values = await backend.read(param.value);
      const indices = pickElements(param.length, sample, rng);
      let worst = { index: indices[0], analytic: 0, numeric: 0 }, maxRelativeError = 0, skipped = 0;
      for (const i of indices) {
        const d = await differences(backend, param.value, i, values[i], epsilon, loss, lossAt);
        if (Math.abs(d.forward - d.backward) > KINK_RATIO * Math.max(Math.abs(d.forward) + Math.abs(d.backward), floor)) {
          skipped++;
          continue;
        }
        const numeric = d.central;
        const error = Math.abs(analytic[i] - numeric) / Math.max(Math.abs(analytic[i]) + Math.abs(numeric), floor);
        if (error >= maxRelativeError) { maxRelativeError = error; worst = { index: i, analytic: analytic[i], numeric }; }
      }
      tensors.push({
        name: param.name, shape: param.shape, checked: indices.length, total: param.length,
        skipped, maxRelativeError, worst, ...(referenceError !== undefined ? { referenceError } : {}),
        passed: maxRelativeError <= tolerance && skipped * 2 <= indices.length
          && (referenceError === undefined || referenceError <= referenceTolerance),
      });
    }
    return {
      backend: backend.description, precision, epsilon, tolerance, floor, batch, loss, tensors,
      ...(options.reference ? { reference: { backend: options.reference.description, tolerance: referenceTolerance } } : {}),
      passed: tensors.every((t) => t.passed),
    };
  } finally {
    backend.dispose(metrics);
    net.dispose();
  }
}

/** Analytic gradients on `reference` for the same weights (as stored by `net`), inputs and labels. */
async function referenceGradients(reference: Backend, spec: ModelSpec, net: Network, input: ArrayLike<number>,
  labels: Uint32Array, pass: Pass): Promise<Map<string, Float64Array>> {
  const ref = new Network(reference, spec, { maxBatch: pass.n, seed: pass.seed });
  const metrics = reference.zeros(3);
  try {
    ref.writeState(await net.readState());
    reference.write(ref.input, input);
    reference.write(ref.labels, labels);
    ref.forward(pass);
    ref.computeLoss(pass.n, metrics, true);
    ref.backward(pass);
    const grads = new Map<string, Float64Array>();
    for (const p of ref.parameters) grads.set(p.name, Float64Array.from(await reference.read(p.grad)));
    return grads;
  } finally {
    reference.dispose(metrics);
    ref.dispose();
  }
}

/** max|a − b| / max(max|b|, floor) (0 when both are all zeros). */
function normRelativeError(a: ArrayLike<number>, b: ArrayLike<number>, floor: number): number {
  let diff = 0;
  for (let i = 0; i < b.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
  const scale = Math.max(maxAbs(b), floor);
  return scale === 0 ? (diff === 0 ? 0 : Infinity) : diff / scale;
}

function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

/** Mean loss over the batch from classes × n outputs: cross-entropy of probabilities, or squared error. */
function hostLoss(kind: LossHeadKind, out: ArrayLike<number>, labels: Uint32Array, classes: number, n: number): number {
  let sum = 0;
  for (let b = 0; b < n; b++) {
    if (kind === 'mse') {
      for (let f = 0; f < classes; f++) sum += (out[f * n + b] - (f === labels[b] ? 1 : 0)) ** 2;
    } else {
      sum -= Math.log(out[labels[b] * n + b]);
    }
  }
  return sum / n;
}

/** Central and one-sided differences of the loss in element i of t (restored afterwards). */
async function differences(backend: Backend, t: Tensor, i: number, value: number, epsilon: number, base: number,
  lossAt: () => Promise<number>): Promise<{ central: number; forward: number; backward: number }> {
  backend.write(t, [value + epsilon], i);
  const plus = await lossAt();
  backend.write(t, [value - epsilon], i);
  const minus = await lossAt();
  backend.write(t, [value], i);
  return { central: (plus - minus) / (2 * epsilon), forward: (plus - base) / epsilon, backward: (base - minus) / epsilon };
}

/** All elements of a small tensor, else `count` distinct seeded picks (sorted). */
function pickElements(length: number, count: number, rng: Rng): number[] {
  if (length <= count) return Array.from({ length }, (_, i) => i);
  const picked = new Set<number>();
  while (picked.size < count) picked.add(rng.int(length));
  return [...picked].sort((a, b) => a - b);
}

/** 'f64' when the backend stores doubles (its reads return Float64Array). */
async function storagePrecision(backend: Backend, probe: Tensor): Promise<'f32' | 'f64'> {
  return (await backend.read(probe)) instanceof Float64Array ? 'f64' : 'f32';
}
