// Tiled GEMM engine behind every matrix product (plain GEMM and the implicit-GEMM convolutions).
//
// A workgroup of WG_X × WG_Y invocations computes a TILE_M × TILE_N block of C = op(A)·op(B),
// TILE_M = 4·WG_Y and TILE_N = 4·WG_X: each invocation keeps a 4 × 4 micro-tile of C in registers.
// Per step of TK along k the workgroup stages a TK × TILE_M slice of op(A) and a TK × TILE_N slice
// of op(B) in shared memory as vec4s, so the inner loop does two shared-memory loads per 16 FMAs.
//
// The operand file linked before this one supplies
//   fn load_a4(row, k) -> vec4<f32>   op(A)[row .. row+3, k], 0 outside the matrix
//   fn load_b4(k, col) -> vec4<f32>   op(B)[k, col .. col+3], 0 outside the matrix
//   fn a_k_fastest() -> bool, fn b_k_fastest() -> bool    true when the source is contiguous along k,
//       so neighbouring invocations load neighbouring addresses
// (four elements per call, so gathers decode their index arithmetic once per four).
// and gemm-epilogue.wgsl supplies gemm_store(row, col, acc).
//
// Row sums (row_sums = 1): op(B)'s last column, n − 1, is read as all ones, so column n − 1 of the
// product is Σ_k op(A)[row, k] (a bias gradient next to a weight gradient, one kernel for both);
// gemm-epilogue.wgsl stores it to `aux` and the other columns to C with row stride n − 1.
//
// Large grids: past 65,535 tiles along a dimension the tiles spill into z. z = spill·num_splits +
// split, spill = row_spill·col_spill + col_spill_index, so the tile column is
// col_spill_index·groups.x + wid.x (rows likewise); tiles past the matrix return at once.
//
// Split-K: workgroup z sums k in [z·k_chunk, min(k, (z+1)·k_chunk)); k_chunk is a multiple of TK.
// With one split it applies the epilogue itself; otherwise it writes its raw partial sums to
// `partial` (split-major m × n slabs) and gemm-split-reduce.wgsl finishes.

const TILE_M = 4u * WG_Y;
const TILE_N = 4u * WG_X;
const THREADS = WG_X * WG_Y;

var<workgroup> a_tile: array<vec4<f32>, TK * WG_Y>;  // [kk][row / 4]
var<workgroup> b_tile: array<vec4<f32>, TK * WG_X>;  // [kk][col / 4]

fn stage_a(row0: u32, k0: u32, first: u32) {
  let k_major = a_k_fastest();
  for (var u = first; u < TK * WG_Y; u += THREADS) {
    var kk: u32; var r4: u32;
    if (k_major) { kk = u % TK; r4 = u / TK; } else { kk = u / WG_Y; r4 = u % WG_Y; }
    a_tile[kk * WG_Y + r4] = load_a4(row0 + 4u * r4, k0 + kk);
  }
}

fn stage_b(col0: u32, k0: u32, first: u32) {
  let k_major = b_k_fastest();
  for (var u = first; u < TK * WG_X; u += THREADS) {
    var kk: u32; var c4: u32;
    if (k_major) { kk = u % TK; c4 = u / TK; } else { kk = u / WG_X; c4 = u % WG_X; }
    var bv = load_b4(k0 + kk, col0 + 4u * c4);
    if (params.row_sums != 0u) {
      let ones = col0 + 4u * c4 + 3u >= params.n - 1u;  // this vec4 reaches the ones column
      if (ones) {
        let inside = select(0.0, 1.0, k0 + kk < params.k);
        for (var lane = 0u; lane < 4u; lane++) {
          if (col0 + 4u * c4 + lane == params.n - 1u) { bv[lane] = inside; }
        }
      }
    }
    b_tile[kk * WG_X + c4] = bv;
  }
}

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) flat: u32) {
  let split = wid.z % params.num_splits;
  let spill = wid.z / params.num_splits;
  let row0 = ((spill / params.col_spill) * groups.y + wid.y) * TILE_M;
  let col0 = ((spill % params.col_spill) * groups.x + wid.x) * TILE_N;
  // Uniform per workgroup (built from workgroup ids), so the barriers below stay uniform.
  if (row0 >= params.m || col0 >= params.n) { return; }
  let k_begin = split * params.k_chunk;
  let k_end = min(params.k, k_begin + params.k_chunk);

  var acc: array<vec4<f32>, 4>;
  for (var k0 = k_begin; k0 < k_end; k0 += TK) {
    stage_a(row0, k0, flat);
    stage_b(col0, k0, flat);
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      let a = a_tile[kk * WG_Y + lid.y];
      let b = b_tile[kk * WG_X + lid.x];
      acc[0] += a.x * b;
      acc[1] += a.y * b;
      acc[2] += a.z * b;
      acc[3] += a.w * b;
    }
    workgroupBarrier();
  }

  let has_splits = params.num_splits > 1u;
  for (var i = 0u; i < 4u; i++) {
    let row = row0 + 4u * lid.y + i;
    if (row >= params.m) { break; }
    for (var j = 0u; j < 4u; j++) {
      let col = col0 + 4u * lid.x + j;
      if (col >= params.n) { break; }
      if (has_splits) {
        partial[(split * params.m + row) * params.n + col] = acc[i][j];
      } else {
        gemm_store(row, col, acc[i][j]);
      }
    }
  }
}
