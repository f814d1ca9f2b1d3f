// Softmax backward per column: dx = y ⊙ (Δ − Σ_f y·Δ), i.e. the Jacobian k[i](δ_im − k[m]) applied to Δ.

@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let b = linear_index(wid, groups, lid);
  let n = params.n;
  if (b >= n) { return; }
  var dot = 0.0;
  for (var f = 0u; f < params.classes; f++) { dot += y[f * n + b] * dy[f * n + b]; }
  for (var f = 0u; f < params.classes; f++) {
    let i = f * n + b;
    dx[i] = y[i] * (dy[i] - dot);
  }
}
