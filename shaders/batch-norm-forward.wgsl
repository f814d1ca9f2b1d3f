// Batch norm of one row (channel) of a rows × cols matrix per workgroup. Training mode: mean and
// biased variance by two workgroup reductions (two passes, not E[x²] − E[x]², which cancels
// badly), saved for backward, and PyTorch-style running statistics
//   running = (1 − momentum)·running + momentum·batch   (unbiased variance).
// (1 − momentum arrives from the host as `keep`, computed in f64). Inference mode normalises with
// the running statistics.

@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = wid.y * groups.x + wid.x;
  if (row >= params.rows) { return; }
  let cols = params.cols;
  let base = row * cols;

  var mean: f32;
  var inv_std: f32;
  if (params.training != 0u) {
    var s = 0.0;
    for (var j = lid; j < cols; j += WG_X) { s += x[base + j]; }
    mean = workgroup_sum(s, lid) / f32(cols);
    var sq = 0.0;
    for (var j = lid; j < cols; j += WG_X) { let d = x[base + j] - mean; sq += d * d; }
    let sq_total = workgroup_sum(sq, lid);
    let variance = sq_total / f32(cols);
    inv_std = 1.0 / sqrt(variance + params.epsilon);
    if (lid == 0u) {
      save_mean[row] = mean;
      save_inv_std[row] = inv_std;
      let unbiased = select(variance, sq_total / f32(cols - 1u), cols > 1u);
      running_mean[row] = params.keep * running_mean[row] + params.momentum * mean;
      running_var[row] = params.keep * running_var[row] + params.momentum * unbiased;
    }
  } else {
    mean = running_mean[row];
    inv_std = 1.0 / sqrt(running_var[row] + params.epsilon);
  }
  let scale = gamma[row] * inv_std;
  let shift = beta[row] - mean * scale;
  for (var j = lid; j < cols; j += WG_X) { y[base + j] = x[base + j] * scale + shift; }
}
