// Implicit-GEMM convolution forward: S = W · φ(pad(x)). op(A) is the weight matrix
// (filters × C·kh·kw, row-major); op(B) = φ is gathered from x as its tile is staged, so the
// unrolled matrix never exists in memory.

fn a_k_fastest() -> bool { return true; }
fn b_k_fastest() -> bool { return false; }

fn load_a(row: u32, k: u32) -> f32 {
  if (row >= params.m || k >= params.k) { return 0.0; }
  return weights[row * params.k + k];
}

fn load_b(k: u32, col: u32) -> f32 {
  if (k >= params.k || col >= params.n) { return 0.0; }
  return phi(k, col);
}
