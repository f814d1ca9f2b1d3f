// Max pooling's Jacobian-vector product: each output takes the tangent at the input offset its
// forward pass selected (argmax), one invocation per output.

@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let o = linear_index(wid, groups, lid);
  if (o >= params.planes * params.out_h * params.out_w) { return; }
  y[o] = x[argmax[o]];
}
