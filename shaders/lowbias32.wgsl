// Chris Wellons' lowbias32 integer hash, step for step as lowbias32() in src/engine/random.ts
// (u32 arithmetic wraps in WGSL exactly like Math.imul(…) >>> 0).

fn lowbias32(v: u32) -> u32 {
  var x = v;
  x ^= x >> 16u;
  x *= 0x7feb352du;
  x ^= x >> 15u;
  x *= 0x846ca68bu;
  x ^= x >> 16u;
  return x;
}
