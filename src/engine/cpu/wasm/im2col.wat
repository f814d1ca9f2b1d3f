;; Convolution's data movement in 128-bit WebAssembly SIMD (driver: conv.ts): implicit im2col, i.e.
;; packing φ(pad(x)) straight from the image into the GEMM's panels (layouts in gemm.wat), and col2im.
;; Every image here is already padded (pad_copy), so no window needs a bounds check: an element of
;; φ is x[pixel origin + tap offset], with both offsets (in bytes) read from tables filled below.
;; Origins increase strictly with the pixel index and tap offsets with the tap index, so a run of
;; 8 (or 4) whose last offset is 7·4 (3·4) bytes past its first is contiguous in memory.
(module
  (import "env" "memory" (memory 1))

  ;; The offset tables (bytes). Pixel (b, y, x) of an n × oh × ow output: b·image + y·row + x·col;
  ;; tap (c, i, j) of a c × kh × kw kernel: c·channel + i·line + j·4.
  (func (export "pixel_origins") (param $dst i32) (param $n i32) (param $oh i32) (param $ow i32)
    (param $image i32) (param $row i32) (param $col i32)
    (local $b i32) (local $y i32) (local $x i32) (local $at i32)
    (block $done_b (loop $next_b
      (br_if $done_b (i32.ge_u (local.get $b) (local.get $n)))
      (local.set $y (i32.const 0))
      (block $done_y (loop $next_y
        (br_if $done_y (i32.ge_u (local.get $y) (local.get $oh)))
        (local.set $at (i32.add (i32.mul (local.get $b) (local.get $image)) (i32.mul (local.get $y) (local.get $row))))
        (local.set $x (i32.const 0))
        (block $done_x (loop $next_x
          (br_if $done_x (i32.ge_u (local.get $x) (local.get $ow)))
          (i32.store (local.get $dst) (local.get $at))
          (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
          (local.set $at (i32.add (local.get $at) (local.get $col)))
          (local.set $x (i32.add (local.get $x) (i32.const 1)))
          (br $next_x)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $next_y)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $next_b))))

  (func (export "tap_offsets") (param $dst i32) (param $c i32) (param $kh i32) (param $kw i32)
    (param $channel i32) (param $line i32)
    (local $ch i32) (local $i i32) (local $j i32)
    (block $done_c (loop $next_c
      (br_if $done_c (i32.ge_u (local.get $ch) (local.get $c)))
      (local.set $i (i32.const 0))
      (block $done_i (loop $next_i
        (br_if $done_i (i32.ge_u (local.get $i) (local.get $kh)))
        (local.set $j (i32.const 0))
        (block $done_j (loop $next_j
          (br_if $done_j (i32.ge_u (local.get $j) (local.get $kw)))
          (i32.store (local.get $dst) (i32.add (i32.add (i32.mul (local.get $ch) (local.get $channel))
            (i32.mul (local.get $i) (local.get $line))) (i32.shl (local.get $j) (i32.const 2))))
          (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $next_j)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next_i)))
      (local.set $ch (i32.add (local.get $ch) (i32.const 1)))
      (br $next_c))))

  ;; B̃ for the forward pass (op(B) = φ): strips of 8 pixels, depth = kc taps.
  (func (export "pack_phi_pixels") (param $x i32) (param $pix i32) (param $tap i32) (param $count i32)
    (param $kc i32) (param $dst i32)
    (local $s i32) (local $p i32) (local $u i32) (local $live i32) (local $t i32) (local $o i32)
    (local $o0 i32) (local $o1 i32) (local $o2 i32) (local $o3 i32) (local $o4 i32) (local $o5 i32) (local $o6 i32) (local $o7 i32)
    (block $done (loop $strip
      (br_if $done (i32.ge_u (local.get $s) (local.get $count)))
      (local.set $live (i32.sub (local.get $count) (local.get $s)))
      (local.set $p (i32.const 0))
      (if (i32.ge_u (local.get $live) (i32.const 8))
        (then
          (local.set $o (i32.add (local.get $pix) (i32.shl (local.get $s) (i32.const 2))))
          (local.set $o0 (i32.add (local.get $x) (i32.load offset=0 (local.get $o))))
          (local.set $o1 (i32.add (local.get $x) (i32.load offset=4 (local.get $o))))
          (local.set $o2 (i32.add (local.get $x) (i32.load offset=8 (local.get $o))))
          (local.set $o3 (i32.add (local.get $x) (i32.load offset=12 (local.get $o))))
          (local.set $o4 (i32.add (local.get $x) (i32.load offset=16 (local.get $o))))
          (local.set $o5 (i32.add (local.get $x) (i32.load offset=20 (local.get $o))))
          (local.set $o6 (i32.add (local.get $x) (i32.load offset=24 (local.get $o))))
          (local.set $o7 (i32.add (local.get $x) (i32.load offset=28 (local.get $o))))
          (if (i32.eq (i32.sub (local.get $o7) (local.get $o0)) (i32.const 28))
            (then
              ;; 8 neighbouring pixels of one output row (stride 1): two vector copies per tap.
              (block $done_p (loop $next_p
                (br_if $done_p (i32.ge_u (local.get $p) (local.get $kc)))
                (local.set $t (i32.add (local.get $o0) (i32.load (i32.add (local.get $tap) (i32.shl (local.get $p) (i32.const 2))))))
                (v128.store offset=0 (local.get $dst) (v128.load offset=0 (local.get $t)))
                (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $t)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $next_p))))
            (else
              (block $done_p (loop $next_p
                (br_if $done_p (i32.ge_u (local.get $p) (local.get $kc)))
                (local.set $t (i32.load (i32.add (local.get $tap) (i32.shl (local.get $p) (i32.const 2)))))
                (f32.store offset=0 (local.get $dst) (f32.load (i32.add (local.get $o0) (local.get $t))))
                (f32.store offset=4 (local.get $dst) (f32.load (i32.add (local.get $o1) (local.get $t))))
                (f32.store offset=8 (local.get $dst) (f32.load (i32.add (local.get $o2) (local.get $t))))
                (f32.store offset=12 (local.get $dst) (f32.load (i32.add (local.get $o3) (local.get $t))))
                (f32.store offset=16 (local.get $dst) (f32.load (i32.add (local.get $o4) (local.get $t))))
                (f32.store offset=20 (local.get $dst) (f32.load (i32.add (local.get $o5) (local.get $t))))
                (f32.store offset=24 (local.get $dst) (f32.load (i32.add (local.get $o6) (local.get $t))))
                (f32.store offset=28 (local.get $dst) (f32.load (i32.add (local.get $o7) (local.get $t))))
                (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $next_p))))))
        (else
          ;; The last, partial strip: live pixels, then zeros.
          (block $done_p (loop $next_p
            (br_if $done_p (i32.ge_u (local.get $p) (local.get $kc)))
            (local.set $t (i32.add (local.get $x) (i32.load (i32.add (local.get $tap) (i32.shl (local.get $p) (i32.const 2))))))
            (local.set $u (i32.const 0))
            (block $done_u (loop $next_u
              (br_if $done_u (i32.ge_u (local.get $u) (i32.const 8)))
              (f32.store (local.get $dst)
                (if (result f32) (i32.lt_u (local.get $u) (local.get $live))
                  (then (f32.load (i32.add (local.get $t)
                    (i32.load (i32.add (local.get $pix) (i32.shl (i32.add (local.get $s) (local.get $u)) (i32.const 2)))))))
                  (else (f32.const 0))))
              (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
              (local.set $u (i32.add (local.get $u) (i32.const 1)))
              (br $next_u)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $next_p)))))
      (local.set $s (i32.add (local.get $s) (i32.const 8)))
      (br $strip))))

  ;; B̃ for the filter gradient (op(B) = φᵀ): strips of 8 taps, depth = kc pixels.
  (func (export "pack_phi_taps") (param $x i32) (param $pix i32) (param $tap i32) (param $count i32)
    (param $kc i32) (param $dst i32)
    (local $s i32) (local $p i32) (local $u i32) (local $live i32) (local $o i32)
    (local $t0 i32) (local $t1 i32) (local $t2 i32) (local $t3 i32) (local $t4 i32) (local $t5 i32) (local $t6 i32) (local $t7 i32)
    (block $done (loop $strip
      (br_if $done (i32.ge_u (local.get $s) (local.get $count)))
      (local.set $live (i32.sub (local.get $count) (local.get $s)))
      (local.set $p (i32.const 0))
      (if (i32.ge_u (local.get $live) (i32.const 8))
        (then
          (local.set $o (i32.add (local.get $tap) (i32.shl (local.get $s) (i32.const 2))))
          (local.set $t0 (i32.load offset=0 (local.get $o)))
          (local.set $t1 (i32.load offset=4 (local.get $o)))
          (local.set $t2 (i32.load offset=8 (local.get $o)))
          (local.set $t3 (i32.load offset=12 (local.get $o)))
          (local.set $t4 (i32.load offset=16 (local.get $o)))
          (local.set $t5 (i32.load offset=20 (local.get $o)))
          (local.set $t6 (i32.load offset=24 (local.get $o)))
          (local.set $t7 (i32.load offset=28 (local.get $o)))
          (if (i32.eq (i32.sub (local.get $t7) (local.get $t0)) (i32.const 28))
            (then
              ;; 8 taps along one kernel row (kw ≥ 8): two vector copies per pixel.
              (block $done_p (loop $next_p
                (br_if $done_p (i32.ge_u (local.get $p) (local.get $kc)))
                (local.set $o (i32.add (i32.add (local.get $x) (local.get $t0))
                  (i32.load (i32.add (local.get $pix) (i32.shl (local.get $p) (i32.const 2))))))
                (v128.store offset=0 (local.get $dst) (v128.load offset=0 (local.get $o)))
                (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $o)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $next_p))))
            (else
              (block $done_p (loop $next_p
                (br_if $done_p (i32.ge_u (local.get $p) (local.get $kc)))
                (local.set $o (i32.add (local.get $x) (i32.load (i32.add (local.get $pix) (i32.shl (local.get $p) (i32.const 2))))))
                (f32.store offset=0 (local.get $dst) (f32.load (i32.add (local.get $o) (local.get $t0))))
                (f32.store offset=4 (local.get $dst) (f32.load (i32.add (local.get $o) (local.get $t1))))
                (f32.store offset=8 (local.get $dst) (f32.load (i32.add (local.get $o) (local.get $t2))))
                (f32.store offset=12 (local.get $dst) (f32.load (i32.add (local.get $o) (local.get $t3))))
                (f32.store offset=16 (local.get $dst) (f32.load (i32.add (local.get $o) (local.get $t4))))
                (f32.store offset=20 (local.get $dst) (f32.load (i32.add (local.get $o) (local.get $t5))))
                (f32.store offset=24 (local.get $dst) (f32.load (i32.add (local.get $o) (local.get $t6))))
                (f32.store offset=28 (local.get $dst) (f32.load (i32.add (local.get $o) (local.get $t7))))
                (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $next_p))))))
        (else
          ;; The last, partial strip: zeros, then the live taps over them.
          (local.set $o (i32.add (local.get $tap) (i32.shl (local.get $s) (i32.const 2))))
          (block $done_p (loop $next_p
            (br_if $done_p (i32.ge_u (local.get $p) (local.get $kc)))
            (local.set $t0 (i32.add (local.get $x) (i32.load (i32.add (local.get $pix) (i32.shl (local.get $p) (i32.const 2))))))
            (v128.store offset=0 (local.get $dst) (v128.const i32x4 0 0 0 0))
            (v128.store offset=16 (local.get $dst) (v128.const i32x4 0 0 0 0))
            (local.set $u (i32.const 0))
            (loop $next_u
              (f32.store (i32.add (local.get $dst) (i32.shl (local.get $u) (i32.const 2)))
                (f32.load (i32.add (local.get $t0) (i32.load (i32.add (local.get $o) (i32.shl (local.get $u) (i32.const 2)))))))
              (local.set $u (i32.add (local.get $u) (i32.const 1)))
              (br_if $next_u (i32.lt_u (local.get $u) (local.get $live))))
            (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $next_p)))))
      (local.set $s (i32.add (local.get $s) (i32.const 8)))
      (br $strip))))

  ;; dx[pixel origin + tap offset] += cols[tap, pixel] for taps [0, taps) × pixels [0, count), tap by
  ;; tap (the order the TypeScript col2im adds in). Within one tap no two pixels share an input
  ;; element, so 4 contiguous pixels are one vector add.
  (func (export "col2im") (param $cols i32) (param $count i32) (param $taps i32) (param $pix i32) (param $tap i32) (param $dx i32)
    (local $q i32) (local $u i32) (local $base i32) (local $src i32) (local $o i32) (local $at i32) (local $vector i32)
    (local.set $src (local.get $cols))
    (block $done_q (loop $next_q
      (br_if $done_q (i32.ge_u (local.get $q) (local.get $taps)))
      (local.set $base (i32.add (local.get $dx) (i32.load (i32.add (local.get $tap) (i32.shl (local.get $q) (i32.const 2))))))
      (local.set $u (i32.const 0))
      (block $done_u (loop $next_u
        (br_if $done_u (i32.ge_u (local.get $u) (local.get $count)))
        (local.set $o (i32.add (local.get $pix) (i32.shl (local.get $u) (i32.const 2))))
        (local.set $at (i32.add (local.get $base) (i32.load (local.get $o))))
        (local.set $vector (i32.const 0))
        (if (i32.le_u (i32.add (local.get $u) (i32.const 4)) (local.get $count))
          (then (local.set $vector (i32.eq (i32.sub (i32.load offset=12 (local.get $o)) (i32.load (local.get $o))) (i32.const 12)))))
        (if (local.get $vector)
          (then
            (v128.store (local.get $at) (f32x4.add (v128.load (local.get $at)) (v128.load (local.get $src))))
            (local.set $src (i32.add (local.get $src) (i32.const 16)))
            (local.set $u (i32.add (local.get $u) (i32.const 4))))
          (else
            (f32.store (local.get $at) (f32.add (f32.load (local.get $at)) (f32.load (local.get $src))))
            (local.set $src (i32.add (local.get $src) (i32.const 4)))
            (local.set $u (i32.add (local.get $u) (i32.const 1)))))
        (br $next_u)))
      (local.set $q (i32.add (local.get $q) (i32.const 1)))
      (br $next_q))))

  ;; planes images of h × w at x → planes of (h + 2ph) × (w + 2pw) at xp with zero borders.
  (func (export "pad_copy") (param $x i32) (param $xp i32) (param $planes i32) (param $h i32) (param $w i32)
    (param $ph i32) (param $pw i32)
    (local $rows i32) (local $r i32) (local $rowb i32) (local $wpb i32) (local $dst i32)
    (local.set $rowb (i32.shl (local.get $w) (i32.const 2)))
    (local.set $wpb (i32.shl (i32.add (local.get $w) (i32.shl (local.get $pw) (i32.const 1))) (i32.const 2)))
    (memory.fill (local.get $xp) (i32.const 0) (i32.mul (i32.mul (local.get $planes) (local.get $wpb))
      (i32.add (local.get $h) (i32.shl (local.get $ph) (i32.const 1)))))
    (local.set $dst (i32.add (local.get $xp) (i32.add (i32.mul (local.get $ph) (local.get $wpb)) (i32.shl (local.get $pw) (i32.const 2)))))
    (local.set $rows (i32.mul (local.get $planes) (local.get $h)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
      (memory.copy (local.get $dst) (local.get $x) (local.get $rowb))
      (local.set $x (i32.add (local.get $x) (local.get $rowb)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      ;; Next row; after the last row of a plane, skip the bottom and top borders.
      (local.set $dst (i32.add (local.get $dst) (select
        (i32.mul (local.get $wpb) (i32.add (i32.shl (local.get $ph) (i32.const 1)) (i32.const 1)))
        (local.get $wpb)
        (i32.eqz (i32.rem_u (local.get $r) (local.get $h))))))
      (br $next))))

  ;; The inverse of pad_copy: the interior of each padded plane at xp → x.
  (func (export "crop_copy") (param $xp i32) (param $x i32) (param $planes i32) (param $h i32) (param $w i32)
    (param $ph i32) (param $pw i32)
    (local $rows i32) (local $r i32) (local $rowb i32) (local $wpb i32) (local $src i32)
    (local.set $rowb (i32.shl (local.get $w) (i32.const 2)))
    (local.set $wpb (i32.shl (i32.add (local.get $w) (i32.shl (local.get $pw) (i32.const 1))) (i32.const 2)))
    (local.set $src (i32.add (local.get $xp) (i32.add (i32.mul (local.get $ph) (local.get $wpb)) (i32.shl (local.get $pw) (i32.const 2)))))
    (local.set $rows (i32.mul (local.get $planes) (local.get $h)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
      (memory.copy (local.get $x) (local.get $src) (local.get $rowb))
      (local.set $x (i32.add (local.get $x) (local.get $rowb)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (local.set $src (i32.add (local.get $src) (select
        (i32.mul (local.get $wpb) (i32.add (i32.shl (local.get $ph) (i32.const 1)) (i32.const 1)))
        (local.get $wpb)
        (i32.eqz (i32.rem_u (local.get $r) (local.get $h))))))
      (br $next))))
)
