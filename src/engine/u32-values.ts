// Checks every backend applies to u32 tensors (labels and indices), so a bad value fails with
// the same message on the CPU and on WebGPU instead of wrapping around or indexing another row.

/** Values written to a u32 tensor must be u32s. `who` names the backend and op, e.g. `CpuBackend.write`. */
export function checkU32Values(who: string, data: ArrayLike<number>): void {
  if (data instanceof Uint32Array) return;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
      throw new RangeError(`${who}: value ${v} at index ${i} is not a u32 (u32 tensors hold labels and indices)`);
    }
  }
}

/** The first n labels must name one of `classes` classes. */
export function checkLabelValues(who: string, labels: Uint32Array, n: number, classes: number): void {
  for (let b = 0; b < n; b++) {
    if (labels[b] >= classes) throw new RangeError(`${who}: label ${labels[b]} of example ${b} is not below ${classes} classes`);
  }
}
