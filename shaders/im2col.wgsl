// Explicit unrolling: cols = φ(pad(x)), (C·kh·kw) × (N·OH·OW), one invocation per element.

@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(wid, groups, lid);
  let pixels = params.batch * params.out_h * params.out_w;
  if (i >= params.channels * params.k_h * params.k_w * pixels) { return; }
  cols[i] = phi(i / pixels, i % pixels);
}
