// y = f(x) for f = relu (kind 0), sigmoid (1), tanh (2); kind is uniform, so the switch costs no
// divergence and one pipeline serves all three.

@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(wid, groups, lid);
  if (i >= params.length) { return; }
  let v = x[i];
  switch params.kind {
    case 0u: { y[i] = max(v, 0.0); }
    case 1u: { y[i] = 1.0 / (1.0 + exp(-v)); }
    // tanh saturates to ±1 in f32 beyond |v| = 9; clamping keeps exp-based implementations from inf/inf.
    default: { y[i] = tanh(clamp(v, -15.0, 15.0)); }
  }
}
