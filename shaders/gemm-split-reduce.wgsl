// Second pass of split-K GEMM: sums the num_splits partial m × n slabs and applies the epilogue.
// One invocation per element of C.

@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(wid, groups, lid);
  let size = params.m * params.n;
  if (i >= size) { return; }
  var sum = 0.0;
  for (var s = 0u; s < params.num_splits; s++) { sum += partial[s * size + i]; }
  gemm_store(i / params.n, i % params.n, sum);
}
