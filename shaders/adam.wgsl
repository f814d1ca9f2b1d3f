// Adam with bias correction, in place. correction1 = 1/(1 − β1^t) and correction2 = 1/(1 − β2^t)
// are computed on the host in f64 (β^t underflows gracefully there).

@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(wid, groups, lid);
  if (i >= params.length) { return; }
  let gi = g[i] + params.weight_decay * w[i];
  let mi = params.beta1 * m[i] + (1.0 - params.beta1) * gi;
  let vi = params.beta2 * v[i] + (1.0 - params.beta2) * gi * gi;
  m[i] = mi;
  v[i] = vi;
  w[i] -= params.lr * (mi * params.correction1) / (sqrt(vi * params.correction2) + params.epsilon);
}
