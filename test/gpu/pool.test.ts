import * as assert from 'node:assert/strict';
import { outputSize, type PoolGeometry } from '../../src/engine/backend';
import { suiteWebGpu } from '../backends';
import { cpuBackend, Twins } from './twins';

function pool(n: number, c: number, h: number, w: number, k: number, s: number): PoolGeometry {
  return { n, c, h, w, kh: k, kw: k, sh: s, sw: s, oh: outputSize(h, k, s, 0), ow: outputSize(w, k, s, 0) };
}

const SHAPES: [string, PoolGeometry][] = [
  ['2×2 stride 2, even', pool(2, 3, 8, 8, 2, 2)],
  ['3×3 stride 2, overlapping windows, odd size', pool(3, 2, 7, 9, 3, 2)],
  ['2×2 stride 3, uncovered rows and columns', pool(1, 2, 8, 7, 2, 3)],
  ['batch 65', pool(65, 1, 4, 4, 2, 2)],
];

describe('webgpu pooling', () => {
  let t: Twins;
  const gpu = suiteWebGpu();
  beforeEach(() => { t = new Twins(cpuBackend(), gpu()); });
  afterEach(() => t.dispose());

  for (const [label, g] of SHAPES) {
    it(`max and average pooling, forward and backward: ${label}`, async () => {
      const inputs = g.c * g.n * g.h * g.w, outputs = g.c * g.n * g.oh * g.ow;
      // Values on a coarse grid so windows contain ties: the first maximum must win on both.
      const grid = Float32Array.from({ length: inputs }, (_, i) => ((i * 7919) % 5) - 2);
      const x = t.values(grid), dy = t.random(outputs, 2);
      const y = t.zeros(outputs), argmax = t.indices(new Uint32Array(outputs)), dx = t.random(inputs, 3);
      const ya = t.zeros(outputs), dxa = t.random(inputs, 4);
      t.run((b, on) => {
        b.maxPoolForward(g, on(x), on(y), on(argmax));
        b.maxPoolBackward(g, on(dy), on(argmax), on(dx));
        b.avgPoolForward(g, on(x), on(ya));
        b.avgPoolBackward(g, on(dy), on(dxa));
      });
      await t.expectEqualIndices(argmax, 'argmax');
      await t.expectClose(y, 'max y');
      await t.expectClose(dx, 'max dx');
      await t.expectClose(ya, 'avg y');
      await t.expectClose(dxa, 'avg dx');
    });
  }

  for (const [label, g] of SHAPES) {
    it(`max pooling's gather replays the forward selection on any tensor: ${label}`, async () => {
      const inputs = g.c * g.n * g.h * g.w, outputs = g.c * g.n * g.oh * g.ow;
      const x = t.random(inputs, 8), v = t.random(inputs, 9);
      const y = t.zeros(outputs), argmax = t.indices(new Uint32Array(outputs)), gathered = t.zeros(outputs), tangent = t.zeros(outputs);
      t.run((b, on) => {
        b.maxPoolForward(g, on(x), on(y), on(argmax));
        b.maxPoolGather(g, on(x), on(argmax), on(gathered));
        b.maxPoolGather(g, on(v), on(argmax), on(tangent));
      });
      await t.expectClose(tangent, 'gathered tangent');
      await t.expectClose(gathered, 'gathered x');
      const [max, again] = await Promise.all([t.gpu.read(y.gpu), t.gpu.read(gathered.gpu)]);
      assert.deepEqual(Array.from(again), Array.from(max), 'gathering x at the argmax gives the max');
    });
  }

  it('max pooling of random data on a partial batch', async () => {
    const full = pool(6, 2, 6, 6, 2, 2), g = { ...full, n: 4 };
    const x = t.random(full.c * full.n * 36, 5), dy = t.random(full.c * full.n * 9, 6);
    const y = t.zeros(dy.length), argmax = t.indices(new Uint32Array(dy.length)), dx = t.zeros(x.length);
    t.run((b, on) => {
      b.maxPoolForward(g, on(x), on(y), on(argmax));
      b.maxPoolBackward(g, on(dy), on(argmax), on(dx));
    });
    await t.expectEqualIndices(argmax, 'argmax');
    await t.expectClose(y, 'y');
    await t.expectClose(dx, 'dx');
  });
});
