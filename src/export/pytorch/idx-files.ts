// The built-in MNIST as the four IDX files train.py reads (the same 8,000 / 2,000 split ConvLab
// trains on), so an exported folder trains without ConvLab's bundled data. Pure: gzip is the caller's.

/** One split's raw pixels (u8, C·H·W per example) and labels. */
export interface IdxSplit {
  readonly count: number;
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
}

/** An IDX file of unsigned bytes: magic 0 0 0x08 rank, big-endian u32 dimensions, the bytes. */
export function idxBytes(dims: readonly number[], data: Uint8Array): Uint8Array {
  const count = dims.reduce((p, d) => p * d, 1);
  if (count !== data.length) throw new RangeError(`IDX dimensions ${dims.join('x')} need ${count} bytes, got ${data.length}`);
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out.set([0, 0, 0x08, dims.length]);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

/** The standard file names and contents of a train/test pair of one-channel H×W image splits. */
export function idxFolderFiles(shape: readonly [number, number, number], train: IdxSplit, test: IdxSplit): { name: string; bytes: Uint8Array }[] {
  const [c, h, w] = shape;
  const imageDims = (n: number) => (c === 1 ? [n, h, w] : [n, c, h, w]);
  return [
    { name: 'train-images-idx3-ubyte', bytes: idxBytes(imageDims(train.count), train.images) },
    { name: 'train-labels-idx1-ubyte', bytes: idxBytes([train.count], train.labels) },
    { name: 't10k-images-idx3-ubyte', bytes: idxBytes(imageDims(test.count), test.images) },
    { name: 't10k-labels-idx1-ubyte', bytes: idxBytes([test.count], test.labels) },
  ];
}
