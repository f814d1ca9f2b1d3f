// dx = Δ ⊙ f'(·) written in terms of the forward OUTPUT y (gate() in activation.wgsl).

@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(wid, groups, lid);
  if (i >= params.length) { return; }
  dx[i] = gate(params.kind, dy[i], y[i]);
}
