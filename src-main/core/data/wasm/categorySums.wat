;; Float64 sums of float32 feature rows per category (categoryMeans.ts), in WebAssembly with 128-bit SIMD: four floats
;; at a time promoted to two float64 pairs and added to the row's category's sums. Compiled by scripts/build-wasm.mjs
;; into categorySumsWasm.ts. Addresses are byte offsets in the memory it is given.
(module
  (import "env" "memory" (memory 1))

  ;; sums[category[r] · p + d] += x[r · p + d] for the `rows` rows of x (rows × p float32); a category < 0: no row.
  (func (export "addRows") (param $x i32) (param $category i32) (param $rows i32) (param $p i32) (param $sums i32)
    (local $r i32) (local $c i32) (local $d i32) (local $fours i32) (local $from i32) (local $to i32) (local $v v128)
    (local.set $fours (i32.and (local.get $p) (i32.const -4)))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $c (i32.load (i32.add (local.get $category) (i32.shl (local.get $r) (i32.const 2)))))
        (if (i32.ge_s (local.get $c) (i32.const 0))
          (then
            (local.set $from (i32.add (local.get $x) (i32.shl (i32.mul (local.get $r) (local.get $p)) (i32.const 2))))
            (local.set $to (i32.add (local.get $sums) (i32.shl (i32.mul (local.get $c) (local.get $p)) (i32.const 3))))
            (local.set $d (i32.const 0))
            (block $done4
              (loop $four
                (br_if $done4 (i32.ge_u (local.get $d) (local.get $fours)))
                (local.set $v (v128.load (local.get $from)))
                (v128.store (local.get $to) (f64x2.add (v128.load (local.get $to)) (f64x2.promote_low_f32x4 (local.get $v))))
                (v128.store offset=16 (local.get $to) (f64x2.add (v128.load offset=16 (local.get $to))
                  (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
                (local.set $from (i32.add (local.get $from) (i32.const 16)))
                (local.set $to (i32.add (local.get $to) (i32.const 32)))
                (local.set $d (i32.add (local.get $d) (i32.const 4)))
                (br $four)))
            (block $done1
              (loop $one
                (br_if $done1 (i32.ge_u (local.get $d) (local.get $p)))
                (f64.store (local.get $to) (f64.add (f64.load (local.get $to)) (f64.promote_f32 (f32.load (local.get $from)))))
                (local.set $from (i32.add (local.get $from) (i32.const 4)))
                (local.set $to (i32.add (local.get $to) (i32.const 8)))
                (local.set $d (i32.add (local.get $d) (i32.const 1)))
                (br $one)))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row)))))
