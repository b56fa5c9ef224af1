;; The products an RDM of features is made of, in float64 with 128-bit SIMD: for rows i of a stripe and every j ≥ i,
;; the dot product of rows i and j (correlation and cosine distances) or their squared Euclidean distance, summed
;; term by term as SciPy's pdist does (no |a|² + |b|² − 2ab, whose cancellation loses the small distances).
;; Compiled by scripts/build-wasm.mjs into rowProductsWasm.ts; rowProducts.ts lays the memory out (tests: rowProducts.test.ts,
;; rowProductsPool.test.ts, and the RDMs against SciPy in metrics.test.ts).
;;
;; Layout (byte offsets into the memory it is given): the rows, row-major float64, with an even number of columns
;; (zero-padded: a zero adds nothing to either sum) and 3 zero rows after the last, so that a tile of 4 rows may run
;; past it; the stripe's output, `stride` values a row, with one row more than the stripe. Entries left of the
;; diagonal and past the last row are written too (tiles start on a multiple of 4, a stripe's last odd row is paired
;; with the next): the caller reads only j ≥ i < n.
(module
  (import "env" "memory" (memory 1))

  ;; A 2 × 4 tile of dot products: rows a and a + rowBytes against rows b … b + 3 rowBytes, into out (row i) and
  ;; out + outRow (row i + 1). Each sum keeps its even and odd terms in the two lanes, added at the end.
  (func $dots (param $a i32) (param $b i32) (param $rowBytes i32) (param $out i32) (param $outRow i32)
    (local $d i32) (local $a1 i32) (local $b1 i32) (local $b2 i32) (local $b3 i32)
    (local $x0 v128) (local $x1 v128) (local $y v128)
    (local $s00 v128) (local $s01 v128) (local $s02 v128) (local $s03 v128)
    (local $s10 v128) (local $s11 v128) (local $s12 v128) (local $s13 v128)
    (local.set $a1 (i32.add (local.get $a) (local.get $rowBytes)))
    (local.set $b1 (i32.add (local.get $b) (local.get $rowBytes)))
    (local.set $b2 (i32.add (local.get $b1) (local.get $rowBytes)))
    (local.set $b3 (i32.add (local.get $b2) (local.get $rowBytes)))
    (block $done
      (loop $terms
        (br_if $done (i32.ge_u (local.get $d) (local.get $rowBytes)))
        (local.set $x0 (v128.load (i32.add (local.get $a) (local.get $d))))
        (local.set $x1 (v128.load (i32.add (local.get $a1) (local.get $d))))
        (local.set $y (v128.load (i32.add (local.get $b) (local.get $d))))
        (local.set $s00 (f64x2.add (local.get $s00) (f64x2.mul (local.get $x0) (local.get $y))))
        (local.set $s10 (f64x2.add (local.get $s10) (f64x2.mul (local.get $x1) (local.get $y))))
        (local.set $y (v128.load (i32.add (local.get $b1) (local.get $d))))
        (local.set $s01 (f64x2.add (local.get $s01) (f64x2.mul (local.get $x0) (local.get $y))))
        (local.set $s11 (f64x2.add (local.get $s11) (f64x2.mul (local.get $x1) (local.get $y))))
        (local.set $y (v128.load (i32.add (local.get $b2) (local.get $d))))
        (local.set $s02 (f64x2.add (local.get $s02) (f64x2.mul (local.get $x0) (local.get $y))))
        (local.set $s12 (f64x2.add (local.get $s12) (f64x2.mul (local.get $x1) (local.get $y))))
        (local.set $y (v128.load (i32.add (local.get $b3) (local.get $d))))
        (local.set $s03 (f64x2.add (local.get $s03) (f64x2.mul (local.get $x0) (local.get $y))))
        (local.set $s13 (f64x2.add (local.get $s13) (f64x2.mul (local.get $x1) (local.get $y))))
        (local.set $d (i32.add (local.get $d) (i32.const 16)))
        (br $terms)))
    (call $store4 (local.get $out) (local.get $s00) (local.get $s01) (local.get $s02) (local.get $s03))
    (call $store4 (i32.add (local.get $out) (local.get $outRow)) (local.get $s10) (local.get $s11) (local.get $s12) (local.get $s13)))

  ;; The same tile of squared Euclidean distances: Σ (a − b)².
  (func $distances (param $a i32) (param $b i32) (param $rowBytes i32) (param $out i32) (param $outRow i32)
    (local $d i32) (local $a1 i32) (local $b1 i32) (local $b2 i32) (local $b3 i32)
    (local $x0 v128) (local $x1 v128) (local $y v128) (local $e v128)
    (local $s00 v128) (local $s01 v128) (local $s02 v128) (local $s03 v128)
    (local $s10 v128) (local $s11 v128) (local $s12 v128) (local $s13 v128)
    (local.set $a1 (i32.add (local.get $a) (local.get $rowBytes)))
    (local.set $b1 (i32.add (local.get $b) (local.get $rowBytes)))
    (local.set $b2 (i32.add (local.get $b1) (local.get $rowBytes)))
    (local.set $b3 (i32.add (local.get $b2) (local.get $rowBytes)))
    (block $done
      (loop $terms
        (br_if $done (i32.ge_u (local.get $d) (local.get $rowBytes)))
        (local.set $x0 (v128.load (i32.add (local.get $a) (local.get $d))))
        (local.set $x1 (v128.load (i32.add (local.get $a1) (local.get $d))))
        (local.set $y (v128.load (i32.add (local.get $b) (local.get $d))))
        (local.set $e (f64x2.sub (local.get $x0) (local.get $y)))
        (local.set $s00 (f64x2.add (local.get $s00) (f64x2.mul (local.get $e) (local.get $e))))
        (local.set $e (f64x2.sub (local.get $x1) (local.get $y)))
        (local.set $s10 (f64x2.add (local.get $s10) (f64x2.mul (local.get $e) (local.get $e))))
        (local.set $y (v128.load (i32.add (local.get $b1) (local.get $d))))
        (local.set $e (f64x2.sub (local.get $x0) (local.get $y)))
        (local.set $s01 (f64x2.add (local.get $s01) (f64x2.mul (local.get $e) (local.get $e))))
        (local.set $e (f64x2.sub (local.get $x1) (local.get $y)))
        (local.set $s11 (f64x2.add (local.get $s11) (f64x2.mul (local.get $e) (local.get $e))))
        (local.set $y (v128.load (i32.add (local.get $b2) (local.get $d))))
        (local.set $e (f64x2.sub (local.get $x0) (local.get $y)))
        (local.set $s02 (f64x2.add (local.get $s02) (f64x2.mul (local.get $e) (local.get $e))))
        (local.set $e (f64x2.sub (local.get $x1) (local.get $y)))
        (local.set $s12 (f64x2.add (local.get $s12) (f64x2.mul (local.get $e) (local.get $e))))
        (local.set $y (v128.load (i32.add (local.get $b3) (local.get $d))))
        (local.set $e (f64x2.sub (local.get $x0) (local.get $y)))
        (local.set $s03 (f64x2.add (local.get $s03) (f64x2.mul (local.get $e) (local.get $e))))
        (local.set $e (f64x2.sub (local.get $x1) (local.get $y)))
        (local.set $s13 (f64x2.add (local.get $s13) (f64x2.mul (local.get $e) (local.get $e))))
        (local.set $d (i32.add (local.get $d) (i32.const 16)))
        (br $terms)))
    (call $store4 (local.get $out) (local.get $s00) (local.get $s01) (local.get $s02) (local.get $s03))
    (call $store4 (i32.add (local.get $out) (local.get $outRow)) (local.get $s10) (local.get $s11) (local.get $s12) (local.get $s13)))

  ;; Four sums, each the total of its two lanes, at out … out + 24.
  (func $store4 (param $out i32) (param $s0 v128) (param $s1 v128) (param $s2 v128) (param $s3 v128)
    (f64.store (local.get $out) (f64.add (f64x2.extract_lane 0 (local.get $s0)) (f64x2.extract_lane 1 (local.get $s0))))
    (f64.store offset=8 (local.get $out) (f64.add (f64x2.extract_lane 0 (local.get $s1)) (f64x2.extract_lane 1 (local.get $s1))))
    (f64.store offset=16 (local.get $out) (f64.add (f64x2.extract_lane 0 (local.get $s2)) (f64x2.extract_lane 1 (local.get $s2))))
    (f64.store offset=24 (local.get $out) (f64.add (f64x2.extract_lane 0 (local.get $s3)) (f64x2.extract_lane 1 (local.get $s3)))))

  ;; Rows i0 … i1 − 1 (i0 even) against every j ≥ i, into out (row i − i0 at out + (i − i0) · stride · 8). The columns
  ;; go in blocks of `block` rows (a multiple of 4), each kept in cache while the stripe's rows pass over it.
  ;; squared: 0 for dot products, 1 for squared distances.
  (func (export "stripe") (param $rows i32) (param $n i32) (param $columns i32) (param $i0 i32) (param $i1 i32)
    (param $out i32) (param $stride i32) (param $block i32) (param $squared i32)
    (local $rowBytes i32) (local $outRow i32) (local $jb i32) (local $jEnd i32) (local $i i32) (local $j i32)
    (local $a i32) (local $o i32)
    (local.set $rowBytes (i32.shl (local.get $columns) (i32.const 3)))
    (local.set $outRow (i32.shl (local.get $stride) (i32.const 3)))
    (local.set $jb (i32.and (local.get $i0) (i32.const -4)))
    (block $blocksDone
      (loop $blocks
        (br_if $blocksDone (i32.ge_u (local.get $jb) (local.get $n)))
        (local.set $jEnd (i32.add (local.get $jb) (local.get $block)))
        (if (i32.gt_u (local.get $jEnd) (local.get $n)) (then (local.set $jEnd (local.get $n))))
        (local.set $i (local.get $i0))
        (block $rowsDone
          (loop $pairs
            ;; Rows past the block's end have none of its columns right of their diagonal.
            (br_if $rowsDone (i32.or (i32.ge_u (local.get $i) (local.get $i1)) (i32.ge_u (local.get $i) (local.get $jEnd))))
            (local.set $j (i32.and (local.get $i) (i32.const -4)))
            (if (i32.lt_u (local.get $j) (local.get $jb)) (then (local.set $j (local.get $jb))))
            (local.set $a (i32.add (local.get $rows) (i32.mul (local.get $i) (local.get $rowBytes))))
            (local.set $o (i32.add (local.get $out) (i32.mul (i32.sub (local.get $i) (local.get $i0)) (local.get $outRow))))
            (block $tilesDone
              (loop $tiles
                (br_if $tilesDone (i32.ge_u (local.get $j) (local.get $jEnd)))
                (if (local.get $squared)
                  (then (call $distances (local.get $a) (i32.add (local.get $rows) (i32.mul (local.get $j) (local.get $rowBytes)))
                    (local.get $rowBytes) (i32.add (local.get $o) (i32.shl (local.get $j) (i32.const 3))) (local.get $outRow)))
                  (else (call $dots (local.get $a) (i32.add (local.get $rows) (i32.mul (local.get $j) (local.get $rowBytes)))
                    (local.get $rowBytes) (i32.add (local.get $o) (i32.shl (local.get $j) (i32.const 3))) (local.get $outRow))))
                (local.set $j (i32.add (local.get $j) (i32.const 4)))
                (br $tiles)))
            (local.set $i (i32.add (local.get $i) (i32.const 2)))
            (br $pairs)))
        (local.set $jb (local.get $jEnd))
        (br $blocks))))
)
