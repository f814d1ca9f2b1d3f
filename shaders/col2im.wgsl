// dx = col2im(cols) as a gather: each input pixel (c, n, y, x) sums the entries of
// cols = Wᵀ·Δ ((C·kh·kw) × (N·OH·OW)) of every window that covers it, so no two invocations write
// the same address and no atomics are needed. Overwrites dx.

@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(wid, groups, lid);
  if (i >= params.channels * params.batch * params.in_h * params.in_w) { return; }
  let x = i % params.in_w;
  let rest = i / params.in_w;
  let y = rest % params.in_h;
  let plane = rest / params.in_h;          // c·N + n
  let img = plane % params.batch;
  let ch = plane / params.batch;
  let pixels = params.batch * params.out_h * params.out_w;

  var sum = 0.0;
  for (var p = 0u; p < params.k_h; p++) {
    let ty = i32(y + params.pad_h) - i32(p);
    if (ty < 0) { break; }
    let oh = u32(ty) / params.stride_h;
    if (oh * params.stride_h != u32(ty) || oh >= params.out_h) { continue; }
    for (var q = 0u; q < params.k_w; q++) {
      let tx = i32(x + params.pad_w) - i32(q);
      if (tx < 0) { break; }
      let ow = u32(tx) / params.stride_w;
      if (ow * params.stride_w != u32(tx) || ow >= params.out_w) { continue; }
      let tap = (ch * params.k_h + p) * params.k_w + q;
      sum += cols[tap * pixels + (img * params.out_h + oh) * params.out_w + ow];
    }
  }
  dx[i] = sum;
}
