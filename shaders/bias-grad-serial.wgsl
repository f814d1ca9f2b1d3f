// db[r] = Σ_j Δ[r, j] (or += when accumulate) with one invocation per row and no barriers: for
// short rows (dense layers, where cols is the batch size) a workgroup reduction spends more on
// synchronisation than on adding.

@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = linear_index(wid, groups, lid);
  if (row >= params.rows) { return; }
  let base = row * params.cols;
  var s = 0.0;
  for (var j = 0u; j < params.cols; j++) { s += dy[base + j]; }
  if (params.accumulate != 0u) { db[row] += s; } else { db[row] = s; }
}
