;; The gradient of clipping (ReLU6) for TF.js's WebAssembly backend, in 128-bit SIMD: dy where low ≤ x ≤ high, +0
;; elsewhere (a NaN x too). It works in the backend's own memory, imported, on its tensors' byte offsets, so nothing
;; is copied. Compiled by scripts/build-wasm.mjs into clipGradientWasm.ts, once as written and once with the memory
;; shared (the backend's threaded build); checked by tests/unit/modelGradients.test.ts.
(module
  (import "env" "memory" (memory 1))

  (func (export "clipGradient") (param $dy i32) (param $x i32) (param $out i32) (param $n i32) (param $low f32) (param $high f32)
    (local $at i32) (local $end i32) (local $fours i32) (local $lo v128) (local $hi v128) (local $v v128) (local $s f32)
    (local.set $lo (f32x4.splat (local.get $low)))
    (local.set $hi (f32x4.splat (local.get $high)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $fours (i32.and (local.get $end) (i32.const -16)))
    ;; Four at a time: the comparisons' all-ones lanes select dy's bits.
    (block $done4
      (loop $four
        (br_if $done4 (i32.ge_u (local.get $at) (local.get $fours)))
        (local.set $v (v128.load (i32.add (local.get $x) (local.get $at))))
        (v128.store (i32.add (local.get $out) (local.get $at))
          (v128.and (v128.load (i32.add (local.get $dy) (local.get $at)))
                    (v128.and (f32x4.ge (local.get $v) (local.get $lo)) (f32x4.le (local.get $v) (local.get $hi)))))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (br $four)))
    ;; The last n mod 4.
    (block $done1
      (loop $one
        (br_if $done1 (i32.ge_u (local.get $at) (local.get $end)))
        (local.set $s (f32.load (i32.add (local.get $x) (local.get $at))))
        (f32.store (i32.add (local.get $out) (local.get $at))
          (select (f32.load (i32.add (local.get $dy) (local.get $at))) (f32.const 0)
            (i32.and (f32.ge (local.get $s) (local.get $low)) (f32.le (local.get $s) (local.get $high)))))
        (local.set $at (i32.add (local.get $at) (i32.const 4)))
        (br $one)))))
