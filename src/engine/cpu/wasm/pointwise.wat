;; The CPU engine's cheap-per-element ops that a LeNet-5 profile still shows once the GEMM and the
;; convolutions run in wasm: relu and its gradient, row sums (bias gradients), max pooling.
;; relu and max pooling give the TypeScript kernels' results bit for bit: relu keeps x only where
;; x > 0 (NaN and −0 give +0); the first maximum of a window in row-major order wins ties, and a NaN
;; never replaces the running maximum.
;; Pointers are byte offsets; counts are elements.
(module
  (import "env" "memory" (memory 1))

  ;; bytes at ptr = 0. A typed-array fill on a shared memory's buffer runs ~4.5× slower than on an
  ;; unshared one (V8 takes its element-by-element path); memory.fill is a memset either way.
  (func (export "zero_bytes") (param $ptr i32) (param $bytes i32)
    (memory.fill (local.get $ptr) (i32.const 0) (local.get $bytes)))

  ;; y = x > 0 ? x : 0
  (func $relu_forward (export "relu_forward") (param $x i32) (param $y i32) (param $count i32)
    (local $end i32) (local $v v128) (local $s f32)
    (local.set $end (i32.add (local.get $x) (i32.shl (i32.and (local.get $count) (i32.const -4)) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $v (v128.load (local.get $x)))
      (v128.store (local.get $y) (v128.and (local.get $v) (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0))))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $y (i32.add (local.get $y) (i32.const 16)))
      (br $next)))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $count) (i32.const 3)) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $s (f32.load (local.get $x)))
      (f32.store (local.get $y) (select (local.get $s) (f32.const 0) (f32.gt (local.get $s) (f32.const 0))))
      (local.set $x (i32.add (local.get $x) (i32.const 4)))
      (local.set $y (i32.add (local.get $y) (i32.const 4)))
      (br $next))))

  ;; relu_forward on each of `rows` rows of `cols` elements, `ld` elements apart, from x into y: the
  ;; GEMM's epilogue applies it to each block of C while that block is still in cache.
  (func (export "relu_rows") (param $x i32) (param $y i32) (param $rows i32) (param $cols i32) (param $ld i32)
    (local $ldb i32)
    (local.set $ldb (i32.shl (local.get $ld) (i32.const 2)))
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $rows)))
      (call $relu_forward (local.get $x) (local.get $y) (local.get $cols))
      (local.set $x (i32.add (local.get $x) (local.get $ldb)))
      (local.set $y (i32.add (local.get $y) (local.get $ldb)))
      (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
      (br $next))))

  ;; dx = y > 0 ? dy : 0
  (func (export "relu_backward") (param $y i32) (param $dy i32) (param $dx i32) (param $count i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $y) (i32.shl (i32.and (local.get $count) (i32.const -4)) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $y) (local.get $end)))
      (v128.store (local.get $dx) (v128.and (v128.load (local.get $dy))
        (f32x4.gt (v128.load (local.get $y)) (v128.const f32x4 0 0 0 0))))
      (local.set $y (i32.add (local.get $y) (i32.const 16)))
      (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
      (local.set $dx (i32.add (local.get $dx) (i32.const 16)))
      (br $next)))
    (local.set $end (i32.add (local.get $end) (i32.shl (i32.and (local.get $count) (i32.const 3)) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $y) (local.get $end)))
      (f32.store (local.get $dx) (select (f32.load (local.get $dy)) (f32.const 0) (f32.gt (f32.load (local.get $y)) (f32.const 0))))
      (local.set $y (i32.add (local.get $y) (i32.const 4)))
      (local.set $dy (i32.add (local.get $dy) (i32.const 4)))
      (local.set $dx (i32.add (local.get $dx) (i32.const 4)))
      (br $next))))

  ;; sums[r] (+)= Σ_j m[r, j] over a rows × cols matrix, in f64 like the TypeScript kernel but as four
  ;; interleaved partial sums added at the end (a fixed order, so deterministic; equal to the
  ;; sequential sum up to f64 rounding, which the final rounding to f32 almost always hides).
  (func (export "row_sums") (param $m i32) (param $rows i32) (param $cols i32) (param $sums i32) (param $accumulate i32)
    (local $r i32) (local $end i32) (local $tail i32) (local $v v128) (local $lo v128) (local $hi v128) (local $s f64)
    (block $done_r (loop $next_r
      (br_if $done_r (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $lo (v128.const f64x2 0 0))
      (local.set $hi (v128.const f64x2 0 0))
      (local.set $end (i32.add (local.get $m) (i32.shl (i32.and (local.get $cols) (i32.const -4)) (i32.const 2))))
      (local.set $tail (i32.add (local.get $m) (i32.shl (local.get $cols) (i32.const 2))))
      (block $done (loop $next
        (br_if $done (i32.ge_u (local.get $m) (local.get $end)))
        (local.set $v (v128.load (local.get $m)))
        (local.set $lo (f64x2.add (local.get $lo) (f64x2.promote_low_f32x4 (local.get $v))))
        (local.set $hi (f64x2.add (local.get $hi)
          (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
        (local.set $m (i32.add (local.get $m) (i32.const 16)))
        (br $next)))
      (local.set $lo (f64x2.add (local.get $lo) (local.get $hi)))
      (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $lo)) (f64x2.extract_lane 1 (local.get $lo))))
      (block $done (loop $next
        (br_if $done (i32.ge_u (local.get $m) (local.get $tail)))
        (local.set $s (f64.add (local.get $s) (f64.promote_f32 (f32.load (local.get $m)))))
        (local.set $m (i32.add (local.get $m) (i32.const 4)))
        (br $next)))
      (if (local.get $accumulate)
        (then (local.set $s (f64.add (local.get $s) (f64.promote_f32 (f32.load (local.get $sums)))))))
      (f32.store (local.get $sums) (f32.demote_f64 (local.get $s)))
      (local.set $sums (i32.add (local.get $sums) (i32.const 4)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $next_r))))

  ;; Max pooling of planes [plane, planes) of x (each h × w) into y and arg, which point at the first
  ;; of those planes' outputs (each oh × ow), with kh × kw windows at strides sh, sw; arg[o] = the
  ;; input's flat element index in x. Windows of width 2 at stride 2 (the usual 2 × 2 / 2) take 4
  ;; outputs per step from 2 vector loads per window row (those windows never reach past the row:
  ;; w ≥ 2·ow).
  (func (export "max_pool_forward") (param $x i32) (param $y i32) (param $arg i32) (param $plane i32) (param $planes i32)
    (param $h i32) (param $w i32) (param $oh i32) (param $ow i32) (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32)
    (local $r i32) (local $c i32) (local $top i32) (local $i i32) (local $j i32) (local $at i32)
    (local $best f32) (local $bestAt i32) (local $v f32) (local $vectors i32)
    (local $row i32) (local $vb v128) (local $va v128) (local $cand v128) (local $candAt v128) (local $gt v128)
    (local $l0 v128) (local $l1 v128)
    (local.set $vectors (i32.and (i32.eq (local.get $kw) (i32.const 2)) (i32.eq (local.get $sw) (i32.const 2))))
    (block $done_plane (loop $next_plane
      (br_if $done_plane (i32.ge_u (local.get $plane) (local.get $planes)))
      (local.set $r (i32.const 0))
      (block $done_r (loop $next_r
        (br_if $done_r (i32.ge_u (local.get $r) (local.get $oh)))
        (local.set $c (i32.const 0))
        (local.set $top (i32.add (i32.mul (local.get $plane) (i32.mul (local.get $h) (local.get $w)))
          (i32.mul (i32.mul (local.get $r) (local.get $sh)) (local.get $w))))
        (if (local.get $vectors)
          (then
            (block $done_v (loop $next_v
              ;; The row's last 1–3 outputs: one more vector ending at the row's end, which writes
              ;; again (the same values) the outputs it overlaps, instead of the scalar loop below.
              (if (i32.gt_u (i32.add (local.get $c) (i32.const 4)) (local.get $ow))
                (then
                  (br_if $done_v (i32.or (i32.ge_u (local.get $c) (local.get $ow)) (i32.lt_u (local.get $ow) (i32.const 4))))
                  (local.set $y (i32.sub (local.get $y) (i32.shl (i32.sub (i32.add (local.get $c) (i32.const 4)) (local.get $ow)) (i32.const 2))))
                  (local.set $arg (i32.sub (local.get $arg) (i32.shl (i32.sub (i32.add (local.get $c) (i32.const 4)) (local.get $ow)) (i32.const 2))))
                  (local.set $c (i32.sub (local.get $ow) (i32.const 4)))))
              (local.set $i (i32.const 0))
              (loop $next_i
                ;; Window row i of outputs c .. c+3: inputs 2c .. 2c+7 of that row, split into even (j = 0)
                ;; and odd (j = 1) columns, compared in row-major order.
                (local.set $row (i32.add (i32.add (local.get $top) (i32.mul (local.get $i) (local.get $w))) (i32.shl (local.get $c) (i32.const 1))))
                (local.set $at (i32.add (local.get $x) (i32.shl (local.get $row) (i32.const 2))))
                (local.set $l0 (v128.load offset=0 (local.get $at)))
                (local.set $l1 (v128.load offset=16 (local.get $at)))
                (local.set $cand (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $l0) (local.get $l1)))
                (local.set $candAt (i32x4.add (i32x4.splat (local.get $row)) (v128.const i32x4 0 2 4 6)))
                (if (i32.eqz (local.get $i))
                  (then (local.set $vb (local.get $cand)) (local.set $va (local.get $candAt)))
                  (else
                    (local.set $gt (f32x4.gt (local.get $cand) (local.get $vb)))
                    (local.set $vb (v128.bitselect (local.get $cand) (local.get $vb) (local.get $gt)))
                    (local.set $va (v128.bitselect (local.get $candAt) (local.get $va) (local.get $gt)))))
                (local.set $cand (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $l0) (local.get $l1)))
                (local.set $candAt (i32x4.add (local.get $candAt) (v128.const i32x4 1 1 1 1)))
                (local.set $gt (f32x4.gt (local.get $cand) (local.get $vb)))
                (local.set $vb (v128.bitselect (local.get $cand) (local.get $vb) (local.get $gt)))
                (local.set $va (v128.bitselect (local.get $candAt) (local.get $va) (local.get $gt)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br_if $next_i (i32.lt_u (local.get $i) (local.get $kh))))
              (v128.store (local.get $y) (local.get $vb))
              (v128.store (local.get $arg) (local.get $va))
              (local.set $y (i32.add (local.get $y) (i32.const 16)))
              (local.set $arg (i32.add (local.get $arg) (i32.const 16)))
              (local.set $c (i32.add (local.get $c) (i32.const 4)))
              (br $next_v)))))
        ;; One output at a time: every other geometry, and the last outputs of a vector row.
        (block $done_c (loop $next_c
          (br_if $done_c (i32.ge_u (local.get $c) (local.get $ow)))
          (local.set $bestAt (i32.add (local.get $top) (i32.mul (local.get $c) (local.get $sw))))
          (local.set $best (f32.load (i32.add (local.get $x) (i32.shl (local.get $bestAt) (i32.const 2)))))
          (local.set $i (i32.const 0))
          (block $done_i (loop $next_i
            (br_if $done_i (i32.ge_u (local.get $i) (local.get $kh)))
            (local.set $j (i32.const 0))
            (block $done_j (loop $next_j
              (br_if $done_j (i32.ge_u (local.get $j) (local.get $kw)))
              (local.set $at (i32.add (i32.add (i32.add (local.get $top) (i32.mul (local.get $c) (local.get $sw)))
                (i32.mul (local.get $i) (local.get $w))) (local.get $j)))
              (local.set $v (f32.load (i32.add (local.get $x) (i32.shl (local.get $at) (i32.const 2)))))
              (if (f32.gt (local.get $v) (local.get $best))
                (then (local.set $best (local.get $v)) (local.set $bestAt (local.get $at))))
              (local.set $j (i32.add (local.get $j) (i32.const 1)))
              (br $next_j)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $next_i)))
          (f32.store (local.get $y) (local.get $best))
          (i32.store (local.get $arg) (local.get $bestAt))
          (local.set $y (i32.add (local.get $y) (i32.const 4)))
          (local.set $arg (i32.add (local.get $arg) (i32.const 4)))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $next_c)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $next_r)))
      (local.set $plane (i32.add (local.get $plane) (i32.const 1)))
      (br $next_plane))))

  ;; dx = 0 over `inputs` elements, then dx[arg[o]] += dy[o] in output order (arg checked by the caller).
  (func (export "max_pool_backward") (param $dy i32) (param $arg i32) (param $dx i32) (param $outputs i32) (param $inputs i32)
    (local $end i32) (local $at i32)
    (memory.fill (local.get $dx) (i32.const 0) (i32.shl (local.get $inputs) (i32.const 2)))
    (local.set $end (i32.add (local.get $dy) (i32.shl (local.get $outputs) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $dy) (local.get $end)))
      (local.set $at (i32.add (local.get $dx) (i32.shl (i32.load (local.get $arg)) (i32.const 2))))
      (f32.store (local.get $at) (f32.add (f32.load (local.get $at)) (f32.load (local.get $dy))))
      (local.set $dy (i32.add (local.get $dy) (i32.const 4)))
      (local.set $arg (i32.add (local.get $arg) (i32.const 4)))
      (br $next))))
)
