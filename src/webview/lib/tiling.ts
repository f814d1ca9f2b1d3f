// Layout of many small images (feature-map channels, filters) in one grid. Pure: unit-tested.

export interface TileLayout {
  readonly columns: number;
  readonly rows: number;
  /** Integer magnification of each tile. */
  readonly scale: number;
  /** Tile size on screen, in CSS pixels (tile · scale). */
  readonly tileWidth: number;
  readonly tileHeight: number;
  readonly gap: number;
  /** Whole grid, in CSS pixels. */
  readonly width: number;
  readonly height: number;
}

/**
 * Lays out `count` tiles of w×h pixels in at most `maxWidth` CSS pixels: the largest integer scale
 * (≤ maxScale) at which the tiles fit in rows as square-ish as possible, never below 1×.
 */
export function tileLayout(count: number, w: number, h: number, maxWidth: number, options: { gap?: number; maxScale?: number; minTile?: number } = {}): TileLayout {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`tile count must be a whole number, got ${count}`);
  if (!(w >= 1 && h >= 1)) throw new RangeError(`tiles must be at least 1×1, got ${w}×${h}`);
  const gap = options.gap ?? 2;
  const maxScale = options.maxScale ?? 8;
  // Tiny maps (1×1 … 4×4) are magnified so they are at least minTile pixels across.
  const minTile = options.minTile ?? 24;
  const fits = (cols: number, scale: number) => cols * w * scale + (cols - 1) * gap <= maxWidth;
  const ideal = Math.max(1, Math.ceil(Math.sqrt(count * (h / w))));
  let columns = Math.max(1, Math.min(count, ideal));
  let scale = maxScale;
  while (scale > 1 && !fits(columns, scale)) scale--;
  // Still too wide at 1×: fewer columns.
  while (columns > 1 && !fits(columns, scale)) columns--;
  // Enough room: magnify small tiles up to minTile.
  while (scale < Math.ceil(minTile / Math.min(w, h)) && fits(columns, scale + 1)) scale++;
  const rows = count === 0 ? 0 : Math.ceil(count / columns);
  const tileWidth = w * scale, tileHeight = h * scale;
  return {
    columns, rows, scale, tileWidth, tileHeight, gap,
    width: count === 0 ? 0 : columns * tileWidth + (columns - 1) * gap,
    height: rows === 0 ? 0 : rows * tileHeight + (rows - 1) * gap,
  };
}

/** Top-left corner of tile i, in CSS pixels. */
export function tilePosition(layout: TileLayout, i: number): { x: number; y: number } {
  const col = i % layout.columns, row = Math.floor(i / layout.columns);
  return { x: col * (layout.tileWidth + layout.gap), y: row * (layout.tileHeight + layout.gap) };
}
