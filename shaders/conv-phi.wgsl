// φ(pad(x)), simpleNN's unrolled input, read straight from the feature maps ("unroll during
// load"): row tap = (c·kh + p)·kw + q, column pixel = (n·OH + oh)·OW + ow. The padding ring and
// anything past the matrix read as 0. Taps and pixels are decoded once per call and then stepped,
// so a 4-wide load costs one set of divisions instead of four.

struct Tap { ch: u32, p: u32, q: u32 }
struct Pixel { img: u32, oh: u32, ow: u32 }

fn decode_tap(tap: u32) -> Tap {
  let cp = tap / params.k_w;
  return Tap(cp / params.k_h, cp % params.k_h, tap % params.k_w);
}

fn next_tap(t: Tap) -> Tap {
  if (t.q + 1u < params.k_w) { return Tap(t.ch, t.p, t.q + 1u); }
  if (t.p + 1u < params.k_h) { return Tap(t.ch, t.p + 1u, 0u); }
  return Tap(t.ch + 1u, 0u, 0u);
}

fn decode_pixel(pixel: u32) -> Pixel {
  let rest = pixel / params.out_w;
  return Pixel(rest / params.out_h, rest % params.out_h, pixel % params.out_w);
}

fn next_pixel(x: Pixel) -> Pixel {
  if (x.ow + 1u < params.out_w) { return Pixel(x.img, x.oh, x.ow + 1u); }
  if (x.oh + 1u < params.out_h) { return Pixel(x.img, x.oh + 1u, 0u); }
  return Pixel(x.img + 1u, 0u, 0u);
}

fn phi_at(t: Tap, x: Pixel) -> f32 {
  let y = i32(x.oh * params.stride_h + t.p) - i32(params.pad_h);
  let z = i32(x.ow * params.stride_w + t.q) - i32(params.pad_w);
  if (y < 0 || z < 0 || y >= i32(params.in_h) || z >= i32(params.in_w)) { return 0.0; }
  return image[((t.ch * params.batch + x.img) * params.in_h + u32(y)) * params.in_w + u32(z)];
}

fn phi_taps() -> u32 { return params.channels * params.k_h * params.k_w; }
fn phi_pixels() -> u32 { return params.batch * params.out_h * params.out_w; }

fn phi(tap: u32, pixel: u32) -> f32 {
  return phi_at(decode_tap(tap), decode_pixel(pixel));
}

/** φ[tap, pixel .. pixel+3]. */
fn phi_row4(tap: u32, pixel: u32) -> vec4<f32> {
  var out = vec4<f32>();
  if (tap >= phi_taps()) { return out; }
  let t = decode_tap(tap);
  var x = decode_pixel(pixel);
  let end = min(4u, phi_pixels() - min(pixel, phi_pixels()));
  for (var j = 0u; j < end; j++) {
    out[j] = phi_at(t, x);
    x = next_pixel(x);
  }
  return out;
}

/** φ[tap .. tap+3, pixel]. */
fn phi_col4(tap: u32, pixel: u32) -> vec4<f32> {
  var out = vec4<f32>();
  if (pixel >= phi_pixels()) { return out; }
  let x = decode_pixel(pixel);
  var t = decode_tap(tap);
  let end = min(4u, phi_taps() - min(tap, phi_taps()));
  for (var j = 0u; j < end; j++) {
    out[j] = phi_at(t, x);
    t = next_tap(t);
  }
  return out;
}
