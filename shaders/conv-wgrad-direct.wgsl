// Direct filter gradient, first pass: partial sums of dW[f, c, p, q] = Σ Δ[f, n, oh, ow] ·
// x[c, n, oh + p − ph, ow + q − pw] (stride 1) over one chunk of output rows (n, oh) each, with
// no shared memory and no barriers. An invocation owns 4 filters × 4 neighbouring taps q0 … q0+3
// of one kernel row p of one input channel c: walking its rows it slides a 4-wide window along x,
// so each pixel costs one input load and one Δ load per filter for 16 FMAs. It also sums Δ (the
// bias gradient), stored by the invocations of c = 0, p = 0, q0 = 0.
//
// Neighbouring invocations take neighbouring (q-block, p, c, filter group) over the same rows, so
// they read the same Δ and neighbouring rows of x. Partials go to `partial` as chunk-major
// F × n_cols slabs (n_cols = C·kh·kw, plus the bias column when has_bias), the layout
// gemm-split-reduce.wgsl sums (its row sums column is the bias).

fn wgrad_input(row: u32, x: i32, row_ok: bool) -> f32 {
  // Clamped so the load stays inside the plane; the select zeroes the padding.
  let inside = row_ok && x >= 0 && x < i32(params.in_w);
  let v = image[row + u32(clamp(x, 0, i32(params.in_w) - 1))];
  return select(0.0, v, inside);
}

@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(wid, groups, lid);
  let q_blocks = (params.k_w + 3u) / 4u;
  let owners = ((params.out_c + 3u) / 4u) * params.in_c * params.k_h * q_blocks;
  if (i >= owners * params.chunks) { return; }
  let owner = i % owners;
  let chunk = i / owners;
  let q0 = (owner % q_blocks) * 4u;
  var rest = owner / q_blocks;
  let p = rest % params.k_h;
  rest /= params.k_h;
  let c = rest % params.in_c;
  let f0 = (rest / params.in_c) * 4u;

  // Past the last filter the lanes repeat it and are not stored.
  let pixels = params.batch * params.out_h * params.out_w;
  let last = params.out_c - 1u;
  let d_lanes = vec4(min(f0, last), min(f0 + 1u, last), min(f0 + 2u, last), min(f0 + 3u, last)) * pixels;

  let r0 = chunk * params.rows_per_chunk;
  let r1 = min(params.batch * params.out_h, r0 + params.rows_per_chunk);
  var img = r0 / params.out_h;
  var oh = r0 % params.out_h;
  let x0 = i32(q0) - params.pad_w;
  var acc0 = vec4<f32>(); var acc1 = vec4<f32>(); var acc2 = vec4<f32>(); var acc3 = vec4<f32>();
  var d_sum = vec4<f32>();
  for (var r = r0; r < r1; r++) {
    // Rows of x outside the image read as zeros (not skipped: Δ's row still counts for the bias).
    let y = i32(oh + p) - params.pad_h;
    let row_ok = y >= 0 && y < i32(params.in_h);
    let row = ((c * params.batch + img) * params.in_h + u32(clamp(y, 0, i32(params.in_h) - 1))) * params.in_w;
    let d_row = d_lanes + vec4((img * params.out_h + oh) * params.out_w);
    var v0 = wgrad_input(row, x0, row_ok);
    var v1 = wgrad_input(row, x0 + 1, row_ok);
    var v2 = wgrad_input(row, x0 + 2, row_ok);
    for (var ow = 0u; ow < params.out_w; ow++) {
      let v3 = wgrad_input(row, x0 + i32(ow) + 3, row_ok);
      let at = d_row + vec4(ow);
      let d = vec4(grad[at.x], grad[at.y], grad[at.z], grad[at.w]);
      acc0 += v0 * d; acc1 += v1 * d; acc2 += v2 * d; acc3 += v3 * d;
      d_sum += d;
      v0 = v1; v1 = v2; v2 = v3;
    }
    oh += 1u;
    if (oh == params.out_h) { oh = 0u; img += 1u; }
  }

  let taps = params.k_h * params.k_w;
  let count = min(4u, params.k_w - q0);
  for (var j = 0u; j < 4u; j++) {
    let f = f0 + j;
    if (f >= params.out_c) { break; }
    let slab = (chunk * params.out_c + f) * params.n_cols;
    let out = vec4(acc0[j], acc1[j], acc2[j], acc3[j]);
    let first = c * taps + p * params.k_w + q0;
    for (var t = 0u; t < count; t++) { partial[slab + first + t] = out[t]; }
    if (params.has_bias != 0u && c == 0u && p == 0u && q0 == 0u) { partial[slab + params.n_cols - 1u] = d_sum[j]; }
  }
}
