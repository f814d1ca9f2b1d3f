// The CPU backend's kernel threads (worker_threads over a shared wasm memory): every op that splits
// gives the single-thread result — bit for bit where the split keeps each element's sum order (GEMM,
// convolution forward and filter gradient), within f32 tolerance and repeatably where it does not
// (the data gradient, split by images) — training is repeatable bit for bit at a thread count, and
// destroying the backend ends the threads (mocha exits: the threads never keep the process alive).

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { outputSize, type ConvGeometry, type PoolGeometry, type Tensor } from '../../../src/engine/backend';
import { CpuBackend } from '../../../src/engine/cpu/backend';
import { nodeThreadSpawner } from '../../../src/engine/cpu/node-threads';
import { instantiateKernels, kernelModules, sharedMemorySupported } from '../../../src/engine/cpu/wasm/modules';
import { WasmHeap } from '../../../src/engine/cpu/wasm/heap';
import { partition } from '../../../src/engine/cpu/wasm/split';
import { KernelThreadPool } from '../../../src/engine/cpu/wasm/thread-pool';
import type { Dataset } from '../../../src/engine/data/dataset';
import { Rng } from '../../../src/engine/random';
import { Trainer } from '../../../src/engine/train';
import { analyze } from '../../../src/lang';
import { assertClose, randomArray } from './helpers';

const ROOT = join(__dirname, '..', '..', '..', '..');

function upload(be: CpuBackend, data: ArrayLike<number>): Tensor {
  const t = be.zeros(data.length);
  be.write(t, data);
  return t;
}

function conv(n: number, c: number, h: number, w: number, m: number, k: number, pad: number, stride = 1): ConvGeometry {
  return { n, c, h, w, m, kh: k, kw: k, sh: stride, sw: stride, ph: pad, pw: pad, oh: outputSize(h, k, stride, pad), ow: outputSize(w, k, stride, pad) };
}

const threaded = (threads: number) => new CpuBackend({ threads, threadSpawner: nodeThreadSpawner });

/** Set in a child Node that runs this bundle as a script: use 2 threads, then end with or without destroy(). */
const CHILD = 'CONVLAB_THREADS_CHILD';

if (process.env[CHILD]) {
  const be = threaded(2), m = 128, c = be.zeros(m * m), a = be.zeros(m * m);
  be.fill(a, 1);
  be.gemm(a, a, c, m, m, m);
  void be.read(c).then((out) => {
    process.stdout.write(`c[0] = ${out[0]}\n`);
    if (process.env[CHILD] === 'destroy') be.destroy();
  });
}

