// A data set in memory, independent of where it came from. Pure data (typed arrays), so the
// extension host can load it from disk and hand it to the webview as transferable buffers.
// Every loader in this folder gives each of a split's arrays an ArrayBuffer of its own (offset 0,
// no sharing), so datasetTransferables() in describe.ts can hand them over without copying.

export interface Split {
  /** Number of examples. */
  readonly count: number;
  /**
   * Example i occupies [i·C·H·W, (i+1)·C·H·W) in C, H, W order.
   * Uint8Array: raw pixels, normalised on the fly as v/255 (IDX, CIFAR, built-in MNIST).
   * Float32Array: values used as they are (LIBSVM features).
   */
  readonly images: Uint8Array | Float32Array;
  /** Class index of each example, 0 ≤ label < classes. */
  readonly labels: Uint8Array;
  /**
   * Where the labels came from, for messages: the files in order, each holding the next `count`
   * labels as its records 0…count−1. Absent when the examples were reordered (seeded splits).
   */
  readonly labelFiles?: readonly LabelFile[];
}

/** One file's share of a split's labels. */
export interface LabelFile {
  readonly name: string;
  readonly count: number;
}

export interface Dataset {
  /** Shown to people, e.g. "mnist (built-in: 8,000 train / 2,000 test)". */
  readonly name: string;
  /** Shape of one example, [C, H, W]. */
  readonly shape: readonly [number, number, number];
  readonly classes: number;
  /** Name of class k: CIFAR-10's batches.meta.txt, or a LIBSVM label as written in the file. */
  readonly classNames?: readonly string[];
  readonly train: Split;
  readonly test: Split;
}

/** Elements in one example. */
export function exampleSize(d: Pick<Dataset, 'shape'>): number {
  return d.shape[0] * d.shape[1] * d.shape[2];
}

/**
 * Writes examples `indices` of `split` into `out` in the engine's c × (N·H·W) layout
 * (element (c, n, h, w) at ((c·N + n)·H + h)·W + w, N = indices.length), normalising u8 as v/255,
 * and their labels into `labels`.
 */
export function fillBatch(split: Split, shape: readonly [number, number, number], indices: ArrayLike<number>,
  out: Float32Array, labels: Uint32Array): void {
  const [c, h, w] = shape;
  const hw = h * w;
  const n = indices.length;
  const size = c * hw;
  const u8 = split.images instanceof Uint8Array;
  const src = split.images;
  for (let b = 0; b < n; b++) {
    const ex = indices[b];
    labels[b] = split.labels[ex];
    const base = ex * size;
    for (let ch = 0; ch < c; ch++) {
      const from = base + ch * hw;
      const to = (ch * n + b) * hw;
      if (u8) for (let k = 0; k < hw; k++) out[to + k] = src[from + k] * (1 / 255);
      else for (let k = 0; k < hw; k++) out[to + k] = src[from + k];
    }
  }
}
