// Implicit-GEMM convolution forward: S = W · φ(pad(x)). op(A) is the weight matrix
// (filters × C·kh·kw, row-major); op(B) = φ is gathered from x as its tile is staged, so the
// unrolled matrix never exists in memory.

fn a_k_fastest() -> bool { return true; }
fn b_k_fastest() -> bool { return false; }

fn load_a(row: u32, k: u32) -> f32 {
  if (row >= params.m || k >= params.k) { return 0.0; }
  return weights[row * params.k + k];
}

fn load_a4(row: u32, k: u32) -> vec4<f32> {
  return vec4(load_a(row, k), load_a(row + 1u, k), load_a(row + 2u, k), load_a(row + 3u, k));
}

fn load_b4(k: u32, col: u32) -> vec4<f32> { return phi_row4(k, col); }
