// Filter gradient as one GEMM: dW = Δ · φ(pad(x))ᵀ, k running over the N·OH·OW output pixels.
// op(A) = Δ (filters × pixels, row-major); op(B) = φᵀ is gathered from x during the tile load.

fn a_k_fastest() -> bool { return true; }
fn b_k_fastest() -> bool { return true; }

fn load_a(row: u32, k: u32) -> f32 {
  if (row >= params.m || k >= params.k) { return 0.0; }
  return grad[row * params.k + k];
}

fn load_a4(row: u32, k: u32) -> vec4<f32> {
  return vec4(load_a(row, k), load_a(row + 1u, k), load_a(row + 2u, k), load_a(row + 3u, k));
}

fn load_b4(k: u32, col: u32) -> vec4<f32> { return phi_col4(col, k); }
