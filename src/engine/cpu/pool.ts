// Pooling over feature maps stored c × (N·H·W): each (c, n) plane is pooled on its own, so the
// kernels loop over c·N planes. Max pooling records, per output, the flat input offset it chose:
// that is simpleNN's selection matrix P_pool, replayed by the backward pass.

import type { FloatArray, PoolGeometry } from '../backend';

export function maxPoolForward(g: PoolGeometry, x: FloatArray, y: FloatArray, argmax: Uint32Array): void {
  // Geometry in locals: property loads in the innermost loops cost more than the comparisons.
  const { kh, kw, sh, sw, w, oh: outH, ow: outW } = g;
  const planes = g.c * g.n, inPlane = g.h * w, outPlane = outH * outW;
  for (let plane = 0; plane < planes; plane++) {
    const xBase = plane * inPlane;
    let o = plane * outPlane;
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++, o++) {
        const top = xBase + oh * sh * w + ow * sw;
        // The first maximum in row-major window order wins ties (the WebGPU kernel does the same).
        let best = top, bestValue = x[top];
        for (let i = 0; i < kh; i++) {
          for (let j = 0, at = top + i * w; j < kw; j++, at++) {
            const v = x[at];
            if (v > bestValue) { bestValue = v; best = at; }
          }
        }
        y[o] = bestValue;
        argmax[o] = best;
      }
    }
  }
}

export function maxPoolBackward(g: PoolGeometry, dy: FloatArray, argmax: Uint32Array, dx: FloatArray): void {
  dx.fill(0, 0, g.c * g.n * g.h * g.w);
  const outputs = g.c * g.n * g.oh * g.ow;
  for (let o = 0; o < outputs; o++) dx[argmax[o]] += dy[o];
}

export function maxPoolGather(g: PoolGeometry, x: FloatArray, argmax: Uint32Array, y: FloatArray): void {
  const outputs = g.c * g.n * g.oh * g.ow;
  for (let o = 0; o < outputs; o++) y[o] = x[argmax[o]];
}

export function avgPoolForward(g: PoolGeometry, x: FloatArray, y: FloatArray): void {
  const planes = g.c * g.n, inPlane = g.h * g.w, outPlane = g.oh * g.ow;
  const inv = 1 / (g.kh * g.kw);
  for (let plane = 0; plane < planes; plane++) {
    const xBase = plane * inPlane;
    let o = plane * outPlane;
    for (let oh = 0; oh < g.oh; oh++) {
      for (let ow = 0; ow < g.ow; ow++, o++) {
        const top = xBase + oh * g.sh * g.w + ow * g.sw;
        let sum = 0;
        for (let i = 0; i < g.kh; i++) for (let j = 0, at = top + i * g.w; j < g.kw; j++, at++) sum += x[at];
        y[o] = sum * inv;
      }
    }
  }
}

export function avgPoolBackward(g: PoolGeometry, dy: FloatArray, dx: FloatArray): void {
  const planes = g.c * g.n, inPlane = g.h * g.w, outPlane = g.oh * g.ow;
  const inv = 1 / (g.kh * g.kw);
  dx.fill(0, 0, planes * inPlane);
  for (let plane = 0; plane < planes; plane++) {
    const xBase = plane * inPlane;
    let o = plane * outPlane;
    for (let oh = 0; oh < g.oh; oh++) {
      for (let ow = 0; ow < g.ow; ow++, o++) {
        const top = xBase + oh * g.sh * g.w + ow * g.sw;
        const share = dy[o] * inv;
        for (let i = 0; i < g.kh; i++) for (let j = 0, at = top + i * g.w; j < g.kw; j++, at++) dx[at] += share;
      }
    }
  }
}
