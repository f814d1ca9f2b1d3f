// Direct stride-1 convolution, register-tiled: each invocation computes a 2 × 4 block of output
// pixels (4 neighbouring pixels of two neighbouring rows) for 4 consecutive output channels, 32
// outputs in registers. Per kernel row it slides a 4-wide window along each of its two input rows,
// so every input value it loads feeds 4 channels and every weight vec4 feeds 8 pixels (32 FMAs per
// weight vec4 and about two input loads), with no shared memory and no barriers: barriers are what
// a software adapter pays most for (docs/performance.md). Neighbouring invocations take
// neighbouring blocks, so their loads and stores touch neighbouring addresses.
//
// The same loop runs both passes (conv.ts):
//   forward  x (in_c = C) → y (out_c = F), W read as W[f, c, p, q]
//   dgrad    Δ (in_c = F) → dx (out_c = C): the transposed convolution of Δ, padding k − 1 − pad,
//            W read flipped as W[f, c, kh − 1 − p, kw − 1 − q]
// The weight of output channel j, input channel ch, tap (p, q) is
//   weights[ch·ch_stride + j·out_stride + (flip ? kh·kw − 1 − (p·kw + q) : p·kw + q)].

fn strip_input(row: u32, x: i32, row_ok: bool) -> f32 {
  // Clamped so the load stays inside the plane; the select zeroes the padding.
  let inside = row_ok && x >= 0 && x < i32(params.in_w);
  let v = image[row + u32(clamp(x, 0, i32(params.in_w) - 1))];
  return select(0.0, v, inside);
}

/** Offset of input row y of a plane, clamped into it (row_ok says whether it was inside). */
fn strip_row(plane: u32, y: i32) -> u32 {
  return (plane + u32(clamp(y, 0, i32(params.in_h) - 1))) * params.in_w;
}

fn store_strip(f: u32, first: u32, count: u32, out: vec4<f32>) {
  for (var px = 0u; px < count; px++) {
    let at = f * params.batch * params.out_h * params.out_w + first + px;
    y_out[at] = out[px];
    // Fused activation (epilogue = 1 + kind), as in gemm-epilogue.wgsl.
    if (params.epilogue != 0u && params.epilogue <= 3u) { aux[at] = activate(params.epilogue - 1u, out[px]); }
  }
}

@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(wid, groups, lid);
  let strips_per_row = (params.out_w + 3u) / 4u;
  let row_pairs = (params.out_h + 1u) / 2u;
  let blocks = params.batch * row_pairs * strips_per_row;
  if (i >= ((params.out_c + 3u) / 4u) * blocks) { return; }
  let block = i % blocks;
  let j0 = (i / blocks) * 4u;
  let ox0 = (block % strips_per_row) * 4u;
  let rest = block / strips_per_row;
  let oy = (rest % row_pairs) * 2u;          // rows oy and oy + 1 (when it exists)
  let img = rest / row_pairs;
  let second = oy + 1u < params.out_h;

  // Past the last output channel the lanes repeat it and are not stored.
  let last = params.out_c - 1u;
  let lanes = vec4(min(j0, last), min(j0 + 1u, last), min(j0 + 2u, last), min(j0 + 3u, last)) * params.out_stride;
  let taps = params.k_h * params.k_w;
  let flip = params.flip != 0u;
  let tap_step = vec4(select(1u, 0xffffffffu, flip));

  // a*: row oy, b*: row oy + 1; each vec4 holds the 4 channels of one pixel.
  var a0 = vec4<f32>(); var a1 = vec4<f32>(); var a2 = vec4<f32>(); var a3 = vec4<f32>();
  var b0 = vec4<f32>(); var b1 = vec4<f32>(); var b2 = vec4<f32>(); var b3 = vec4<f32>();
  let x0 = i32(ox0) - params.pad_w;
  for (var ch = 0u; ch < params.in_c; ch++) {
    let plane = (ch * params.batch + img) * params.in_h;
    let w_ch = lanes + vec4(ch * params.ch_stride);
    for (var p = 0u; p < params.k_h; p++) {
      let ya = i32(oy + p) - params.pad_h;
      let a_ok = ya >= 0 && ya < i32(params.in_h);
      let b_ok = second && ya + 1 >= 0 && ya + 1 < i32(params.in_h);
      if (!a_ok && !b_ok) { continue; }
      let row_a = strip_row(plane, ya);
      let row_b = strip_row(plane, ya + 1);
      var u0 = strip_input(row_a, x0, a_ok);
      var u1 = strip_input(row_a, x0 + 1, a_ok);
      var u2 = strip_input(row_a, x0 + 2, a_ok);
      var v0 = strip_input(row_b, x0, b_ok);
      var v1 = strip_input(row_b, x0 + 1, b_ok);
      var v2 = strip_input(row_b, x0 + 2, b_ok);
      // Tap index of (p, 0), stepping by ±1 along q (u32 arithmetic wraps, so −1 is 0xffffffff).
      var t = w_ch + vec4(select(p * params.k_w, taps - 1u - p * params.k_w, flip));
      for (var q = 0u; q < params.k_w; q++) {
        let u3 = strip_input(row_a, x0 + i32(q) + 3, a_ok);
        let v3 = strip_input(row_b, x0 + i32(q) + 3, b_ok);
        let w = vec4(weights[t.x], weights[t.y], weights[t.z], weights[t.w]);
        t += tap_step;
        a0 += u0 * w; a1 += u1 * w; a2 += u2 * w; a3 += u3 * w;
        b0 += v0 * w; b1 += v1 * w; b2 += v2 * w; b3 += v3 * w;
        u0 = u1; u1 = u2; u2 = u3;
        v0 = v1; v1 = v2; v2 = v3;
      }
    }
  }

  let first = (img * params.out_h + oy) * params.out_w + ox0;
  let count = min(4u, params.out_w - ox0);
  for (var j = 0u; j < 4u; j++) {
    let f = j0 + j;
    if (f >= params.out_c) { break; }
    var b = 0.0;
    if (params.has_bias != 0u) { b = bias[f]; }
    store_strip(f, first, count, vec4(a0[j], a1[j], a2[j], a3[j]) + vec4(b));
    if (second) { store_strip(f, first + params.out_w, count, vec4(b0[j], b1[j], b2[j], b3[j]) + vec4(b)); }
  }
}
