// Flat invocation index for 1-D work spread over a 2-D grid of 1-D workgroups: a dispatch has at
// most 65,535 workgroups per dimension, so long vectors spill over into y.

fn linear_index(wid: vec3<u32>, groups: vec3<u32>, lid: u32) -> u32 {
  return (wid.y * groups.x + wid.x) * WG_X + lid;
}
