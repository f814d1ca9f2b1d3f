// simpleNN's squared loss, one column of a loss-kernel.wgsl kernel: loss = Σ_f (out − onehot)²,
// dout = 2(out − onehot)/n, correct when the first largest output is the label.

fn add_column(b: u32, totals: ptr<function, LossTotals>) {
  let n = params.n;
  let label = labels[b];
  var top = out[b];
  var best = 0u;
  for (var f = 0u; f < params.classes; f++) {
    let o = out[f * n + b];
    if (o > top) { top = o; best = f; }
    let diff = o - select(0.0, 1.0, f == label);
    (*totals).loss += diff * diff;
    if (params.has_dout != 0u) { dout[f * n + b] = 2.0 * diff / f32(n); }
  }
  if (best == label) { (*totals).correct += 1.0; }
}
