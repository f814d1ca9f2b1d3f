// Max-pool backward when the windows tile the input exactly (stride = window, no rows or columns
// left over): every input element lies in one window, so one invocation per window writes its
// kh × kw block of dx, Δ at the selected element and 0 elsewhere. A quarter of the invocations
// (2 × 2 windows) of the general gather and no search over covering windows.

@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let o = linear_index(wid, groups, lid);
  if (o >= params.planes * params.out_h * params.out_w) { return; }
  let top = pool_window_origin(o);
  let chosen = argmax[o];
  let d = dy[o];
  for (var p = 0u; p < params.k_h; p++) {
    let row = top + p * params.in_w;
    for (var q = 0u; q < params.k_w; q++) {
      dx[row + q] = select(0.0, d, row + q == chosen);
    }
  }
}
