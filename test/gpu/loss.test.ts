import { Rng } from '../../src/engine/random';
import { suiteWebGpu } from '../backends';
import { cpuBackend, Twins } from './twins';

function labels(n: number, classes: number, seed: number): Uint32Array {
  const rng = new Rng(seed);
  return Uint32Array.from({ length: n }, () => rng.int(classes));
}

describe('webgpu output layers and losses', () => {
  let t: Twins;
  const gpu = suiteWebGpu();
  beforeEach(() => { t = new Twins(cpuBackend(), gpu()); });
  afterEach(() => t.dispose());

  // n = 300 > one workgroup of 256, so some invocations handle two columns.
  for (const [classes, n] of [[10, 64], [7, 65], [3, 300], [10, 1]] as const) {
    it(`softmax + cross-entropy and MSE accumulate the same metrics: ${classes} classes × ${n}`, async () => {
      const logits = t.random(classes * n, 1, 8), y = t.indices(labels(n, classes, 2));
      const probs = t.zeros(classes * n), dlogits = t.zeros(classes * n), metrics = t.zeros(3);
      const out = t.random(classes * n, 3), dout = t.zeros(classes * n), mseMetrics = t.zeros(3);
      t.run((b, on) => {
        b.softmaxCrossEntropy(on(logits), on(y), on(probs), on(dlogits), on(metrics), classes, n);
        b.softmaxCrossEntropy(on(logits), on(y), on(probs), null, on(metrics), classes, n);  // evaluation: no gradient
        b.mseLoss(on(out), on(y), on(dout), on(mseMetrics), classes, n);
        b.mseLoss(on(out), on(y), null, on(mseMetrics), classes, n);
      });
      await t.expectClose(probs, 'probs', 2e-6);
      await t.expectClose(dlogits, 'dlogits', 2e-6);
      await t.expectClose(metrics, 'cross-entropy metrics', 1e-5);
      await t.expectClose(dout, 'dout');
      await t.expectClose(mseMetrics, 'mse metrics', 1e-5);
    });
  }

  it('standalone softmax forward and backward', async () => {
    const [classes, n] = [9, 70];
    const x = t.random(classes * n, 4, 10), y = t.zeros(classes * n), dy = t.random(classes * n, 5), dx = t.zeros(classes * n);
    t.run((b, on) => {
      b.softmaxForward(on(x), on(y), classes, n);
      b.softmaxBackward(on(y), on(dy), on(dx), classes, n);
    });
    await t.expectClose(y, 'softmax', 2e-6);
    await t.expectClose(dx, 'softmax backward', 1e-5);
  });
});
