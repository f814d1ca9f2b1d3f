// Column-wise softmax of a classes × n matrix, one invocation per column (sample); classes is
// small, so a column fits one invocation's loop.

@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let b = linear_index(wid, groups, lid);
  let n = params.n;
  if (b >= n) { return; }
  var top = x[b];
  for (var f = 1u; f < params.classes; f++) { top = max(top, x[f * n + b]); }
  var sum = 0.0;
  for (var f = 0u; f < params.classes; f++) {
    let e = exp(x[f * n + b] - top);
    y[f * n + b] = e;
    sum += e;
  }
  let inv = 1.0 / sum;
  for (var f = 0u; f < params.classes; f++) { y[f * n + b] *= inv; }
}
