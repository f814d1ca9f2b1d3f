// The frame every loss kernel shares, over a classes × n matrix (column b is sample b) in a single
// workgroup: invocation lid takes columns lid, lid + WG_X, …, and the loss file linked after this
// one supplies `fn add_column(b: u32, totals: ptr<function, LossTotals>)`, which adds the column's
// loss and, when the column is classified correctly, 1. The invocations' totals are tree-reduced
// (workgroup-sum.wgsl) and added into metrics = [loss, correct, examples], so the training loop
// never reads anything back.

struct LossTotals { loss: f32, correct: f32 }

@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(local_invocation_index) lid: u32) {
  var totals = LossTotals(0.0, 0.0);
  for (var b = lid; b < params.n; b += WG_X) { add_column(b, &totals); }
  let total_loss = workgroup_sum(totals.loss, lid);
  let total_correct = workgroup_sum(totals.correct, lid);
  if (lid == 0u) {
    metrics[0] += total_loss;
    metrics[1] += total_correct;
    metrics[2] += f32(params.n);
  }
}