if (!process.env[CHILD]) describe('CpuBackend kernel threads', function () {
  this.timeout(60_000);
  const one = new CpuBackend();
  const backends = [2, 3].map(threaded);
  after(() => { one.destroy(); backends.forEach((b) => b.destroy()); });

  it('runs the threads it was asked for, and says so', () => {
    assert.equal(one.threads, 1);
    assert.deepEqual(backends.map((b) => b.threads), [2, 3]);
    assert.match(backends[0].description, /2 threads/);
  });

  it('refuses threads without a spawner, and bad counts', () => {
    assert.throws(() => new CpuBackend({ threads: 2 }), /needs a threadSpawner/);
    assert.throws(() => new CpuBackend({ threads: 0, threadSpawner: nodeThreadSpawner }), /positive integer/);
  });

  it('builds every module for a shared memory too, which refuses an unshared one', () => {
    assert.equal(sharedMemorySupported(), true, 'Node always shares wasm memories');
    const shared = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true }), own = new WebAssembly.Memory({ initial: 1 });
    assert.equal(typeof instantiateKernels(shared, 'plain').pack_a, 'function');
    assert.equal(typeof instantiateKernels(own, 'plain').pack_a, 'function');
    for (const module of kernelModules('plain', true)) {
      assert.throws(() => new WebAssembly.Instance(module, { env: { memory: own } }), WebAssembly.LinkError);
    }
  });

  it('partitions on multiples of the strip width, every part non-empty', () => {
    assert.deepEqual(partition(100, 2, 8), [0, 56, 100]);
    assert.deepEqual(partition(6, 4, 4), [0, 4, 6]);
    assert.deepEqual(partition(5, 8, 1), [0, 1, 2, 3, 4, 5]);
  });

  // Column panels (n ≥ m), row panels (m > n, with transposes), shapes with partial tiles and two k blocks.
  const gemms: [number, number, number, boolean, boolean][] = [
    [120, 64, 400, false, false], [16, 150, 6400, false, true], [400, 64, 120, true, false], [37, 301, 259, true, true],
  ];
  for (const [m, n, k, transA, transB] of gemms) {
    it(`gemm ${m}×${n}×${k} transA=${transA} transB=${transB}: bit-identical to one thread`, async () => {
      const a = randomArray(m * k, 1), b = randomArray(k * n, 2), c0 = randomArray(m * n, 3);
      const results: Float32Array[] = [];
      for (const be of [one, ...backends]) {
        const c = upload(be, c0);
        be.gemm(upload(be, a), upload(be, b), c, m, n, k, { transA, transB, alpha: 0.5, beta: -1 });
        results.push(await be.read(c) as Float32Array);
      }
      for (const r of results.slice(1)) assert.deepEqual(r, results[0]);
    });
  }

  const convs: [string, ConvGeometry][] = [
    ['LeNet-5 C1, batch 64 (direct filter gradient)', conv(64, 1, 28, 28, 6, 5, 2)],
    ['LeNet-5 C3, batch 64 (GEMM filter gradient)', conv(64, 6, 14, 14, 16, 5, 0)],
    ['CIFAR-style 3→32, 32×32, pad 1, batch 9 (odd images per thread)', conv(9, 3, 32, 32, 32, 3, 1)],
    ['stride 2, 24 filters, batch 5', conv(5, 8, 17, 17, 24, 3, 1, 2)],
  ];
  for (const [name, g] of convs) {
    it(`convolution ${name}: forward and filter gradient bit-identical, data gradient close and repeatable`, async () => {
      const x = randomArray(g.c * g.n * g.h * g.w, 11), w = randomArray(g.m * g.c * g.kh * g.kw, 12);
      const bias = randomArray(g.m, 13), dy = randomArray(g.m * g.n * g.oh * g.ow, 14);
      const run = async (be: CpuBackend) => {
        const y = be.zeros(dy.length), dx = be.zeros(x.length), dw = be.zeros(w.length), db = be.zeros(g.m);
        const xt = upload(be, x), wt = upload(be, w), dyt = upload(be, dy);
        be.convForward(g, xt, wt, upload(be, bias), y);
        be.convBackwardData(g, dyt, wt, dx);
        be.convBackwardFilter(g, xt, dyt, dw, db);
        return { y: await be.read(y), dx: await be.read(dx), dw: await be.read(dw), db: await be.read(db) };
      };
      const ref = await run(one);
      for (const be of backends) {
        const got = await run(be), again = await run(be);
        assert.deepEqual(got.y, ref.y, `y on ${be.threads} threads`);
        assert.deepEqual(got.dw, ref.dw, `dw on ${be.threads} threads`);
        assert.deepEqual(got.db, ref.db, `dbias on ${be.threads} threads`);
        assertClose(got.dx, ref.dx, `dx on ${be.threads} threads`, 2e-6 * g.m * g.kh * g.kw, 1e-5);
        assert.deepEqual(again.dx, got.dx, `dx repeats on ${be.threads} threads`);
      }
    });
  }

  it('relu and its gradient, split into ranges: bit-identical to one thread', async () => {
    const length = 6 * 64 * 28 * 28 + 3;  // past the split threshold, not a multiple of the vector width
    const x = randomArray(length, 31), dy = randomArray(length, 32);
    const run = async (be: CpuBackend) => {
      const y = be.zeros(length), dx = be.zeros(length);
      be.activationForward('relu', upload(be, x), y, length);
      be.activationBackward('relu', y, upload(be, dy), dx, length);
      return { y: await be.read(y), dx: await be.read(dx) };
    };
    const ref = await run(one);
    for (const be of backends) assert.deepEqual(await run(be), ref, `on ${be.threads} threads`);
  });

  const pools: [string, PoolGeometry][] = [
    ['2×2 / 2 on LeNet-5 C1 at batch 64', { c: 6, n: 64, h: 28, w: 28, kh: 2, kw: 2, sh: 2, sw: 2, oh: 14, ow: 14 }],
    ['3×3 / 2 on odd planes', { c: 7, n: 13, h: 33, w: 31, kh: 3, kw: 3, sh: 2, sw: 2, oh: 16, ow: 15 }],
  ];
  for (const [name, g] of pools) {
    it(`max pooling ${name}, split by planes: forward, selection and gradient bit-identical to one thread`, async () => {
      const x = randomArray(g.c * g.n * g.h * g.w, 41), dy = randomArray(g.c * g.n * g.oh * g.ow, 42);
      const run = async (be: CpuBackend) => {
        const y = be.zeros(dy.length), arg = be.indices(dy.length), dx = be.zeros(x.length);
        be.fill(dx, 7);  // the backward pass must overwrite every element
        be.maxPoolForward(g, upload(be, x), y, arg);
        be.maxPoolBackward(g, upload(be, dy), arg, dx);
        return { y: await be.read(y), arg: await be.readIndices(arg), dx: await be.read(dx) };
      };
      const ref = await run(one);
      for (const be of backends) assert.deepEqual(await run(be), ref, `on ${be.threads} threads`);
    });
  }

  it('conv + relu and dense + bias + relu in one call: bit-identical to one thread', async () => {
    const g = conv(64, 6, 14, 14, 16, 5, 0), outputs = g.m * g.n * g.oh * g.ow;
    const x = randomArray(g.c * g.n * g.h * g.w, 51), w = randomArray(g.m * g.c * g.kh * g.kw, 52), bias = randomArray(g.m, 53);
    const [m, n, k] = [120, 256, 400];
    const dw = randomArray(m * k, 54), dx = randomArray(k * n, 55), db = randomArray(m, 56);
    const run = async (be: CpuBackend) => {
      const y = be.zeros(outputs), out = be.zeros(outputs), z = be.zeros(m * n), zOut = be.zeros(m * n);
      be.convForwardActivated(g, upload(be, x), upload(be, w), upload(be, bias), y, { kind: 'relu', out });
      be.linearForward(upload(be, dw), upload(be, dx), upload(be, db), z, m, n, k, { kind: 'relu', out: zOut });
      return { y: await be.read(y), out: await be.read(out), z: await be.read(z), zOut: await be.read(zOut) };
    };
    const ref = await run(one);
    for (const be of backends) assert.deepEqual(await run(be), ref, `on ${be.threads} threads`);
  });

  it('keeps working after the heap grows while the threads exist', async () => {
    const be = backends[0], g = conv(64, 6, 14, 14, 16, 5, 0);
    const big = be.zeros(8 << 20);  // 32 MiB: grows the shared memory
    const x = randomArray(g.c * g.n * g.h * g.w, 21), w = randomArray(g.m * g.c * g.kh * g.kw, 22);
    const outs: Float32Array[] = [];
    for (const b of [one, be]) {
      const y = b.zeros(g.m * g.n * g.oh * g.ow);
      b.convForward(g, upload(b, x), upload(b, w), null, y);
      outs.push(await b.read(y) as Float32Array);
    }
    be.dispose(big);
    assert.deepEqual(outs[1], outs[0]);
  });

  for (const ending of ['destroy', 'exit without destroy']) {
    it(`lets a process end on its own after using the threads (${ending})`, () => {
      const child = spawnSync(process.execPath, [__filename], { env: { ...process.env, [CHILD]: ending === 'destroy' ? 'destroy' : 'keep' }, encoding: 'utf8', timeout: 30_000 });
      assert.equal(child.signal, null, `the child hung (killed by ${child.signal}): ${child.stderr}`);
      assert.equal(child.status, 0, child.stderr);
      assert.equal(child.stdout, 'c[0] = 128\n');
    });
  }

  it('fails an op whose slice traps, naming the op and the slice, and keeps running the next', () => {
    const heap = new WasmHeap(undefined, true), pool = new KernelThreadPool(heap, 'plain', 2, nodeThreadSpawner);
    try {
      const outside = heap.memory.buffer.byteLength + 4096;
      assert.throws(() => pool.run('reluForward', [(x) => x.zero(16, 16), (x) => x.relu_forward(outside, 16, 4)]),
        /reluForward: slice 1 of 2 failed/);
      const block = heap.alloc(64);
      new Float32Array(heap.memory.buffer, block, 16).fill(7);
      pool.run('zero', [(x) => x.zero(block, 32), (x) => x.zero(block + 32, 32)]);
      assert.deepEqual([...new Float32Array(heap.memory.buffer, block, 16)], new Array(16).fill(0));
    } finally {
      pool.close();
    }
  });

  it('fails clearly once destroyed', () => {
    const be = threaded(2);
    const a = be.zeros(4);
    be.destroy();
    assert.throws(() => be.gemm(a, a, a, 2, 2, 1), /destroyed/);
  });
});

