// Max pooling, one invocation per output (plane = c·N + n, oh, ow). Records the flat input offset
// of the chosen element (simpleNN's selection P_pool); the first maximum in row-major window
// order wins ties, as on the cpu backend.

@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let o = linear_index(wid, groups, lid);
  if (o >= params.planes * params.out_h * params.out_w) { return; }
  let top = pool_window_origin(o);
  var best = top;
  var best_value = x[top];
  for (var p = 0u; p < params.k_h; p++) {
    for (var q = 0u; q < params.k_w; q++) {
      let at = top + p * params.in_w + q;
      let v = x[at];
      if (v > best_value) { best_value = v; best = at; }
    }
  }
  y[o] = best_value;
  argmax[o] = best;
}
