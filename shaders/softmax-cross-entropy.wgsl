// Fused softmax + cross-entropy + gradient, one column of logits in a loss-kernel.wgsl kernel.
// Matches the cpu: loss = log Σ exp(z − max) + max − z[label] (finite even when a probability
// underflows); correct when the FIRST largest logit is the label; dlogits = (probs − onehot)/n.

fn add_column(b: u32, totals: ptr<function, LossTotals>) {
  let n = params.n;
  var top = logits[b];
  var best = 0u;
  for (var f = 1u; f < params.classes; f++) {
    let z = logits[f * n + b];
    if (z > top) { top = z; best = f; }
  }
  var sum = 0.0;
  for (var f = 0u; f < params.classes; f++) {
    let e = exp(logits[f * n + b] - top);
    probs[f * n + b] = e;
    sum += e;
  }
  let label = labels[b];
  (*totals).loss += log(sum) + top - logits[label * n + b];
  if (best == label) { (*totals).correct += 1.0; }
  let inv = 1.0 / sum;
  for (var f = 0u; f < params.classes; f++) {
    let pr = probs[f * n + b] * inv;
    probs[f * n + b] = pr;
    if (params.has_dlogits != 0u) { dlogits[f * n + b] = (pr - select(0.0, 1.0, f == label)) / f32(n); }
  }
}
