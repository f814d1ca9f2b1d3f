// Direct convolution forward, no GEMM and no shared memory: each invocation computes one output
// pixel for four consecutive filters, so every input value it loads feeds four FMAs. No barriers
// and no staging, which wins when C·kh·kw is small (first layers) and the tiled kernels would
// spend most of their time filling tiles (docs/performance.md).

@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(wid, groups, lid);
  let pixels = params.batch * params.out_h * params.out_w;
  if (i >= ((params.filters + 3u) / 4u) * pixels) { return; }
  let pixel = i % pixels;                  // neighbouring invocations: neighbouring pixels
  let f0 = (i / pixels) * 4u;
  let ow = pixel % params.out_w;
  let rest = pixel / params.out_w;
  let oh = rest % params.out_h;
  let img = rest / params.out_h;

  // Rows of W for the four filters; past the last filter they repeat it and are not stored.
  let row_len = params.channels * params.k_h * params.k_w;
  let last = params.filters - 1u;
  let rows = vec4(min(f0, last), min(f0 + 1u, last), min(f0 + 2u, last), min(f0 + 3u, last)) * row_len;

  var acc = vec4<f32>();
  for (var ch = 0u; ch < params.channels; ch++) {
    let plane = (ch * params.batch + img) * params.in_h;
    for (var p = 0u; p < params.k_h; p++) {
      let y = i32(oh * params.stride_h + p) - i32(params.pad_h);
      if (y < 0 || y >= i32(params.in_h)) { continue; }
      for (var q = 0u; q < params.k_w; q++) {
        let x = i32(ow * params.stride_w + q) - i32(params.pad_w);
        if (x < 0 || x >= i32(params.in_w)) { continue; }
        let v = image[(plane + u32(y)) * params.in_w + u32(x)];
        let t = (ch * params.k_h + p) * params.k_w + q;
        acc += v * vec4(weights[rows.x + t], weights[rows.y + t], weights[rows.z + t], weights[rows.w + t]);
      }
    }
  }
  for (var j = 0u; j < 4u; j++) {
    let f = f0 + j;
    if (f < params.filters) {
      var v = acc[j];
      if (params.has_bias != 0u) { v += bias[f]; }
      y_out[f * pixels + pixel] = v;
      // Fused activation (epilogue = 1 + kind), as in gemm-epilogue.wgsl.
      if (params.epilogue != 0u && params.epilogue <= 3u) { aux[f * pixels + pixel] = activate(params.epilogue - 1u, v); }
    }
  }
}
