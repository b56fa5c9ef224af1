;; Float64 matrix products for the low-rank GW product C1 T C2ᵀ = L1 (R1ᵀ T R2) L2ᵀ (crossProduct.ts), in WebAssembly
;; with 128-bit SIMD (two float64 lanes). Compiled by scripts/build-wasm.mjs into matmul64Wasm.ts. Arrays are
;; row-major float64 in the memory it is given, addressed by byte offset; every product row is a sum of scaled rows
;; of the right-hand matrix, so that matrix streams through once per output row block and the output row stays in
;; cache.
(module
  (import "env" "memory" (memory 1))

  ;; out[j] += c b[j] over m values.
  (func $axpy (param $out i32) (param $c f64) (param $b i32) (param $m i32)
    (local $j i32) (local $cs v128) (local $o i32) (local $r i32)
    (local.set $cs (f64x2.splat (local.get $c)))
    (block $done4
      (loop $four
        (br_if $done4 (i32.gt_s (i32.add (local.get $j) (i32.const 4)) (local.get $m)))
        (local.set $o (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $r (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 3))))
        (v128.store (local.get $o) (f64x2.add (v128.load (local.get $o)) (f64x2.mul (local.get $cs) (v128.load (local.get $r)))))
        (v128.store offset=16 (local.get $o) (f64x2.add (v128.load offset=16 (local.get $o)) (f64x2.mul (local.get $cs) (v128.load offset=16 (local.get $r)))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $four)))
    (block $done1
      (loop $one
        (br_if $done1 (i32.ge_s (local.get $j) (local.get $m)))
        (local.set $o (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3))))
        (f64.store (local.get $o) (f64.add (f64.load (local.get $o))
          (f64.mul (local.get $c) (f64.load (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 3)))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $one))))

  ;; out (n × m) = A (n × k) B (k × m): row i of out is Σ_t A[i, t] B[t, :].
  (func (export "product") (param $a i32) (param $n i32) (param $k i32) (param $b i32) (param $m i32) (param $out i32)
    (local $i i32) (local $t i32) (local $row i32) (local $arow i32)
    (memory.fill (local.get $out) (i32.const 0) (i32.shl (i32.mul (local.get $n) (local.get $m)) (i32.const 3)))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $row (i32.add (local.get $out) (i32.shl (i32.mul (local.get $i) (local.get $m)) (i32.const 3))))
        (local.set $arow (i32.add (local.get $a) (i32.shl (i32.mul (local.get $i) (local.get $k)) (i32.const 3))))
        (local.set $t (i32.const 0))
        (block $tdone
          (loop $terms
            (br_if $tdone (i32.ge_s (local.get $t) (local.get $k)))
            (call $axpy (local.get $row) (f64.load (i32.add (local.get $arow) (i32.shl (local.get $t) (i32.const 3))))
              (i32.add (local.get $b) (i32.shl (i32.mul (local.get $t) (local.get $m)) (i32.const 3))) (local.get $m))
            (local.set $t (i32.add (local.get $t) (i32.const 1)))
            (br $terms)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

  ;; out (k × m) = Xᵀ B for X (n × k) and B (n × m): each row of B is read once and added, scaled, to every output row.
  (func (export "transposedProduct") (param $x i32) (param $n i32) (param $k i32) (param $b i32) (param $m i32) (param $out i32)
    (local $i i32) (local $t i32) (local $brow i32) (local $xrow i32)
    (memory.fill (local.get $out) (i32.const 0) (i32.shl (i32.mul (local.get $k) (local.get $m)) (i32.const 3)))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_s (local.get $t) (local.get $n)))
        (local.set $brow (i32.add (local.get $b) (i32.shl (i32.mul (local.get $t) (local.get $m)) (i32.const 3))))
        (local.set $xrow (i32.add (local.get $x) (i32.shl (i32.mul (local.get $t) (local.get $k)) (i32.const 3))))
        (local.set $i (i32.const 0))
        (block $idone
          (loop $outs
            (br_if $idone (i32.ge_s (local.get $i) (local.get $k)))
            (call $axpy (i32.add (local.get $out) (i32.shl (i32.mul (local.get $i) (local.get $m)) (i32.const 3)))
              (f64.load (i32.add (local.get $xrow) (i32.shl (local.get $i) (i32.const 3)))) (local.get $brow) (local.get $m))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $outs)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $rows))))
)
