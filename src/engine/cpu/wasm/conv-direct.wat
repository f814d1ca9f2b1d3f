;; Direct convolution for layers with few taps (C·kh·kw, e.g. a network's first layer), where the
;; implicit-im2col GEMM spends more time packing φ than multiplying: no packing, each output row
;; block reads the padded image in place. One call computes one group of 4 filters over images
;; [n0, n1), 8 output pixels × 4 filters at a time (8 accumulators, like the GEMM's 4 × 8 tile).
;; The taps are summed in the GEMM's k order, one multiply-add each, then the bias is added: the
;; same bits as the GEMM path of a single k block.
;; Stride 1; the padded image has rows of wp = ow + kw − 1 floats, so an 8-wide block starting at
;; ox ≤ ow − 8 never reads past its row. A row's last block starts at ow − 8 and writes again (the
;; same values) the outputs it shares with the previous block. Needs ow ≥ 8.
(module
  (import "env" "memory" (memory 1))

  ;; xp: padded image, planes (channel·N + image) of hp × wp; wg: the group's weights as taps × 4
  ;; floats (filter-minor, zero for filters past `live`); bias: 4 floats or 0; y: output of the
  ;; group's first filter (filters `plane` bytes apart, each N × oh × ow); with act ≠ 0, relu(y) also
  ;; goes `relu` bytes after each output (a matrix laid out like y; relu may be 0: in place).
  (func (export "conv_direct") (param $xp i32) (param $wg i32) (param $bias i32) (param $y i32) (param $act i32) (param $relu i32)
    (param $n0 i32) (param $n1 i32) (param $n i32) (param $c i32) (param $hp i32) (param $wp i32)
    (param $oh i32) (param $ow i32) (param $kh i32) (param $kw i32) (param $live i32)
    (local $img i32) (local $oy i32) (local $ox i32) (local $ci i32) (local $ky i32) (local $kx i32)
    (local $row i32) (local $at i32) (local $w i32) (local $out i32) (local $f i32) (local $plane i32)
    (local $channel i32) (local $wpb i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128) (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $v0 v128) (local $v1 v128) (local $s v128)
    (local.set $wpb (i32.shl (local.get $wp) (i32.const 2)))
    (local.set $channel (i32.mul (i32.mul (local.get $n) (local.get $hp)) (local.get $wpb)))
    (local.set $plane (i32.shl (i32.mul (i32.mul (local.get $n) (local.get $oh)) (local.get $ow)) (i32.const 2)))
    (local.set $img (local.get $n0))
    (block $done_img (loop $next_img
      (br_if $done_img (i32.ge_u (local.get $img) (local.get $n1)))
      (local.set $oy (i32.const 0))
      (block $done_oy (loop $next_oy
        (br_if $done_oy (i32.ge_u (local.get $oy) (local.get $oh)))
        (local.set $ox (i32.const 0))
        (block $done_ox (loop $next_ox
          (if (i32.gt_u (i32.add (local.get $ox) (i32.const 8)) (local.get $ow))
            (then
              (br_if $done_ox (i32.ge_u (local.get $ox) (local.get $ow)))
              (local.set $ox (i32.sub (local.get $ow) (i32.const 8)))))
          (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c01 (v128.const i32x4 0 0 0 0))
          (local.set $c10 (v128.const i32x4 0 0 0 0)) (local.set $c11 (v128.const i32x4 0 0 0 0))
          (local.set $c20 (v128.const i32x4 0 0 0 0)) (local.set $c21 (v128.const i32x4 0 0 0 0))
          (local.set $c30 (v128.const i32x4 0 0 0 0)) (local.set $c31 (v128.const i32x4 0 0 0 0))
          (local.set $w (local.get $wg))
          ;; First tap row of channel 0 for this block: plane (0·N + img), row oy, column ox.
          (local.set $row (i32.add (local.get $xp) (i32.add
            (i32.mul (i32.add (i32.mul (local.get $img) (local.get $hp)) (local.get $oy)) (local.get $wpb))
            (i32.shl (local.get $ox) (i32.const 2)))))
          (local.set $ci (i32.const 0))
          (loop $next_ci
            (local.set $ky (i32.const 0))
            (loop $next_ky
              (local.set $at (i32.add (local.get $row) (i32.mul (local.get $ky) (local.get $wpb))))
              (local.set $kx (local.get $kw))
              (loop $next_kx
                (local.set $v0 (v128.load offset=0 (local.get $at)))
                (local.set $v1 (v128.load offset=16 (local.get $at)))
                (local.set $s (v128.load32_splat offset=0 (local.get $w)))
                (local.set $c00 (f32x4.relaxed_madd (local.get $s) (local.get $v0) (local.get $c00)))
                (local.set $c01 (f32x4.relaxed_madd (local.get $s) (local.get $v1) (local.get $c01)))
                (local.set $s (v128.load32_splat offset=4 (local.get $w)))
                (local.set $c10 (f32x4.relaxed_madd (local.get $s) (local.get $v0) (local.get $c10)))
                (local.set $c11 (f32x4.relaxed_madd (local.get $s) (local.get $v1) (local.get $c11)))
                (local.set $s (v128.load32_splat offset=8 (local.get $w)))
                (local.set $c20 (f32x4.relaxed_madd (local.get $s) (local.get $v0) (local.get $c20)))
                (local.set $c21 (f32x4.relaxed_madd (local.get $s) (local.get $v1) (local.get $c21)))
                (local.set $s (v128.load32_splat offset=12 (local.get $w)))
                (local.set $c30 (f32x4.relaxed_madd (local.get $s) (local.get $v0) (local.get $c30)))
                (local.set $c31 (f32x4.relaxed_madd (local.get $s) (local.get $v1) (local.get $c31)))
                (local.set $w (i32.add (local.get $w) (i32.const 16)))
                (local.set $at (i32.add (local.get $at) (i32.const 4)))
                (local.set $kx (i32.sub (local.get $kx) (i32.const 1)))
                (br_if $next_kx (local.get $kx)))
              (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
              (br_if $next_ky (i32.lt_u (local.get $ky) (local.get $kh))))
            (local.set $row (i32.add (local.get $row) (local.get $channel)))
            (local.set $ci (i32.add (local.get $ci) (i32.const 1)))
            (br_if $next_ci (i32.lt_u (local.get $ci) (local.get $c))))
          ;; Store the live filters' rows: y[f][img][oy][ox .. ox+8).
          (local.set $out (i32.add (local.get $y) (i32.shl (i32.add
            (i32.mul (i32.add (i32.mul (local.get $img) (local.get $oh)) (local.get $oy)) (local.get $ow))
            (local.get $ox)) (i32.const 2))))
          (call $store (local.get $out) (local.get $act) (local.get $relu) (local.get $bias) (local.get $c00) (local.get $c01))
          (if (i32.gt_u (local.get $live) (i32.const 1)) (then
            (call $store (i32.add (local.get $out) (local.get $plane)) (local.get $act) (local.get $relu)
              (select (i32.add (local.get $bias) (i32.const 4)) (i32.const 0) (local.get $bias)) (local.get $c10) (local.get $c11))))
          (if (i32.gt_u (local.get $live) (i32.const 2)) (then
            (call $store (i32.add (local.get $out) (i32.shl (local.get $plane) (i32.const 1))) (local.get $act) (local.get $relu)
              (select (i32.add (local.get $bias) (i32.const 8)) (i32.const 0) (local.get $bias)) (local.get $c20) (local.get $c21))))
          (if (i32.gt_u (local.get $live) (i32.const 3)) (then
            (call $store (i32.add (local.get $out) (i32.mul (local.get $plane) (i32.const 3))) (local.get $act) (local.get $relu)
              (select (i32.add (local.get $bias) (i32.const 12)) (i32.const 0) (local.get $bias)) (local.get $c30) (local.get $c31))))
          (local.set $ox (i32.add (local.get $ox) (i32.const 8)))
          (br $next_ox)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $next_oy)))
      (local.set $img (i32.add (local.get $img) (i32.const 1)))
      (br $next_img))))

  ;; 8 outputs of one filter at `out` (plus its bias, when `bias` ≠ 0), and with act ≠ 0 relu of
  ;; them `relu` bytes further.
  (func $store (param $out i32) (param $act i32) (param $relu i32) (param $bias i32) (param $v0 v128) (param $v1 v128)
    (local $b v128)
    (if (local.get $bias) (then
      (local.set $b (v128.load32_splat (local.get $bias)))
      (local.set $v0 (f32x4.add (local.get $v0) (local.get $b)))
      (local.set $v1 (f32x4.add (local.get $v1) (local.get $b)))))
    (v128.store offset=0 (local.get $out) (local.get $v0))
    (v128.store offset=16 (local.get $out) (local.get $v1))
    (if (local.get $act) (then
      (v128.store offset=0 (i32.add (local.get $out) (local.get $relu))
        (v128.and (local.get $v0) (f32x4.gt (local.get $v0) (v128.const f32x4 0 0 0 0))))
      (v128.store offset=16 (i32.add (local.get $out) (local.get $relu))
        (v128.and (local.get $v1) (f32x4.gt (local.get $v1) (v128.const f32x4 0 0 0 0)))))))
)
