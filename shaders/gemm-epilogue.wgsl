// C[row, col] = alpha·acc + beta·C[row, col] (+ bias[row]). C is only read when beta ≠ 0, so a
// fresh C full of garbage (or NaN) is simply overwritten. With a fused activation (epilogue =
// 1 + its kind, activation.wgsl) the activated value also goes to `aux`, so the activation layer
// that follows needs no dispatch of its own; C keeps the pre-activation for its readers. With a
// gate (epilogue = 4 + kind) C receives v ⊙ f'(·) from the activation output held in `aux`: a
// backward product that feeds the activation layer before it does that layer's backward too.

//
// With row_sums (gemm.wgsl) column n − 1 holds the row sums of op(A): they go to aux[row], the rest
// of the row to C, whose row stride is then n − 1. (row_sums and a fused activation never meet.)

fn gemm_store(row: u32, col: u32, acc: f32) {
  if (params.row_sums != 0u && col == params.n - 1u) {
    aux[row] = params.alpha * acc;
    return;
  }
  let i = row * (params.n - params.row_sums) + col;
  var v = params.alpha * acc;
  if (params.beta != 0.0) { v += params.beta * c[i]; }
  if (params.has_bias != 0u) { v += bias[row]; }
  if (params.epilogue > 3u) { v = gate(params.epilogue - 4u, v, aux[i]); }
  c[i] = v;
  if (params.epilogue != 0u && params.epilogue <= 3u) { aux[i] = activate(params.epilogue - 1u, v); }
}
