// Average-pool backward as a gather: each input element sums Δ/(kh·kw) over the windows that
// cover it. No atomics; every element of dx is written.

@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(wid, groups, lid);
  if (i >= params.planes * params.in_h * params.in_w) { return; }
  let x = i % params.in_w;
  let rest = i / params.in_w;
  let y = rest % params.in_h;
  let plane = rest / params.in_h;

  let oh_first = select(0u, (y + 1u - params.k_h + params.stride_h - 1u) / params.stride_h, y + 1u > params.k_h);
  let ow_first = select(0u, (x + 1u - params.k_w + params.stride_w - 1u) / params.stride_w, x + 1u > params.k_w);
  let oh_last = min(y / params.stride_h + 1u, params.out_h);
  let ow_last = min(x / params.stride_w + 1u, params.out_w);

  let inv = 1.0 / f32(params.k_h * params.k_w);
  var sum = 0.0;
  for (var oh = oh_first; oh < oh_last; oh++) {
    for (var ow = ow_first; ow < ow_last; ow++) {
      sum += dy[(plane * params.out_h + oh) * params.out_w + ow] * inv;
    }
  }
  dx[i] = sum;
}
