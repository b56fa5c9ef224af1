;; The inner loop of Sinkhorn for HumanAlign's GW solver, in WebAssembly with 128-bit SIMD (two float64 lanes).
;; Compiled by scripts/build-wasm.mjs into sinkhornWasm.ts (checked by tests/unit/gwWasm.test.ts).
;; Arrays live in this module's memory, addressed by byte offset: K is float32, n × m, row-major (half the memory
;; traffic of float64; the sweep is bound by it), the vectors are float64 and every product is summed in float64.
(module
  (memory (export "memory") 1)

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

  ;; One Sinkhorn sweep over K: u_i = a_i / (K v)_i row by row, and next = Kᵀu accumulated from the same rows
  ;; while they are in cache. Returns 1 when some u_i leaves [1/limit, limit] (or is not finite), else 0.
  (func (export "sweep") (param $k i32) (param $n i32) (param $m i32) (param $v i32) (param $a i32) (param $u i32)
        (param $next i32) (param $limit f64) (result i32)
    (local $i i32) (local $row i32) (local $x f64) (local $out i32)
    (memory.fill (local.get $next) (i32.const 0) (i32.shl (local.get $m) (i32.const 3)))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $row (i32.add (local.get $k) (i32.shl (i32.mul (local.get $i) (local.get $m)) (i32.const 2))))
        (local.set $x (f64.div (f64.load (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 3))))
                               (call $dot (local.get $row) (local.get $v) (local.get $m))))
        (f64.store (i32.add (local.get $u) (i32.shl (local.get $i) (i32.const 3))) (local.get $x))
        ;; NaN fails both comparisons, so it is "out" too.
        (if (i32.eqz (i32.and (f64.lt (local.get $x) (local.get $limit))
                              (f64.gt (local.get $x) (f64.div (f64.const 1) (local.get $limit)))))
          (then (local.set $out (i32.const 1))))
        (call $axpy (local.get $row) (local.get $x) (local.get $next) (local.get $m))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))
    (local.get $out))
)
