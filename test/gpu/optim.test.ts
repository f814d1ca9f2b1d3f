import { suiteWebGpu } from '../backends';
import { cpuBackend, Twins } from './twins';

describe('webgpu optimizers', () => {
  let t: Twins;
  const gpu = suiteWebGpu();
  beforeEach(() => { t = new Twins(cpuBackend(), gpu()); });
  afterEach(() => t.dispose());

  // Five steps recorded without a flush in between, each with its own learning rate: every
  // dispatch must keep its own uniforms until the single submit.
  it('SGD with momentum and weight decay, learning rate changing every step', async () => {
    const n = 1031;
    const w = t.random(n, 1), g = t.random(n, 2), v = t.zeros(n);
    t.run((b, on) => {
      for (let step = 0; step < 5; step++) b.sgdStep(on(w), on(g), on(v), n - 3, 0.1 / (1 + step), 0.9, 5e-4);
    });
    await t.expectClose(w, 'w');
    await t.expectClose(v, 'v');
  });

  it('Adam with bias correction and weight decay over several steps', async () => {
    const n = 517;
    const w = t.random(n, 3), g = t.random(n, 4), m = t.zeros(n), v = t.zeros(n);
    t.run((b, on) => {
      for (let step = 1; step <= 4; step++) {
        b.adamStep(on(w), on(g), on(m), on(v), n, 1e-3 * step, 0.9, 0.999, 1e-8, step, 1e-4);
        b.scale(on(g), -0.5);
      }
    });
    await t.expectClose(w, 'w');
    await t.expectClose(m, 'm');
    await t.expectClose(v, 'v');
  });
});
