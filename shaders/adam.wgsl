// Adam with bias correction, in place. 1 − β1, 1 − β2, correction1 = 1/(1 − β1^t) and
// correction2 = 1/(1 − β2^t) come from the host in f64: 1 − β2 rounded from an f32 β2 = 0.999 would
// be 5e-5 off.

@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(wid, groups, lid);
  if (i >= params.length) { return; }
  let gi = g[i] + params.weight_decay * w[i];
  let mi = params.beta1 * m[i] + params.one_minus_beta1 * gi;
  let vi = params.beta2 * v[i] + params.one_minus_beta2 * gi * gi;
  m[i] = mi;
  v[i] = vi;
  w[i] -= params.lr * (mi * params.correction1) / (sqrt(vi * params.correction2) + params.epsilon);
}
