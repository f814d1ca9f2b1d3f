;; The packed GEMM's inner loops in 128-bit WebAssembly SIMD (driver and blocking: gemm.ts).
;; C (mc × nc) = alpha·Ã·B̃ + beta·C (+ bias per row), where Ã and B̃ are panels packed here:
;;   Ã: strips of 4 rows of op(A); strip s at s·16·kc bytes, element (r, p) at p·16 + (r mod 4)·4
;;   B̃: strips of 8 columns of op(B); strip s at s·32·kc bytes, element (p, j) at p·32 + (j mod 8)·4
;; so the 4 × 8 micro-kernel reads one 32-byte row of B̃ and broadcasts 4 floats of Ã per k step
;; (4 × 8 beat 6 × 8, 8 × 8, 4 × 12 and 4 × 16: V8 has 15 xmm registers for locals).
;; The build assembles this file twice: as written (f32x4.relaxed_madd, an FMA where the CPU has
;; one) and with every relaxed_madd lowered to f32x4.mul + f32x4.add for runtimes without relaxed SIMD.
;; All pointers and leading dimensions named *b are in bytes; ld and ldc are in elements.
(module
  (import "env" "memory" (memory 1))

  ;; One strip of `strip` rows × kc from any strided operand: element (r, p) at src + r·rstep + p·pstep;
  ;; rows at or past `live` are zero. The edge-strip (and remainder) path of every packer.
  (func $pack_strip_scalar (param $src i32) (param $rstep i32) (param $pstep i32) (param $live i32)
    (param $kc i32) (param $strip i32) (param $dst i32)
    (local $p i32) (local $r i32) (local $row i32)
    (local.set $p (i32.const 0))
    (block $done_p (loop $next_p
      (br_if $done_p (i32.ge_u (local.get $p) (local.get $kc)))
      (local.set $row (i32.add (local.get $src) (i32.mul (local.get $p) (local.get $pstep))))
      (local.set $r (i32.const 0))
      (block $done_r (loop $next_r
        (br_if $done_r (i32.ge_u (local.get $r) (local.get $strip)))
        (f32.store (local.get $dst)
          (if (result f32) (i32.lt_u (local.get $r) (local.get $live))
            (then (f32.load (i32.add (local.get $row) (i32.mul (local.get $r) (local.get $rstep)))))
            (else (f32.const 0))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $next_r)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $next_p))))

  ;; Rows [0, rows) × depth [0, kc) of op(A) from src (already offset to the block's first element):
  ;; not transposed, element (r, p) at src + (r·ld + p)·4; transposed (A stored k × m), src + (p·ld + r)·4.
  (func (export "pack_a") (param $src i32) (param $ld i32) (param $trans i32) (param $rows i32)
    (param $kc i32) (param $dst i32)
    (local $ldb i32) (local $r i32) (local $p i32) (local $s0 i32) (local $d i32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $ldb (i32.shl (local.get $ld) (i32.const 2)))
    (local.set $r (i32.const 0))
    (block $done (loop $strip
      (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
      (if (i32.lt_u (i32.sub (local.get $rows) (local.get $r)) (i32.const 4))
        (then
          (if (local.get $trans)
            (then (call $pack_strip_scalar (local.get $src) (i32.const 4) (local.get $ldb)
              (i32.sub (local.get $rows) (local.get $r)) (local.get $kc) (i32.const 4) (local.get $dst)))
            (else (call $pack_strip_scalar (local.get $src) (local.get $ldb) (i32.const 4)
              (i32.sub (local.get $rows) (local.get $r)) (local.get $kc) (i32.const 4) (local.get $dst))))
          (br $done)))
      (local.set $p (i32.const 0))
      (local.set $s0 (local.get $src))
      (local.set $d (local.get $dst))
      (if (local.get $trans)
        (then
          ;; Row p of the stored matrix holds the strip's 4 values contiguously.
          (block $done_p (loop $next_p
            (br_if $done_p (i32.ge_u (local.get $p) (local.get $kc)))
            (v128.store (local.get $d) (v128.load (local.get $s0)))
            (local.set $s0 (i32.add (local.get $s0) (local.get $ldb)))
            (local.set $d (i32.add (local.get $d) (i32.const 16)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $next_p))))
        (else
          ;; 4 rows × 4 depths at a time, transposed in registers.
          (block $done_p (loop $next_p
            (br_if $done_p (i32.gt_u (i32.add (local.get $p) (i32.const 4)) (local.get $kc)))
            (local.set $x0 (v128.load (local.get $s0)))
            (local.set $x1 (v128.load (i32.add (local.get $s0) (local.get $ldb))))
            (local.set $x2 (v128.load (i32.add (local.get $s0) (i32.shl (local.get $ldb) (i32.const 1)))))
            (local.set $x3 (v128.load (i32.add (local.get $s0) (i32.mul (local.get $ldb) (i32.const 3)))))
            (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $x0) (local.get $x1)))
            (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $x0) (local.get $x1)))
            (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $x2) (local.get $x3)))
            (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $x2) (local.get $x3)))
            (v128.store offset=0 (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
            (v128.store offset=16 (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
            (v128.store offset=32 (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
            (v128.store offset=48 (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
            (local.set $s0 (i32.add (local.get $s0) (i32.const 16)))
            (local.set $d (i32.add (local.get $d) (i32.const 64)))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (br $next_p)))
          (call $pack_strip_scalar (local.get $s0) (local.get $ldb) (i32.const 4) (i32.const 4)
            (i32.sub (local.get $kc) (local.get $p)) (i32.const 4) (local.get $d))))
      (local.set $src (i32.add (local.get $src)
        (if (result i32) (local.get $trans) (then (i32.const 16)) (else (i32.shl (local.get $ldb) (i32.const 2))))))
      (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $kc) (i32.const 4))))
      (local.set $r (i32.add (local.get $r) (i32.const 4)))
      (br $strip))))

  ;; Columns [0, cols) × depth [0, kc) of op(B) from src: not transposed (B stored k × n), element
  ;; (p, j) at src + (p·ld + j)·4; transposed (B stored n × k), src + (j·ld + p)·4.
  (func (export "pack_b") (param $src i32) (param $ld i32) (param $trans i32) (param $cols i32)
    (param $kc i32) (param $dst i32)
    (local $ldb i32) (local $j i32) (local $p i32) (local $s0 i32) (local $d i32)
    (local.set $ldb (i32.shl (local.get $ld) (i32.const 2)))
    (local.set $j (i32.const 0))
    (block $done (loop $strip
      (br_if $done (i32.ge_u (local.get $j) (local.get $cols)))
      (if (i32.lt_u (i32.sub (local.get $cols) (local.get $j)) (i32.const 8))
        (then
          (if (local.get $trans)
            (then (call $pack_strip_scalar (local.get $src) (local.get $ldb) (i32.const 4)
              (i32.sub (local.get $cols) (local.get $j)) (local.get $kc) (i32.const 8) (local.get $dst)))
            (else (call $pack_strip_scalar (local.get $src) (i32.const 4) (local.get $ldb)
              (i32.sub (local.get $cols) (local.get $j)) (local.get $kc) (i32.const 8) (local.get $dst))))
          (br $done)))
      (if (local.get $trans)
        (then (call $pack_b_transposed_strip (local.get $src) (local.get $ldb) (local.get $kc) (local.get $dst)))
        (else
          (local.set $p (i32.const 0))
          (local.set $s0 (local.get $src))
          (local.set $d (local.get $dst))
          (block $done_p (loop $next_p
            (br_if $done_p (i32.ge_u (local.get $p) (local.get $kc)))
            (v128.store offset=0 (local.get $d) (v128.load offset=0 (local.get $s0)))
            (v128.store offset=16 (local.get $d) (v128.load offset=16 (local.get $s0)))
            (local.set $s0 (i32.add (local.get $s0) (local.get $ldb)))
            (local.set $d (i32.add (local.get $d) (i32.const 32)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $next_p)))))
      (local.set $src (i32.add (local.get $src)
        (if (result i32) (local.get $trans) (then (i32.shl (local.get $ldb) (i32.const 3))) (else (i32.const 32)))))
      (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $kc) (i32.const 5))))
      (local.set $j (i32.add (local.get $j) (i32.const 8)))
      (br $strip))))

  ;; One full strip of 8 rows of a stored n × k matrix (each row contiguous in p): two 4 × 4
  ;; transposes per 4 depths.
  (func $pack_b_transposed_strip (param $src i32) (param $ldb i32) (param $kc i32) (param $dst i32)
    (local $p i32) (local $half i32) (local $s i32) (local $d i32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (block $done_p (loop $next_p
      (br_if $done_p (i32.gt_u (i32.add (local.get $p) (i32.const 4)) (local.get $kc)))
      (local.set $half (i32.const 0))
      (loop $next_half
        (local.set $s (i32.add (i32.add (local.get $src) (i32.shl (local.get $p) (i32.const 2)))
          (i32.mul (local.get $half) (i32.shl (local.get $ldb) (i32.const 2)))))
        (local.set $d (i32.add (i32.add (local.get $dst) (i32.shl (local.get $p) (i32.const 5)))
          (i32.shl (local.get $half) (i32.const 4))))
        (local.set $x0 (v128.load (local.get $s)))
        (local.set $x1 (v128.load (i32.add (local.get $s) (local.get $ldb))))
        (local.set $x2 (v128.load (i32.add (local.get $s) (i32.shl (local.get $ldb) (i32.const 1)))))
        (local.set $x3 (v128.load (i32.add (local.get $s) (i32.mul (local.get $ldb) (i32.const 3)))))
        (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $x0) (local.get $x1)))
        (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $x0) (local.get $x1)))
        (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $x2) (local.get $x3)))
        (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $x2) (local.get $x3)))
        (v128.store offset=0 (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
        (v128.store offset=32 (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
        (v128.store offset=64 (local.get $d) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
        (v128.store offset=96 (local.get $d) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
        (local.set $half (i32.add (local.get $half) (i32.const 1)))
        (br_if $next_half (i32.lt_u (local.get $half) (i32.const 2))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br $next_p)))
    (call $pack_strip_scalar (i32.add (local.get $src) (i32.shl (local.get $p) (i32.const 2))) (local.get $ldb)
      (i32.const 4) (i32.const 8) (i32.sub (local.get $kc) (local.get $p)) (i32.const 8)
      (i32.add (local.get $dst) (i32.shl (local.get $p) (i32.const 5)))))

  ;; C (mc × nc at c, leading dimension ldc) = alpha·Ã·B̃ + beta·C (+ bias[row] when bias ≠ 0).
  ;; beta = 0 never reads C. Edge tiles go through the 32-float scratch at `edge`.
  (func (export "macro_kernel") (param $mc i32) (param $nc i32) (param $kc i32) (param $pa i32) (param $pb i32)
    (param $c i32) (param $ldc i32) (param $alpha f32) (param $beta f32) (param $bias i32) (param $edge i32)
    (local $ldcb i32) (local $i i32) (local $j i32) (local $mr i32) (local $nr i32) (local $ci i32)
    (local $strip_a i32) (local $strip_b i32) (local $bias_i i32)
    (local.set $ldcb (i32.shl (local.get $ldc) (i32.const 2)))
    (local.set $strip_a (i32.shl (local.get $kc) (i32.const 4)))
    (local.set $strip_b (i32.shl (local.get $kc) (i32.const 5)))
    (block $done_j (loop $next_j
      (br_if $done_j (i32.ge_u (local.get $j) (local.get $nc)))
      (local.set $nr (select (i32.sub (local.get $nc) (local.get $j)) (i32.const 8)
        (i32.lt_u (i32.sub (local.get $nc) (local.get $j)) (i32.const 8))))
      (local.set $i (i32.const 0))
      (block $done_i (loop $next_i
        (br_if $done_i (i32.ge_u (local.get $i) (local.get $mc)))
        (local.set $mr (select (i32.sub (local.get $mc) (local.get $i)) (i32.const 4)
          (i32.lt_u (i32.sub (local.get $mc) (local.get $i)) (i32.const 4))))
        (local.set $ci (i32.add (local.get $c)
          (i32.add (i32.mul (local.get $i) (local.get $ldcb)) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $bias_i (select (i32.add (local.get $bias) (i32.shl (local.get $i) (i32.const 2))) (i32.const 0)
          (local.get $bias)))
        (if (i32.and (i32.eq (local.get $mr) (i32.const 4)) (i32.eq (local.get $nr) (i32.const 8)))
          (then
            (call $tile (local.get $kc) (i32.add (local.get $pa) (i32.mul (i32.shr_u (local.get $i) (i32.const 2)) (local.get $strip_a)))
              (i32.add (local.get $pb) (i32.mul (i32.shr_u (local.get $j) (i32.const 3)) (local.get $strip_b)))
              (local.get $ci) (local.get $ldcb) (local.get $alpha) (local.get $beta) (local.get $bias_i)))
          (else
            (call $tile (local.get $kc) (i32.add (local.get $pa) (i32.mul (i32.shr_u (local.get $i) (i32.const 2)) (local.get $strip_a)))
              (i32.add (local.get $pb) (i32.mul (i32.shr_u (local.get $j) (i32.const 3)) (local.get $strip_b)))
              (local.get $edge) (i32.const 32) (f32.const 1) (f32.const 0) (i32.const 0))
            (call $store_edge (local.get $edge) (local.get $ci) (local.get $ldcb) (local.get $mr) (local.get $nr)
              (local.get $alpha) (local.get $beta) (local.get $bias_i))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $next_i)))
      (local.set $j (i32.add (local.get $j) (i32.const 8)))
      (br $next_j))))

  ;; One full 4 × 8 tile; kc ≥ 1.
  (func $tile (param $kc i32) (param $pa i32) (param $pb i32) (param $c i32) (param $ldcb i32)
    (param $alpha f32) (param $beta f32) (param $bias i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $b0 v128) (local $b1 v128) (local $a v128) (local $end i32)
    (local.set $end (i32.add (local.get $pb) (i32.shl (local.get $kc) (i32.const 5))))
    (loop $k
      (local.set $b0 (v128.load offset=0 (local.get $pb)))
      (local.set $b1 (v128.load offset=16 (local.get $pb)))
      (local.set $a (v128.load32_splat offset=0 (local.get $pa)))
      (local.set $c00 (f32x4.relaxed_madd (local.get $a) (local.get $b0) (local.get $c00)))
      (local.set $c01 (f32x4.relaxed_madd (local.get $a) (local.get $b1) (local.get $c01)))
      (local.set $a (v128.load32_splat offset=4 (local.get $pa)))
      (local.set $c10 (f32x4.relaxed_madd (local.get $a) (local.get $b0) (local.get $c10)))
      (local.set $c11 (f32x4.relaxed_madd (local.get $a) (local.get $b1) (local.get $c11)))
      (local.set $a (v128.load32_splat offset=8 (local.get $pa)))
      (local.set $c20 (f32x4.relaxed_madd (local.get $a) (local.get $b0) (local.get $c20)))
      (local.set $c21 (f32x4.relaxed_madd (local.get $a) (local.get $b1) (local.get $c21)))
      (local.set $a (v128.load32_splat offset=12 (local.get $pa)))
      (local.set $c30 (f32x4.relaxed_madd (local.get $a) (local.get $b0) (local.get $c30)))
      (local.set $c31 (f32x4.relaxed_madd (local.get $a) (local.get $b1) (local.get $c31)))
      (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
      (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
      (br_if $k (i32.lt_u (local.get $pb) (local.get $end))))
    (call $store_row (local.get $c) (local.get $c00) (local.get $c01) (local.get $alpha) (local.get $beta) (local.get $bias))
    (local.set $c (i32.add (local.get $c) (local.get $ldcb)))
    (call $store_row (local.get $c) (local.get $c10) (local.get $c11) (local.get $alpha) (local.get $beta)
      (select (i32.add (local.get $bias) (i32.const 4)) (i32.const 0) (local.get $bias)))
    (local.set $c (i32.add (local.get $c) (local.get $ldcb)))
    (call $store_row (local.get $c) (local.get $c20) (local.get $c21) (local.get $alpha) (local.get $beta)
      (select (i32.add (local.get $bias) (i32.const 8)) (i32.const 0) (local.get $bias)))
    (local.set $c (i32.add (local.get $c) (local.get $ldcb)))
    (call $store_row (local.get $c) (local.get $c30) (local.get $c31) (local.get $alpha) (local.get $beta)
      (select (i32.add (local.get $bias) (i32.const 12)) (i32.const 0) (local.get $bias))))

  ;; Eight floats of C at c = alpha·(v0, v1) + beta·C (+ the float at bias when bias ≠ 0).
  (func $store_row (param $c i32) (param $v0 v128) (param $v1 v128) (param $alpha f32) (param $beta f32) (param $bias i32)
    (local $b v128)
    (local.set $v0 (f32x4.mul (local.get $v0) (f32x4.splat (local.get $alpha))))
    (local.set $v1 (f32x4.mul (local.get $v1) (f32x4.splat (local.get $alpha))))
    (if (f32.ne (local.get $beta) (f32.const 0))
      (then
        (local.set $b (f32x4.splat (local.get $beta)))
        (local.set $v0 (f32x4.add (local.get $v0) (f32x4.mul (local.get $b) (v128.load offset=0 (local.get $c)))))
        (local.set $v1 (f32x4.add (local.get $v1) (f32x4.mul (local.get $b) (v128.load offset=16 (local.get $c)))))))
    (if (local.get $bias)
      (then
        (local.set $b (v128.load32_splat (local.get $bias)))
        (local.set $v0 (f32x4.add (local.get $v0) (local.get $b)))
        (local.set $v1 (f32x4.add (local.get $v1) (local.get $b)))))
    (v128.store offset=0 (local.get $c) (local.get $v0))
    (v128.store offset=16 (local.get $c) (local.get $v1)))

  ;; The live mr × nr corner of a tile computed into `edge` (4 rows of 8 floats), stored like store_row.
  (func $store_edge (param $edge i32) (param $c i32) (param $ldcb i32) (param $mr i32) (param $nr i32)
    (param $alpha f32) (param $beta f32) (param $bias i32)
    (local $r i32) (local $j i32) (local $v f32) (local $at i32)
    (block $done_r (loop $next_r
      (br_if $done_r (i32.ge_u (local.get $r) (local.get $mr)))
      (local.set $j (i32.const 0))
      (block $done_j (loop $next_j
        (br_if $done_j (i32.ge_u (local.get $j) (local.get $nr)))
        (local.set $at (i32.add (local.get $c) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $v (f32.mul (local.get $alpha)
          (f32.load (i32.add (local.get $edge) (i32.shl (i32.add (i32.shl (local.get $r) (i32.const 3)) (local.get $j)) (i32.const 2))))))
        (if (f32.ne (local.get $beta) (f32.const 0))
          (then (local.set $v (f32.add (local.get $v) (f32.mul (local.get $beta) (f32.load (local.get $at)))))))
        (if (local.get $bias)
          (then (local.set $v (f32.add (local.get $v) (f32.load (i32.add (local.get $bias) (i32.shl (local.get $r) (i32.const 2))))))))
        (f32.store (local.get $at) (local.get $v))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $next_j)))
      (local.set $c (i32.add (local.get $c) (local.get $ldcb)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $next_r))))
)
