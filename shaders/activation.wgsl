// f(v) for f = relu (kind 0), sigmoid (1), tanh (2): shared by the activation kernel and the fused
// epilogues of the GEMM family and the direct convolution, so both paths round identically.

fn activate(kind: u32, v: f32) -> f32 {
  switch kind {
    case 0u: { return max(v, 0.0); }
    case 1u: { return 1.0 / (1.0 + exp(-v)); }
    // tanh saturates to ±1 in f32 beyond |v| = 9; clamping keeps exp-based implementations from inf/inf.
    default: { return tanh(clamp(v, -15.0, 15.0)); }
  }
}

// Δ ⊙ f'(·) in terms of the activation's OUTPUT y: relu y > 0, sigmoid y(1 − y), tanh 1 − y². relu
// selects rather than multiplies, so an inf or NaN where the unit is off does not leak through.
fn gate(kind: u32, g: f32, y: f32) -> f32 {
  switch kind {
    case 0u: { return select(0.0, g, y > 0.0); }
    case 1u: { return g * y * (1.0 - y); }
    default: { return g * (1.0 - y * y); }
  }
}
