// The wasm heap that holds a wasm-kernel CpuBackend's tensors, how a CpuBackend picks its kernels,
// and what the build makes of the .wat sources.

import * as assert from 'node:assert/strict';
import { CpuBackend } from '../../../src/engine/cpu/backend';
import { f32View, HeapView, WasmHeap } from '../../../src/engine/cpu/wasm/heap';
import { bestSimdLevel } from '../../../src/engine/cpu/wasm/modules';
import * as gemm from '../../../src/engine/cpu/wasm/gemm.wat';
import * as gemv from '../../../src/engine/cpu/wasm/gemv.wat';
import * as im2col from '../../../src/engine/cpu/wasm/im2col.wat';
import * as pointwise from '../../../src/engine/cpu/wasm/pointwise.wat';
import * as wgrad from '../../../src/engine/cpu/wasm/wgrad.wat';

describe('WasmHeap', () => {
  it('hands out 16-byte-aligned, zero-filled, disjoint blocks, never at offset 0', () => {
    const heap = new WasmHeap();
    const a = heap.alloc(3), b = heap.alloc(40), c = heap.alloc(0);
    for (const p of [a, b, c]) assert.ok(p > 0 && p % 16 === 0, `offset ${p}`);
    assert.ok(a + 16 <= b && b + 48 <= c, `${a}, ${b}, ${c} overlap`);
    new Uint8Array(heap.memory.buffer, b, 40).fill(9);
    heap.release(b, 40);
    const again = heap.alloc(33);
    assert.equal(again, b, 'a released block is reused');
    assert.ok(new Uint8Array(heap.memory.buffer, again, 33).every((v) => v === 0), 'and zero-filled again');
  });

  it('merges released neighbours and counts the bytes in use', () => {
    const heap = new WasmHeap();
    const blocks = [heap.alloc(64), heap.alloc(64), heap.alloc(64), heap.alloc(64)];
    assert.equal(heap.used, 256);
    heap.release(blocks[1], 64);
    heap.release(blocks[2], 64);
    assert.equal(heap.used, 128);
    assert.equal(heap.alloc(128), blocks[1], 'two merged 64-byte holes fit 128 bytes');
    heap.release(blocks[3], 64);
    heap.release(blocks[1], 128);
    heap.release(blocks[0], 64);
    assert.equal(heap.used, 0);
    assert.equal(heap.alloc(16), blocks[0], 'everything released: allocation starts over');
  });

  it('grows, and views taken before the growth still see the same elements', () => {
    const heap = new WasmHeap();
    const view = new HeapView(heap, heap.alloc(16), 4, f32View);
    view.array.set([1, 2, 3, 4]);
    const generation = heap.generation;
    heap.alloc(5 * 65536);
    assert.ok(heap.generation > generation && heap.memory.buffer.byteLength >= 6 * 65536);
    assert.deepEqual(Array.from(view.array), [1, 2, 3, 4]);
  });
});

describe('CpuBackend kernel choice', () => {
  it("runs wasm SIMD in f32 by default and TypeScript in f64 or when asked", () => {
    assert.equal(new CpuBackend().kernels, bestSimdLevel() === 'relaxed' ? 'wasm-relaxed' : 'wasm-simd');
    assert.equal(new CpuBackend({ precision: 'f64' }).kernels, 'typescript');
    const ts = new CpuBackend({ kernels: 'typescript' });
    assert.equal(ts.kernels, 'typescript');
  });

  it('refuses wasm kernels in f64, an unknown choice, and relaxed SIMD where the runtime lacks it', function () {
    assert.throws(() => new CpuBackend({ precision: 'f64', kernels: 'wasm-simd' }), /wasm-simd kernels compute in f32/);
    assert.throws(() => new CpuBackend({ kernels: 'gpu' as never }), /kernels must be 'auto', 'wasm-relaxed', 'wasm-simd' or 'typescript'/);
    if (bestSimdLevel() === 'relaxed') this.skip(); // this runtime has relaxed SIMD: nothing to refuse.
    assert.throws(() => new CpuBackend({ kernels: 'wasm-relaxed' }), /does not validate relaxed SIMD/);
  });

  it('tensors in the heap keep their values while the heap grows, and disposal frees them', async () => {
    const be = new CpuBackend({ kernels: 'wasm-simd' });
    const t = be.zeros(5);
    be.write(t, [1, 2, 3, 4, 5]);
    const big = Array.from({ length: 8 }, () => be.zeros(1 << 18));
    assert.deepEqual(Array.from(await be.read(t)), [1, 2, 3, 4, 5]);
    for (const b of big) be.dispose(b);
    const reused = be.zeros(1 << 18);
    assert.ok((await be.read(reused)).every((v) => v === 0), 'a reused block starts at zero');
  });

  it('the plain-SIMD build of the GEMM has no relaxed instruction; the relaxed build has relaxed_madd', () => {
    // f32x4.relaxed_madd is opcode 0xfd 0x105, LEB128-encoded as fd 85 02.
    const hasMadd = (bytes: Uint8Array) => bytes.some((v, i) => v === 0xfd && bytes[i + 1] === 0x85 && bytes[i + 2] === 0x02);
    assert.ok(hasMadd(gemm.relaxedSimd));
    assert.ok(!hasMadd(gemm.plainSimd));
    assert.ok(WebAssembly.validate(gemm.plainSimd));
  });

  it('every module stays under 4 KiB, the most a browser compiles synchronously on a page\'s main thread', () => {
    for (const [name, m] of Object.entries({ gemm, gemv, im2col, pointwise, wgrad })) {
      for (const bytes of [m.plainSimd, m.relaxedSimd, m.plainSimdShared, m.relaxedSimdShared]) assert.ok(bytes.length < 4096, `${name}.wat: ${bytes.length} bytes`);
    }
  });
});
