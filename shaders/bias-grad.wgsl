// db[r] = Σ_j Δ[r, j] (or += when accumulate): one workgroup per row, each invocation sums a
// strided slice of the row, then a shared-memory tree reduction.

@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = wid.y * groups.x + wid.x;
  if (row >= params.rows) { return; }  // uniform per workgroup, so the barriers below stay uniform
  let base = row * params.cols;
  var s = 0.0;
  for (var j = lid; j < params.cols; j += WG_X) { s += dy[base + j]; }
  let total = workgroup_sum(s, lid);
  if (lid == 0u) {
    if (params.accumulate != 0u) { db[row] += total; } else { db[row] = total; }
  }
}
