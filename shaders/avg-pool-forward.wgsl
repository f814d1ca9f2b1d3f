// Average pooling, one invocation per output.

@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let o = linear_index(wid, groups, lid);
  if (o >= params.planes * params.out_h * params.out_w) { return; }
  let top = pool_window_origin(o);
  var sum = 0.0;
  for (var p = 0u; p < params.k_h; p++) {
    for (var q = 0u; q < params.k_w; q++) { sum += x[top + p * params.in_w + q]; }
  }
  y[o] = sum * (1.0 / f32(params.k_h * params.k_w));
}
