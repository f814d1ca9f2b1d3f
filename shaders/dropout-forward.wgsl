// Inverted dropout: element i is kept iff lowbias32(i ^ lowbias32(seed)) >= threshold
// (dropoutHash / dropoutThreshold in random.ts), so masks are bit-identical to the cpu's.
// mask[i] = kept ? keep_scale : 0, keep_scale = 1/(1 − p) (0 when p = 1); y = x ⊙ mask.

@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(wid, groups, lid);
  if (i >= params.length) { return; }
  let hash = lowbias32(i ^ lowbias32(params.seed));
  let m = select(0.0, params.keep_scale, hash >= params.threshold);
  mask[i] = m;
  y[i] = x[i] * m;
}
