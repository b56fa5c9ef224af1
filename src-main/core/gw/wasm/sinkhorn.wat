;; The inner loop of Sinkhorn for HumanAlign's GW solver, in WebAssembly with 128-bit SIMD (two float64 lanes).
;; Compiled by scripts/build-wasm.mjs into sinkhornWasm.ts (checked by tests/unit/gwWasm.test.ts).
;; Arrays live in the memory it is given (shared, when helper threads take blocks of rows), addressed by byte offset:
;; K is float32, n × m, row-major (half the memory traffic of float64; the sweep is bound by it), the vectors are
;; float64 and every product is summed in float64. A block of rows is K, a, u, f and the cost from its first row.
(module
  (import "env" "memory" (memory 1))

  ;; Σ_j row[j] x[j] over m values (row float32, x float64): four float32 at a time, widened to two pairs of
  ;; float64, into two accumulators; then the tail.
  (func $dot (param $row i32) (param $x i32) (param $m i32) (result f64)
    (local $j i32) (local $acc0 v128) (local $acc1 v128) (local $s f64) (local $k v128) (local $at i32)
    (local.set $acc0 (f64x2.splat (f64.const 0)))
    (local.set $acc1 (f64x2.splat (f64.const 0)))
    (block $done4
      (loop $four
        (br_if $done4 (i32.gt_s (i32.add (local.get $j) (i32.const 4)) (local.get $m)))
        (local.set $k (v128.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $at (i32.add (local.get $x) (i32.shl (local.get $j) (i32.const 3))))
        (local.set $acc0 (f64x2.add (local.get $acc0)
          (f64x2.mul (f64x2.promote_low_f32x4 (local.get $k)) (v128.load (local.get $at)))))
        (local.set $acc1 (f64x2.add (local.get $acc1)
          (f64x2.mul (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $k) (local.get $k)))
                     (v128.load offset=16 (local.get $at)))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $four)))
    (local.set $acc0 (f64x2.add (local.get $acc0) (local.get $acc1)))
    (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $acc0)) (f64x2.extract_lane 1 (local.get $acc0))))
    (block $done1
      (loop $one
        (br_if $done1 (i32.ge_s (local.get $j) (local.get $m)))
        (local.set $s (f64.add (local.get $s)
          (f64.mul (f64.promote_f32 (f32.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2)))))
                   (f64.load (i32.add (local.get $x) (i32.shl (local.get $j) (i32.const 3)))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $one)))
    (local.get $s))

  ;; out[j] += c row[j] over m values (row float32, out float64).
  (func $axpy (param $row i32) (param $c f64) (param $out i32) (param $m i32)
    (local $j i32) (local $cs v128) (local $at i32) (local $k v128)
    (local.set $cs (f64x2.splat (local.get $c)))
    (block $done4
      (loop $four
        (br_if $done4 (i32.gt_s (i32.add (local.get $j) (i32.const 4)) (local.get $m)))
        (local.set $k (v128.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $at (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3))))
        (v128.store (local.get $at) (f64x2.add (v128.load (local.get $at))
          (f64x2.mul (local.get $cs) (f64x2.promote_low_f32x4 (local.get $k)))))
        (v128.store offset=16 (local.get $at) (f64x2.add (v128.load offset=16 (local.get $at))
          (f64x2.mul (local.get $cs) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $k) (local.get $k))))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $four)))
    (block $done1
      (loop $one
        (br_if $done1 (i32.ge_s (local.get $j) (local.get $m)))
        (local.set $at (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3))))
        (f64.store (local.get $at) (f64.add (f64.load (local.get $at))
          (f64.mul (local.get $c) (f64.promote_f32 (f32.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2))))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $one))))

  ;; out = Kᵀ u (out is zeroed first).
  (func (export "columnSums") (param $k i32) (param $n i32) (param $m i32) (param $u i32) (param $out i32)
    (local $i i32)
    (memory.fill (local.get $out) (i32.const 0) (i32.shl (local.get $m) (i32.const 3)))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
        (call $axpy
          (i32.add (local.get $k) (i32.shl (i32.mul (local.get $i) (local.get $m)) (i32.const 2)))
          (f64.load (i32.add (local.get $u) (i32.shl (local.get $i) (i32.const 3))))
          (local.get $out) (local.get $m))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

;; ln x for a positive, finite x (x = 2^e · m with m in [√½, √2); ln m = 2 atanh((m − 1)/(m + 1)) by its series to
  ;; the 21st power, below 1e-16), subnormals scaled up first.
  (func $log (param $x f64) (result f64)
    (local $bits i64) (local $e f64) (local $m f64) (local $s f64) (local $z f64) (local $p f64)
    (if (f64.lt (local.get $x) (f64.const 2.2250738585072014e-308))
      (then
        (local.set $x (f64.mul (local.get $x) (f64.const 18014398509481984)))
        (local.set $e (f64.const -54))))
    (local.set $bits (i64.reinterpret_f64 (local.get $x)))
    (local.set $e (f64.add (local.get $e) (f64.convert_i64_s (i64.sub (i64.shr_u (local.get $bits) (i64.const 52)) (i64.const 1023)))))
    (local.set $m (f64.reinterpret_i64 (i64.or (i64.and (local.get $bits) (i64.const 0x000FFFFFFFFFFFFF)) (i64.const 0x3FF0000000000000))))
    (if (f64.gt (local.get $m) (f64.const 1.4142135623730951))
      (then
        (local.set $m (f64.mul (local.get $m) (f64.const 0.5)))
        (local.set $e (f64.add (local.get $e) (f64.const 1)))))
    (local.set $s (f64.div (f64.sub (local.get $m) (f64.const 1)) (f64.add (local.get $m) (f64.const 1))))
    (local.set $z (f64.mul (local.get $s) (local.get $s)))
    (local.set $p (f64.const 0.047619047619047616))
    (local.set $p (f64.add (f64.const 0.05263157894736842) (f64.mul (local.get $p) (local.get $z))))
    (local.set $p (f64.add (f64.const 0.058823529411764705) (f64.mul (local.get $p) (local.get $z))))
    (local.set $p (f64.add (f64.const 0.06666666666666667) (f64.mul (local.get $p) (local.get $z))))
    (local.set $p (f64.add (f64.const 0.07692307692307693) (f64.mul (local.get $p) (local.get $z))))
    (local.set $p (f64.add (f64.const 0.09090909090909091) (f64.mul (local.get $p) (local.get $z))))
    (local.set $p (f64.add (f64.const 0.1111111111111111) (f64.mul (local.get $p) (local.get $z))))
    (local.set $p (f64.add (f64.const 0.14285714285714285) (f64.mul (local.get $p) (local.get $z))))
    (local.set $p (f64.add (f64.const 0.2) (f64.mul (local.get $p) (local.get $z))))
    (local.set $p (f64.add (f64.const 0.3333333333333333) (f64.mul (local.get $p) (local.get $z))))
    (local.set $p (f64.add (f64.const 1) (f64.mul (local.get $p) (local.get $z))))
    (f64.add (f64.mul (local.get $e) (f64.const 6.93147180369123816490e-01))
      (f64.add (f64.mul (f64.mul (f64.const 2) (local.get $s)) (local.get $p)) (f64.mul (local.get $e) (f64.const 1.90821492927058770002e-10)))))

  ;; One Sinkhorn sweep over K: x_i = a_i / (K v)_i row by row, u_i = x_i, or with momentum ω ≠ 1 (overrelaxation)
  ;; u_i^(1−ω) x_i^ω; and next = Kᵀu accumulated from the same rows while they are in cache. Returns 1 when some u_i
  ;; leaves [1/limit, limit] (or is not finite), else 0.
  (func (export "sweep") (param $k i32) (param $n i32) (param $m i32) (param $v i32) (param $a i32) (param $u i32)
        (param $next i32) (param $limit f64) (param $omega f64) (result i32)
    (local $i i32) (local $row i32) (local $x f64) (local $out i32) (local $at i32) (local $old f64)
    (memory.fill (local.get $next) (i32.const 0) (i32.shl (local.get $m) (i32.const 3)))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $row (i32.add (local.get $k) (i32.shl (i32.mul (local.get $i) (local.get $m)) (i32.const 2))))
        (local.set $at (i32.add (local.get $u) (i32.shl (local.get $i) (i32.const 3))))
        (local.set $x (f64.div (f64.load (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 3))))
                               (call $dot (local.get $row) (local.get $v) (local.get $m))))
        (local.set $old (f64.load (local.get $at)))
        ;; Momentum where both are positive and finite (else the plain step, which the caller then sees).
        (if (i32.and (f64.ne (local.get $omega) (f64.const 1))
              (i32.and (i32.and (f64.gt (local.get $x) (f64.const 0)) (f64.lt (local.get $x) (f64.const inf)))
                       (i32.and (f64.gt (local.get $old) (f64.const 0)) (f64.lt (local.get $old) (f64.const inf)))))
          (then
            (local.set $x (f64x2.extract_lane 0 (call $exp2x (f64x2.splat
              (f64.add (f64.mul (f64.sub (f64.const 1) (local.get $omega)) (call $log (local.get $old)))
                       (f64.mul (local.get $omega) (call $log (local.get $x))))))))))
        (f64.store (local.get $at) (local.get $x))
        ;; NaN fails both comparisons, so it is "out" too.
        (if (i32.eqz (i32.and (f64.lt (local.get $x) (local.get $limit))
                              (f64.gt (local.get $x) (f64.div (f64.const 1) (local.get $limit)))))
          (then (local.set $out (i32.const 1))))
        (call $axpy (local.get $row) (local.get $x) (local.get $next) (local.get $m))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))
    (local.get $out))

  ;; exp(x) in both float64 lanes, to float64 accuracy (a few ulp): x = k ln 2 + r with |r| ≤ ln 2 / 2 (Cody and
  ;; Waite's two-part ln 2), exp(r) by its Taylor series to r¹¹ (truncation below 3e-15), times 2^k through the exponent
  ;; bits. x is first clamped to [-200, 100]: beyond, exp(x) is 0 or ∞ in float32 anyway, and 2^k stays normal.
  (func $exp2x (param $x v128) (result v128)
    (local $k v128) (local $r v128) (local $p v128)
    (local.set $x (f64x2.max (f64x2.splat (f64.const -200)) (f64x2.min (local.get $x) (f64x2.splat (f64.const 100)))))
    (local.set $k (f64x2.nearest (f64x2.mul (local.get $x) (f64x2.splat (f64.const 1.4426950408889634)))))
    (local.set $r (f64x2.sub (f64x2.sub (local.get $x) (f64x2.mul (local.get $k) (f64x2.splat (f64.const 6.93147180369123816490e-01))))
                             (f64x2.mul (local.get $k) (f64x2.splat (f64.const 1.90821492927058770002e-10)))))
    (local.set $p (f64x2.splat (f64.const 2.505210838544172e-08)))
    (local.set $p (f64x2.add (f64x2.splat (f64.const 2.755731922398589e-07)) (f64x2.mul (local.get $p) (local.get $r))))
    (local.set $p (f64x2.add (f64x2.splat (f64.const 2.7557319223985893e-06)) (f64x2.mul (local.get $p) (local.get $r))))
    (local.set $p (f64x2.add (f64x2.splat (f64.const 2.48015873015873e-05)) (f64x2.mul (local.get $p) (local.get $r))))
    (local.set $p (f64x2.add (f64x2.splat (f64.const 1.984126984126984e-04)) (f64x2.mul (local.get $p) (local.get $r))))
    (local.set $p (f64x2.add (f64x2.splat (f64.const 1.388888888888889e-03)) (f64x2.mul (local.get $p) (local.get $r))))
    (local.set $p (f64x2.add (f64x2.splat (f64.const 8.333333333333333e-03)) (f64x2.mul (local.get $p) (local.get $r))))
    (local.set $p (f64x2.add (f64x2.splat (f64.const 4.1666666666666664e-02)) (f64x2.mul (local.get $p) (local.get $r))))
    (local.set $p (f64x2.add (f64x2.splat (f64.const 0.16666666666666666)) (f64x2.mul (local.get $p) (local.get $r))))
    (local.set $p (f64x2.add (f64x2.splat (f64.const 0.5)) (f64x2.mul (local.get $p) (local.get $r))))
    (local.set $p (f64x2.add (f64x2.splat (f64.const 1)) (f64x2.mul (local.get $p) (local.get $r))))
    (local.set $p (f64x2.add (f64x2.splat (f64.const 1)) (f64x2.mul (local.get $p) (local.get $r))))
    (i64x2.add (local.get $p)
      (i64x2.shl (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $k))) (i32.const 52))))

  ;; K_ij = exp((f_i + g_j − C_ij) / ε) in float32, for C (float64, n × m) and the potentials f, g (float64).
  (func (export "fill") (param $k i32) (param $n i32) (param $m i32) (param $f i32) (param $g i32) (param $cost i32) (param $eps f64)
    (local $i i32) (local $j i32) (local $fi v128) (local $es v128) (local $at i32) (local $out i32) (local $e v128)
    (local.set $es (f64x2.splat (f64.div (f64.const 1) (local.get $eps))))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $fi (f64x2.splat (f64.load (i32.add (local.get $f) (i32.shl (local.get $i) (i32.const 3))))))
        (local.set $j (i32.const 0))
        (block $done2
          (loop $two
            (br_if $done2 (i32.gt_s (i32.add (local.get $j) (i32.const 2)) (local.get $m)))
            (local.set $at (i32.add (i32.mul (local.get $i) (local.get $m)) (local.get $j)))
            (local.set $e (call $exp2x (f64x2.mul
              (f64x2.sub (f64x2.add (local.get $fi) (v128.load (i32.add (local.get $g) (i32.shl (local.get $j) (i32.const 3)))))
                         (v128.load (i32.add (local.get $cost) (i32.shl (local.get $at) (i32.const 3)))))
              (local.get $es))))
            (v128.store64_lane 0 (i32.add (local.get $k) (i32.shl (local.get $at) (i32.const 2))) (f32x4.demote_f64x2_zero (local.get $e)))
            (local.set $j (i32.add (local.get $j) (i32.const 2)))
            (br $two)))
        ;; An odd row length leaves one.
        (if (i32.lt_s (local.get $j) (local.get $m))
          (then
            (local.set $at (i32.add (i32.mul (local.get $i) (local.get $m)) (local.get $j)))
            (local.set $e (call $exp2x (f64x2.mul
              (f64x2.sub (f64x2.add (local.get $fi) (f64x2.splat (f64.load (i32.add (local.get $g) (i32.shl (local.get $j) (i32.const 3))))))
                         (f64x2.splat (f64.load (i32.add (local.get $cost) (i32.shl (local.get $at) (i32.const 3))))))
              (local.get $es))))
            (f32.store (i32.add (local.get $k) (i32.shl (local.get $at) (i32.const 2))) (f32x4.extract_lane 0 (f32x4.demote_f64x2_zero (local.get $e))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))
)
