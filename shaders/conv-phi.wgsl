// φ(pad(x)), simpleNN's unrolled input, read straight from the feature maps ("unroll during
// load"): row tap = (c·kh + p)·kw + q, column pixel = (n·OH + oh)·OW + ow. The padding ring reads
// as 0. Callers keep tap < C·kh·kw and pixel < N·OH·OW.

fn phi(tap: u32, pixel: u32) -> f32 {
  let q = tap % params.k_w;
  let cp = tap / params.k_w;
  let p = cp % params.k_h;
  let ch = cp / params.k_h;
  let ow = pixel % params.out_w;
  let rest = pixel / params.out_w;
  let oh = rest % params.out_h;
  let img = rest / params.out_h;
  let y = i32(oh * params.stride_h + p) - i32(params.pad_h);
  let x = i32(ow * params.stride_w + q) - i32(params.pad_w);
  if (y < 0 || x < 0 || y >= i32(params.in_h) || x >= i32(params.in_w)) { return 0.0; }
  return image[((ch * params.batch + img) * params.in_h + u32(y)) * params.in_w + u32(x)];
}
