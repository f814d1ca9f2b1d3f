// Canvas drawings: feature maps and filters as tiled heat maps, and input images.

import { lookupTable, normalization, paint, type Normalization } from '../lib/colormap';
import { tileLayout, tilePosition } from '../lib/tiling';

const LUTS = { viridis: lookupTable('viridis'), diverging: lookupTable('diverging') };

/**
 * Draws `count` planes of w×h values (data[k·w·h …]) as a grid of heat-map tiles fitting `maxWidth`.
 * Each tile gets its own colour scale (`perTile`) or all share one.
 */
export function drawPlanes(canvas: HTMLCanvasElement, data: Float32Array, count: number, w: number, h: number,
  maxWidth: number, options: { perTile?: boolean; maxScale?: number; norm?: Normalization } = {}): void {
  const layout = tileLayout(count, w, h, Math.max(maxWidth, w), { maxScale: options.maxScale ?? 6, minTile: 40, gap: 3 });
  const shared = options.norm ?? (options.perTile === false ? normalization(data) : null);
  const tile = new ImageData(w, h);
  const scratch = document.createElement('canvas');
  scratch.width = w;
  scratch.height = h;
  const sctx = scratch.getContext('2d')!;
  setCanvasSize(canvas, layout.width, layout.height);
  const ctx = canvas.getContext('2d')!;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.imageSmoothingEnabled = false;
  const plane = w * h;
  for (let k = 0; k < count; k++) {
    const norm = shared ?? normalization(data, k * plane, (k + 1) * plane);
    paint(data, k * plane, w, h, norm, LUTS[norm.map], tile.data, 0, 4 * w);
    sctx.putImageData(tile, 0, 0);
    const { x, y } = tilePosition(layout, k);
    ctx.drawImage(scratch, 0, 0, w, h, x, y, layout.tileWidth, layout.tileHeight);
  }
}

/** An input example: 1 channel as grey levels, 3 as RGB; values are scaled from their own range. */
export function drawImage(canvas: HTMLCanvasElement, data: Float32Array, shape: readonly [number, number, number], size: number): void {
  const [c, h, w] = shape;
  const img = new ImageData(w, h);
  let min = Infinity, max = -Infinity;
  for (const v of data) { if (v < min) min = v; if (v > max) max = v; }
  const scale = max > min ? 255 / (max - min) : 0;
  const plane = w * h;
  for (let p = 0; p < plane; p++) {
    const ch = (k: number) => Math.round((data[Math.min(k, c - 1) * plane + p] - min) * scale);
    img.data[4 * p] = ch(0);
    img.data[4 * p + 1] = c >= 3 ? ch(1) : ch(0);
    img.data[4 * p + 2] = c >= 3 ? ch(2) : ch(0);
    img.data[4 * p + 3] = 255;
  }
  const scratch = document.createElement('canvas');
  scratch.width = w;
  scratch.height = h;
  scratch.getContext('2d')!.putImageData(img, 0, 0);
  const s = Math.max(1, Math.floor(size / Math.max(w, h)));
  setCanvasSize(canvas, w * s, h * s);
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(scratch, 0, 0, w * s, h * s);
}

/**
 * First-layer kernels [M, C, kh, kw]: RGB tiles when C = 3, else one grey-diverging tile per (filter,
 * channel), all on one symmetric scale so their magnitudes compare.
 */
export function drawFilters(canvas: HTMLCanvasElement, data: Float32Array, shape: readonly number[], maxWidth: number): void {
  const [m, c, kh, kw] = shape;
  if (c === 3) {
    const layout = tileLayout(m, kw, kh, maxWidth, { maxScale: 16, gap: 4 });
    setCanvasSize(canvas, layout.width, layout.height);
    const ctx = canvas.getContext('2d')!;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.imageSmoothingEnabled = false;
    const norm = normalization(data);
    const scratch = document.createElement('canvas');
    scratch.width = kw;
    scratch.height = kh;
    const img = new ImageData(kw, kh);
    const plane = kh * kw;
    for (let f = 0; f < m; f++) {
      for (let p = 0; p < plane; p++) {
        for (let ch = 0; ch < 3; ch++) {
          const v = data[(f * 3 + ch) * plane + p];
          img.data[4 * p + ch] = Math.round(((v - norm.lo) / (norm.hi - norm.lo || 1)) * 255);
        }
        img.data[4 * p + 3] = 255;
      }
      scratch.getContext('2d')!.putImageData(img, 0, 0);
      const { x, y } = tilePosition(layout, f);
      ctx.drawImage(scratch, 0, 0, kw, kh, x, y, layout.tileWidth, layout.tileHeight);
    }
    return;
  }
  drawPlanes(canvas, data, m * c, kw, kh, maxWidth, { perTile: false, maxScale: 16 });
}

function setCanvasSize(canvas: HTMLCanvasElement, width: number, height: number): void {
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
}
