// Operands of a plain GEMM: op(A) is m × k, stored m × k or (trans_a) k × m; op(B) is k × n,
// stored k × n or (trans_b) n × k. All row-major. The transposes are uniform branches in the load
// phase only; the inner product loop is the same for all four variants.

fn a_k_fastest() -> bool { return params.trans_a == 0u; }
fn b_k_fastest() -> bool { return params.trans_b != 0u; }

fn load_a(row: u32, k: u32) -> f32 {
  if (row >= params.m || k >= params.k) { return 0.0; }
  if (params.trans_a != 0u) { return a[k * params.m + row]; }
  return a[row * params.k + k];
}

fn load_b(k: u32, col: u32) -> f32 {
  if (k >= params.k || col >= params.n) { return 0.0; }
  if (params.trans_b != 0u) { return b[col * params.k + k]; }
  return b[k * params.n + col];
}

fn load_a4(row: u32, k: u32) -> vec4<f32> {
  return vec4(load_a(row, k), load_a(row + 1u, k), load_a(row + 2u, k), load_a(row + 3u, k));
}

fn load_b4(k: u32, col: u32) -> vec4<f32> {
  return vec4(load_b(k, col), load_b(k, col + 1u), load_b(k, col + 2u), load_b(k, col + 3u));
}
