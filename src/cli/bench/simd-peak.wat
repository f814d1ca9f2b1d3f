;; The WebAssembly SIMD multiply-add peak of one thread, for the bench's kernel profile: 12
;; independent f32x4 accumulators (more than the FMA units' latency × width needs), no memory
;; traffic. `relaxedSimd` runs FMAs; `plainSimd` the mul + add pairs the plain kernels run.
(module
  (import "env" "memory" (memory 1))
  ;; `iterations` rounds of 12 multiply-adds on 4 lanes (96 flops per round); returns a lane so
  ;; that nothing is optimised away.
  (func (export "multiply_adds") (param $iterations i32) (result f32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $a4 v128) (local $a5 v128)
    (local $a6 v128) (local $a7 v128) (local $a8 v128) (local $a9 v128) (local $a10 v128) (local $a11 v128)
    (local $m v128) (local $c v128)
    (local.set $m (v128.const f32x4 0.999 0.999 0.999 0.999))
    (local.set $c (v128.const f32x4 0.001 0.001 0.001 0.001))
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $iterations)))
      (local.set $a0 (f32x4.relaxed_madd (local.get $a0) (local.get $m) (local.get $c)))
      (local.set $a1 (f32x4.relaxed_madd (local.get $a1) (local.get $m) (local.get $c)))
      (local.set $a2 (f32x4.relaxed_madd (local.get $a2) (local.get $m) (local.get $c)))
      (local.set $a3 (f32x4.relaxed_madd (local.get $a3) (local.get $m) (local.get $c)))
      (local.set $a4 (f32x4.relaxed_madd (local.get $a4) (local.get $m) (local.get $c)))
      (local.set $a5 (f32x4.relaxed_madd (local.get $a5) (local.get $m) (local.get $c)))
      (local.set $a6 (f32x4.relaxed_madd (local.get $a6) (local.get $m) (local.get $c)))
      (local.set $a7 (f32x4.relaxed_madd (local.get $a7) (local.get $m) (local.get $c)))
      (local.set $a8 (f32x4.relaxed_madd (local.get $a8) (local.get $m) (local.get $c)))
      (local.set $a9 (f32x4.relaxed_madd (local.get $a9) (local.get $m) (local.get $c)))
      (local.set $a10 (f32x4.relaxed_madd (local.get $a10) (local.get $m) (local.get $c)))
      (local.set $a11 (f32x4.relaxed_madd (local.get $a11) (local.get $m) (local.get $c)))
      (local.set $iterations (i32.sub (local.get $iterations) (i32.const 1)))
      (br $next)))
    (f32x4.extract_lane 0 (f32x4.add
      (f32x4.add (f32x4.add (f32x4.add (local.get $a0) (local.get $a1)) (f32x4.add (local.get $a2) (local.get $a3)))
        (f32x4.add (f32x4.add (local.get $a4) (local.get $a5)) (f32x4.add (local.get $a6) (local.get $a7))))
      (f32x4.add (f32x4.add (local.get $a8) (local.get $a9)) (f32x4.add (local.get $a10) (local.get $a11))))))
)
