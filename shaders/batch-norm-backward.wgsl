// Training-mode batch-norm backward, one workgroup per row, with the forward's saved statistics:
//   dβ = Σ Δ,  dγ = Σ Δ·x̂,  dx = γ·invStd/N · (N·Δ − dβ − x̂·dγ).

@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = wid.y * groups.x + wid.x;
  if (row >= params.rows) { return; }
  let cols = params.cols;
  let base = row * cols;
  let mean = save_mean[row];
  let inv_std = save_inv_std[row];

  var s = 0.0;
  var sx = 0.0;
  for (var j = lid; j < cols; j += WG_X) {
    let g = dy[base + j];
    s += g;
    sx += g * (x[base + j] - mean) * inv_std;
  }
  let sum_dy = workgroup_sum(s, lid);
  let sum_dy_xhat = workgroup_sum(sx, lid);
  if (lid == 0u) {
    dbeta[row] = sum_dy;
    dgamma[row] = sum_dy_xhat;
  }
  let k = gamma[row] * inv_std / f32(cols);
  for (var j = lid; j < cols; j += WG_X) {
    let xhat = (x[base + j] - mean) * inv_std;
    dx[base + j] = k * (f32(cols) * dy[base + j] - sum_dy - xhat * sum_dy_xhat);
  }
}
