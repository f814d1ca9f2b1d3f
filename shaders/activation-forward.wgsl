// y = f(x) for f = relu (kind 0), sigmoid (1), tanh (2) (activation.wgsl); kind is uniform, so the
// switch costs no divergence and one pipeline serves all three.

@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(wid, groups, lid);
  if (i >= params.length) { return; }
  y[i] = activate(params.kind, x[i]);
}
