// Fused softmax + cross-entropy + gradient + metrics over a classes × n matrix of logits (column b
// is sample b). A single workgroup: invocation lid handles columns lid, lid + WG_X, …, then the
// per-invocation loss and correct counts are tree-reduced and added into metrics, so the training
// loop never reads anything back. Matches the cpu: loss = log Σ exp(z − max) + max − z[label]
// (finite even when a probability underflows); correct when the FIRST largest logit is the label;
// dlogits = (probs − onehot)/n.

@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(local_invocation_index) lid: u32) {
  let n = params.n;
  var loss = 0.0;
  var correct = 0.0;
  for (var b = lid; b < n; b += WG_X) {
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
    loss += log(sum) + top - logits[label * n + b];
    if (best == label) { correct += 1.0; }
    let inv = 1.0 / sum;
    for (var f = 0u; f < params.classes; f++) {
      let pr = probs[f * n + b] * inv;
      probs[f * n + b] = pr;
      if (params.has_dlogits != 0u) { dlogits[f * n + b] = (pr - select(0.0, 1.0, f == label)) / f32(n); }
    }
  }
  let total_loss = workgroup_sum(loss, lid);
  let total_correct = workgroup_sum(correct, lid);
  if (lid == 0u) {
    metrics[0] += total_loss;
    metrics[1] += total_correct;
    metrics[2] += f32(n);
  }
}
