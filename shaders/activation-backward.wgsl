// dx = Δ ⊙ f'(·) written in terms of the forward OUTPUT y: relu y > 0, sigmoid y(1 − y), tanh 1 − y².

@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(wid, groups, lid);
  if (i >= params.length) { return; }
  let s = y[i];
  let g = dy[i];
  switch params.kind {
    case 0u: { dx[i] = select(0.0, g, s > 0.0); }
    case 1u: { dx[i] = g * s * (1.0 - s); }
    default: { dx[i] = g * (1.0 - s * s); }
  }
}
