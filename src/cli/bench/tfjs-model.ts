// A workload's model written with TensorFlow.js ops (NHWC, as tfjs prefers), trained with
// tf.train.momentum and softmax cross-entropy: the same layers, batch and optimizer as ConvLab's.

import type * as Tfjs from '@tensorflow/tfjs-core';
import type { Dataset } from '../../engine';
import { inferenceInput, type ContestantRun } from './contestant';
import { roundsPerSecond } from './measure';
import { batchOf, type PeerWorkload, type RoundPlan } from './workloads';

export type Tf = typeof Tfjs;

interface Built {
  readonly forward: (x: Tfjs.Tensor4D) => Tfjs.Tensor2D;
  readonly variables: readonly Tfjs.Variable[];
}

/** Variables initialised uniformly in ±√(6 / (fan-in + fan-out)) (Glorot), biases zero. */
function build(tf: Tf, w: PeerWorkload): Built {
  const variables: Tfjs.Variable[] = [];
  const glorot = (shape: number[], fanIn: number, fanOut: number) => {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const v = tf.variable(tf.randomUniform(shape, -limit, limit, 'float32', variables.length + 1));
    variables.push(v);
    return v;
  };
  const zeros = (n: number) => { const v = tf.variable(tf.zeros([n])); variables.push(v); return v; };
  const steps: ((x: Tfjs.Tensor) => Tfjs.Tensor)[] = [];
  let [c, h, width] = w.shape;
  let features = 0;
  for (const l of w.layers) {
    if (l.kind === 'conv') {
      const filter = glorot([l.kernel, l.kernel, c, l.filters], c * l.kernel ** 2, l.filters * l.kernel ** 2) as Tfjs.Variable<Tfjs.Rank.R4>;
      const bias = zeros(l.filters);
      steps.push((x) => tf.add(tf.conv2d(x as Tfjs.Tensor4D, filter, 1, l.pad), bias));
      if (l.pad === 'valid') { h -= l.kernel - 1; width -= l.kernel - 1; }
      c = l.filters;
    } else if (l.kind === 'relu') steps.push((x) => tf.relu(x));
    else if (l.kind === 'maxpool') {
      steps.push((x) => tf.maxPool(x as Tfjs.Tensor4D, l.size, l.size, 'valid'));
      h = Math.floor(h / l.size); width = Math.floor(width / l.size);
    } else if (l.kind === 'flatten') {
      const flat = c * h * width;
      features = flat;
      steps.push((x) => tf.reshape(x, [x.shape[0], flat]));
    } else if (l.kind === 'dense') {
      const weight = glorot([features, l.units], features, l.units) as Tfjs.Variable<Tfjs.Rank.R2>;
      const bias = zeros(l.units);
      steps.push((x) => tf.add(tf.matMul(x as Tfjs.Tensor2D, weight), bias));
      features = l.units;
    }
  }
  return { forward: (x) => steps.reduce<Tfjs.Tensor>((t, s) => s(t), x) as Tfjs.Tensor2D, variables };
}

/** NCHW → NHWC. */
function toNhwc(x: Float32Array, n: number, [c, h, w]: readonly [number, number, number]): Float32Array {
  const out = new Float32Array(x.length), hw = h * w;
  for (let b = 0; b < n; b++) for (let ch = 0; ch < c; ch++) for (let p = 0; p < hw; p++) out[(b * hw + p) * c + ch] = x[(b * c + ch) * hw + p];
  return out;
}

/** Trains and times the workload on tf's current backend. */
export async function measureTfjs(tf: Tf, w: PeerWorkload, data: Dataset, plan: RoundPlan): Promise<Omit<ContestantRun, 'measurements'> & { train: number[]; infer: number[] }> {
  const model = build(tf, w);
  const optimizer = tf.train.momentum(w.lr, w.momentum);
  const [c, h, wd] = w.shape;
  const batches = Array.from({ length: plan.steps }, (_, b) => {
    const { images, labels } = batchOf(data, w.batch, b);
    return { images: toNhwc(images, w.batch, w.shape), labels: Int32Array.from(labels) };
  });
  const roundLosses: number[] = [];
  const train = await roundsPerSecond(async () => {
    const losses: Tfjs.Scalar[] = [];
    for (const batch of batches) {
      // Uploading each batch is part of a step, as it is for ConvLab's Trainer.
      const loss = tf.tidy(() => {
        const x = tf.tensor4d(batch.images, [w.batch, h, wd, c]);
        const y = tf.oneHot(tf.tensor1d(batch.labels, 'int32'), w.classes);
        return optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.forward(x)), true, model.variables as Tfjs.Variable[])!;
      });
      losses.push(loss);
    }
    // One readback per round, not per step (ConvLab reads its metrics back every 10 steps).
    const total = tf.addN(losses);
    const sum = (await total.data())[0];
    tf.dispose([...losses, total]);
    roundLosses.push(sum / batches.length);
  }, w.batch * plan.steps, plan.warmup, plan.reps);
  const input = tf.tensor4d(toNhwc(inferenceInput(w), w.inferBatch, w.shape), [w.inferBatch, h, wd, c]);
  const infer = await roundsPerSecond(async () => {
    const probs = tf.tidy(() => tf.softmax(model.forward(input)));
    await probs.data();
    probs.dispose();
  }, w.inferBatch, plan.warmup, plan.reps);
  input.dispose();
  optimizer.dispose();
  model.variables.forEach((v) => v.dispose());
  const timed = roundLosses.slice(plan.warmup);
  return { train, infer, loss: { first: timed[0], last: timed[timed.length - 1] } };
}
