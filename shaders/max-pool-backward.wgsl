// Max-pool backward as a gather: each input element sums Δ over the windows that cover it and
// selected it (argmax == its offset), in increasing output order like the cpu's scatter. No
// atomics; every element of dx is written.

@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(wid, groups, lid);
  if (i >= params.planes * params.in_h * params.in_w) { return; }
  let w = pool_covering_windows(i);
  var sum = 0.0;
  for (var oh = w.first.y; oh < w.last.y; oh++) {
    for (var ow = w.first.x; ow < w.last.x; ow++) {
      let o = (w.plane * params.out_h + oh) * params.out_w + ow;
      if (argmax[o] == i) { sum += dy[o]; }
    }
  }
  dx[i] = sum;
}
