// Tree reduction of one f32 per invocation across a 1-D workgroup of WG_X (a power of two)
// invocations. Every invocation must call it (it contains barriers); all get the total.

var<workgroup> partial_sums: array<f32, WG_X>;

fn workgroup_sum(value: f32, lid: u32) -> f32 {
  partial_sums[lid] = value;
  workgroupBarrier();
  for (var stride = WG_X / 2u; stride > 0u; stride >>= 1u) {
    if (lid < stride) { partial_sums[lid] += partial_sums[lid + stride]; }
    workgroupBarrier();
  }
  let total = partial_sums[0];
  workgroupBarrier();  // the array may be reused right after
  return total;
}
