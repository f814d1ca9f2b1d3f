// The direct forward convolution (conv-direct.wat) for layers with few taps: the same bits as the
// implicit-im2col GEMM it replaces, on both SIMD flavours the runtime runs, with and without bias
// and relu, at widths that need the overlapping last block, and filter counts that leave a
// partial group of 4.

import * as assert from 'node:assert/strict';
import { outputSize, type ConvGeometry } from '../../../src/engine/backend';
import { convForward, directForward, planDirectForward, runDirectForward } from '../../../src/engine/cpu/wasm/conv';
import { WasmHeap } from '../../../src/engine/cpu/wasm/heap';
import { bestSimdLevel, instantiateKernels, type SimdLevel } from '../../../src/engine/cpu/wasm/modules';
import { Scratch } from '../../../src/engine/cpu/wasm/scratch';
import { randomArray } from './helpers';

function conv(n: number, c: number, h: number, w: number, m: number, k: number, pad: number, stride = 1): ConvGeometry {
  return { n, c, h, w, m, kh: k, kw: k, sh: stride, sw: stride, ph: pad, pw: pad, oh: outputSize(h, k, stride, pad), ow: outputSize(w, k, stride, pad) };
}

const levels: SimdLevel[] = bestSimdLevel() === 'relaxed' ? ['plain', 'relaxed'] : ['plain'];

describe('CpuBackend wasm direct forward convolution', () => {
  it('is chosen for stride 1, one k block of taps, and rows of 8 or more that its blocks cover with little waste', () => {
    assert.equal(directForward(conv(8, 1, 28, 28, 6, 5, 2)), true, 'LeNet-5 C1');
    assert.equal(directForward(conv(8, 3, 32, 32, 32, 3, 1)), true, 'a CIFAR first layer');
    assert.equal(directForward(conv(8, 16, 16, 16, 64, 3, 1)), true, '144 taps, rows of 16');
    assert.equal(directForward(conv(8, 6, 14, 14, 16, 5, 0)), false, 'LeNet-5 C3: rows of 10, 6 of 16 outputs recomputed');
    assert.equal(directForward(conv(8, 32, 16, 16, 64, 3, 1)), false, '288 taps: two k blocks');
    assert.equal(directForward(conv(8, 1, 28, 28, 6, 5, 2, 2)), false, 'stride 2');
    assert.equal(directForward(conv(8, 1, 9, 9, 6, 3, 0)), false, 'rows of 7');
  });

  const cases: [string, ConvGeometry][] = [
    ['LeNet-5 C1 (6 filters: a group of 4 and one of 2), batch 3', conv(3, 1, 28, 28, 6, 5, 2)],
    ['3→32, 3×3, pad 1, 32×32, batch 2', conv(2, 3, 32, 32, 32, 3, 1)],
    ['2→7, 3×3, no pad, 13 wide (an overlapping last block), batch 5', conv(5, 2, 11, 15, 7, 3, 0)],
    ['4→5, 4×4 kernel = 64 taps, rows of exactly 8', conv(2, 4, 11, 11, 5, 4, 0)],
    ['16→9, 3×3 = 144 taps, rows of 16', conv(2, 16, 16, 16, 9, 3, 1)],
  ];
  for (const level of levels) {
    for (const [name, g] of cases) {
      for (const withBias of [true, false]) {
        it(`${level} SIMD, ${name}, ${withBias ? 'bias' : 'no bias'}: the GEMM path's bits, and relu of them`, () => {
          const heap = new WasmHeap(), scratch = new Scratch(heap), x = instantiateKernels(heap.memory, level);
          const taps = g.c * g.kh * g.kw, outputs = g.m * g.n * g.oh * g.ow;
          const put = (data: ArrayLike<number>) => { const ptr = heap.alloc(4 * data.length); new Float32Array(heap.memory.buffer, ptr, data.length).set(data); return ptr; };
          const input = put(randomArray(g.c * g.n * g.h * g.w, 1)), w = put(randomArray(g.m * taps, 2));
          const bias = withBias ? put(randomArray(g.m, 3)) : 0;
          const viaGemm = heap.alloc(4 * outputs), direct = heap.alloc(4 * outputs), relu = heap.alloc(4 * outputs);
          convForward(x, scratch, g, input, w, bias, viaGemm);
          runDirectForward(x, g, planDirectForward(x, heap.memory, scratch, g, input, w), bias, direct, relu, 0, g.n);
          const read = (ptr: number) => new Float32Array(heap.memory.buffer, ptr, outputs).slice();
          const expected = read(viaGemm), got = read(direct), activated = read(relu);
          assert.deepEqual(got, expected);
          got.forEach((v, i) => { if (activated[i] !== (v > 0 ? v : 0)) assert.fail(`relu at ${i}: ${activated[i]} for ${v}`); });
        });
      }
    }
  }
});
