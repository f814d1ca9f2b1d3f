// out[i] = a[i]·b[i] for i < length (dropout backward: dx = Δ ⊙ mask).

@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(wid, groups, lid);
  if (i >= params.length) { return; }
  out[i] = a[i] * b[i];
}
