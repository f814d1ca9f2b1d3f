// C[row, col] = alpha·acc + beta·C[row, col] (+ bias[row]). C is only read when beta ≠ 0, so a
// fresh C full of garbage (or NaN) is simply overwritten.

fn gemm_store(row: u32, col: u32, acc: f32) {
  let i = row * params.n + col;
  var v = params.alpha * acc;
  if (params.beta != 0.0) { v += params.beta * c[i]; }
  if (params.has_bias != 0u) { v += bias[row]; }
  c[i] = v;
}
