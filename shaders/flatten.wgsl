// Flatten between feature maps c × (N·hw) and vectors (c·hw) × N, both directions as gathers that
// write their output contiguously (one invocation per output element).
//   forward:  dst[(ch·hw + s)·N + b] = src[(ch·N + b)·hw + s]
//   backward: dst[(ch·N + b)·hw + s] = src[(ch·hw + s)·N + b]

@compute @workgroup_size(WG_X, 1, 1)
fn forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
           @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(wid, groups, lid);
  if (i >= params.c * params.n * params.hw) { return; }
  let b = i % params.n;
  let feature = i / params.n;      // ch·hw + s
  let s = feature % params.hw;
  let ch = feature / params.hw;
  dst[i] = src[(ch * params.n + b) * params.hw + s];
}

@compute @workgroup_size(WG_X, 1, 1)
fn backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
            @builtin(local_invocation_index) lid: u32) {
  let i = linear_index(wid, groups, lid);
  if (i >= params.c * params.n * params.hw) { return; }
  let s = i % params.hw;
  let plane = i / params.hw;       // ch·N + b
  let b = plane % params.n;
  let ch = plane / params.n;
  dst[i] = src[(ch * params.hw + s) * params.n + b];
}
