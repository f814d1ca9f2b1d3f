// SGD with momentum and L2 weight decay, in place: v = momentum·v − lr·(g + wd·w); w += v.

@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(wid, groups, lid);
  if (i >= params.length) { return; }
  let vi = params.momentum * v[i] - params.lr * (g[i] + params.weight_decay * w[i]);
  v[i] = vi;
  w[i] += vi;
}