/** MNIST-shaped noise with labels: enough to take real LeNet-5 training steps. */
function noiseDataset(count: number): Dataset {
  const rng = new Rng(5);
  const split = (n: number) => ({
    count: n, images: Uint8Array.from({ length: n * 784 }, () => rng.int(256)), labels: Uint8Array.from({ length: n }, () => rng.int(10)),
  });
  return { name: 'noise', shape: [1, 28, 28], classes: 10, train: split(count), test: split(16) };
}

if (!process.env[CHILD]) describe('LeNet-5 training on 2 kernel threads', function () {
  this.timeout(120_000);

  async function trainedWeights(threads: number): Promise<Map<string, Float32Array>> {
    const { spec } = analyze(readFileSync(join(ROOT, 'examples', 'lenet5.cnn'), 'utf8'));
    const backend = threads === 1 ? new CpuBackend() : threaded(threads);
    try {
      const trainer = new Trainer({ spec, dataset: noiseDataset(192), backend, settings: { epochs: 1, batch: 64 }, evaluateEachEpoch: false });
      await trainer.run();
      return await trainer.network.readState();
    } finally {
      backend.destroy();
    }
  }

  it('gives identical weights on two runs, close to one thread', async () => {
    const [first, second, single] = [await trainedWeights(2), await trainedWeights(2), await trainedWeights(1)];
    assert.deepEqual([...first.keys()], [...single.keys()]);
    for (const [name, w] of first) {
      assert.deepEqual(second.get(name), w, `${name} differs between two 2-thread runs`);
      assertClose(w, single.get(name)!, `${name} vs one thread`, 1e-4, 1e-3);
    }
  });
});
