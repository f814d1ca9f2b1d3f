// simpleNN's squared loss over a classes × n output matrix, one workgroup like
// softmax-cross-entropy.wgsl: loss = Σ_b Σ_f (out − onehot)², dout = 2(out − onehot)/n, correct
// when the first largest output is the label; all three metrics accumulate on the device.

@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(local_invocation_index) lid: u32) {
  let n = params.n;
  var loss = 0.0;
  var correct = 0.0;
  for (var b = lid; b < n; b += WG_X) {
    let label = labels[b];
    var top = out[b];
    var best = 0u;
    for (var f = 0u; f < params.classes; f++) {
      let o = out[f * n + b];
      if (o > top) { top = o; best = f; }
      let diff = o - select(0.0, 1.0, f == label);
      loss += diff * diff;
      if (params.has_dout != 0u) { dout[f * n + b] = 2.0 * diff / f32(n); }
    }
    if (best == label) { correct += 1.0; }
  }
  let total_loss = workgroup_sum(loss, lid);
  let total_correct = workgroup_sum(correct, lid);
  if (lid == 0u) {
    metrics[0] += total_loss;
    metrics[1] += total_correct;
    metrics[2] += f32(n);
  }
}
