// Implicit-GEMM data gradient: dx straight into the C × N·H·W layout, no col2im pass. k runs over
// (filter f, tap p, q):
//   op(A)[c, (f, p, q)]          = W[f, c, p, q]
//   op(B)[(f, p, q), (n, y, x)]  = Δ[f, n, oh, ow]  where y = oh·sh − ph + p and x = ow·sw − pw + q,
// and 0 when (y + ph − p) or (x + pw − q) is not a multiple of the stride or falls outside Δ.
// With stride s only 1/s² of op(B) is non-zero, which is why strided layers use col2im instead.

fn a_k_fastest() -> bool { return true; }
fn b_k_fastest() -> bool { return false; }

fn load_a(row: u32, k: u32) -> f32 {
  if (row >= params.m || k >= params.k) { return 0.0; }
  let taps = params.k_h * params.k_w;
  return weights[((k / taps) * params.channels + row) * taps + k % taps];
}

fn load_a4(row: u32, k: u32) -> vec4<f32> {
  return vec4(load_a(row, k), load_a(row + 1u, k), load_a(row + 2u, k), load_a(row + 3u, k));
}

/** Δ[f, img, (y + ph − p)/sh, (x + pw − q)/sw] or 0. */
fn delta_at(f: u32, p: u32, q: u32, img: u32, y: u32, x: u32) -> f32 {
  let ty = i32(y + params.pad_h) - i32(p);
  let tx = i32(x + params.pad_w) - i32(q);
  if (ty < 0 || tx < 0) { return 0.0; }
  let oh = u32(ty) / params.stride_h;
  let ow = u32(tx) / params.stride_w;
  if (oh * params.stride_h != u32(ty) || ow * params.stride_w != u32(tx) || oh >= params.out_h || ow >= params.out_w) {
    return 0.0;
  }
  return grad[((f * params.batch + img) * params.out_h + oh) * params.out_w + ow];
}

fn load_b4(k: u32, col: u32) -> vec4<f32> {
  var out = vec4<f32>();
  if (k >= params.k) { return out; }
  let taps = params.k_h * params.k_w;
  let f = k / taps;
  let p = (k % taps) / params.k_w;
  let q = k % params.k_w;
  var x = col % params.in_w;
  let rest = col / params.in_w;
  var y = rest % params.in_h;
  var img = rest / params.in_h;
  let end = min(4u, params.n - min(col, params.n));
  for (var j = 0u; j < end; j++) {
    out[j] = delta_at(f, p, q, img, y, x);
    x += 1u;
    if (x == params.in_w) { x = 0u; y += 1u; if (y == params.in_h) { y = 0u; img += 1u; } }
  }
  return out;
}
