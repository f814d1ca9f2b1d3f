// The predicted class of a column of class scores. Ties go to the first largest entry, the rule the
// loss kernels of both backends count accuracy with, so confusion matrices, the panel's prediction
// and the training accuracy always agree.

/**
 * Index of the first largest of the `rows` entries of column `column` in a rows × columns row-major
 * matrix (the engine's classes × n layout). A plain vector is column 0 of a one-column matrix.
 */
export function argmaxColumn(values: ArrayLike<number>, rows: number, columns = 1, column = 0): number {
  let best = 0;
  for (let r = 1; r < rows; r++) if (values[r * columns + column] > values[best * columns + column]) best = r;
  return best;
}
