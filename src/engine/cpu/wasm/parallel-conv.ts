// The convolutions of conv.ts across the kernel threads: the shared preparation (offset tables, the
// padded image, zeroing) on the calling thread, the GEMMs and col2im in slices (split.ts says how
// and why each split keeps results deterministic), the crop back on the calling thread.

import type { ConvGeometry } from '../../backend';
import {
  COLUMN_CHUNK_ELEMENTS, directFilterGradient, isPadded, paddedInput, phiTables, WGRAD_CHUNK_ELEMENTS, type PadCopy,
} from './conv';
import { blockedGemm, matrixA, matrixB } from './gemm';
import type { KernelExports } from './modules';
import type { Scratch } from './scratch';
import { gemmSlices, partition } from './split';
import type { KernelThreadPool, SliceBody } from './thread-pool';

/** What the parallel convolutions run on: the calling thread's kernels and scratch, and the pool. */
export interface ParallelContext {
  readonly x: KernelExports;
  readonly scratch: Scratch;
  readonly pool: KernelThreadPool;
  zero(ptr: number, bytes: number): void;
  /** pad_copy, split by planes across the threads when it is big enough to pay. */
  readonly padCopy: PadCopy;
}

/**
 * y = W · φ(pad(x)) + bias (and relu(y) into `relu` unless 0), split into panels of output pixels
 * (or of filters, when there are more).
 */
export function parallelConvForward(p: ParallelContext, g: ConvGeometry, input: number, w: number, bias: number, y: number,
  relu = 0): void {
  const t = phiTables(p.x, p.scratch, g);
  const xp = paddedInput(p.x, p.scratch, g, t, input, p.padCopy);
  const slices = gemmSlices(g.m, t.pixels, p.pool.slices, (x) => ({
    m: g.m, n: t.pixels, k: t.taps, a: matrixA(x, w, t.taps, false),
    b: (dst, j0, count, k0, kc) => x.pack_phi_pixels(xp, t.pix + 4 * j0, t.tap + 4 * k0, count, kc, dst),
    c: y, ldc: t.pixels, alpha: 1, beta: 0, bias, relu,
  }));
  p.pool.run('convForward', slices.map((callOf): SliceBody => (x, scratch) => blockedGemm(x, scratch, callOf(x))));
}

/** dw = dy · φ(pad(x))ᵀ, split by filters (direct reduction) or by panels of dw (GEMM). */
export function parallelConvBackwardFilter(p: ParallelContext, g: ConvGeometry, input: number, dy: number, dw: number): void {
  const direct = directFilterGradient(g);
  const t = phiTables(p.x, p.scratch, g, !direct);
  const xp = paddedInput(p.x, p.scratch, g, t, input, p.padCopy);
  if (direct) {
    p.zero(dw, 4 * g.m * t.taps);
    const chunk = Math.max(1, Math.floor(WGRAD_CHUNK_ELEMENTS / g.ow));
    const bounds = partition(g.m, p.pool.slices, 1);
    p.pool.run('convBackwardFilter', bounds.slice(1).map((f1, s): SliceBody => (x) => {
      const f0 = bounds[s];
      x.wgrad_direct(xp, dy + 4 * f0 * t.pixels, dw + 4 * f0 * t.taps, f1 - f0, t.taps, t.tap, g.n * g.oh, g.oh, g.ow,
        4 * t.hp * t.wp, 4 * g.sh * t.wp, chunk);
    }));
    return;
  }
  const slices = gemmSlices(g.m, t.taps, p.pool.slices, (x) => ({
    m: g.m, n: t.taps, k: t.pixels, a: matrixA(x, dy, t.pixels, false),
    b: (dst, j0, count, k0, kc) => x.pack_phi_taps(xp, t.pix + 4 * k0, t.tap + 4 * j0, count, kc, dst),
    c: dw, ldc: t.taps, alpha: 1, beta: 0, bias: 0,
  }));
  p.pool.run('convBackwardFilter', slices.map((callOf): SliceBody => (x, scratch) => blockedGemm(x, scratch, callOf(x))));
}

/** dx = col2im(Wᵀ · dy), split by images: each slice scatters only into its own images of dx. */
export function parallelConvBackwardData(p: ParallelContext, g: ConvGeometry, dy: number, w: number, dx: number): void {
  const t = phiTables(p.x, p.scratch, g);
  const chunk = Math.max(8, Math.floor(COLUMN_CHUNK_ELEMENTS / t.taps / 8) * 8);
  const padded = isPadded(g);
  const dxp = padded ? p.scratch.reserve('conv.padded', 4 * t.planes * t.hp * t.wp) : dx;
  p.zero(dxp, 4 * t.planes * t.hp * t.wp);
  const perImage = g.oh * g.ow, images = partition(g.n, p.pool.slices, 1);
  p.pool.run('convBackwardData', images.slice(1).map((end, s): SliceBody => (x, scratch) => {
    const first = images[s] * perImage, last = end * perImage;
    const cols = scratch.reserve('conv.columns', 4 * t.taps * Math.min(chunk, last - first));
    const wT = matrixA(x, w, t.taps, true);
    for (let j0 = first; j0 < last; j0 += chunk) {
      const count = Math.min(chunk, last - j0);
      blockedGemm(x, scratch, {
        m: t.taps, n: count, k: g.m, a: wT, b: matrixB(x, dy + 4 * j0, t.pixels, false),
        c: cols, ldc: count, alpha: 1, beta: 0, bias: 0,
      });
      x.col2im(cols, count, t.taps, t.pix + 4 * j0, t.tap, dxp);
    }
  }));
  if (padded) p.x.crop_copy(dxp, dx, t.planes, g.h, g.w, g.ph, g.pw);
}
