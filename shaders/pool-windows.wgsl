// Index arithmetic shared by the pooling kernels (planes = c·N + n; no padding).

/** Flat input offset of the top-left element of output o's window. */
fn pool_window_origin(o: u32) -> u32 {
  let ow = o % params.out_w;
  let rest = o / params.out_w;
  let oh = rest % params.out_h;
  let plane = rest / params.out_h;
  return (plane * params.in_h + oh * params.stride_h) * params.in_w + ow * params.stride_w;
}

/** The windows that cover input element i: outputs [first.x, last.x) × [first.y, last.y) of its plane. */
struct CoveringWindows { plane: u32, first: vec2<u32>, last: vec2<u32> }

fn pool_covering_windows(i: u32) -> CoveringWindows {
  let x = i % params.in_w;
  let rest = i / params.in_w;
  let y = rest % params.in_h;
  // Windows oh with oh·sh ≤ y < oh·sh + kh, clipped to the output.
  let oh_first = select(0u, (y + 1u - params.k_h + params.stride_h - 1u) / params.stride_h, y + 1u > params.k_h);
  let ow_first = select(0u, (x + 1u - params.k_w + params.stride_w - 1u) / params.stride_w, x + 1u > params.k_w);
  let oh_last = min(y / params.stride_h + 1u, params.out_h);
  let ow_last = min(x / params.stride_w + 1u, params.out_w);
  return CoveringWindows(rest / params.in_h, vec2<u32>(ow_first, oh_first), vec2<u32>(ow_last, oh_last));
}
