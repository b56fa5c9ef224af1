;; Kernels for TF.js's WebAssembly backend in 128-bit SIMD, where a pass over memory is all the work: gradients of
;; clipping and ReLU, a depthwise convolution's filter and input gradients, per-channel sums, batch normalisation. They work in
;; the backend's own memory, imported, on its tensors' byte offsets, so nothing is copied. Compiled by
;; scripts/build-wasm.mjs into simdKernelsWasm.ts, once as written and once with the memory shared (the backend's
;; threaded build); checked by tests/unit/modelGradients.test.ts, kernels.test.ts, wasmConvolutionGradients.test.ts
;; and wasmThreads.test.ts.
(module
  (import "env" "memory" (memory 1))

  ;; The gradient of clipping (ReLU6): dy where low ≤ x ≤ high, +0 elsewhere (a NaN x too), over n float32.
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
        (br $one))))

  ;; One filter tap's share of a depthwise convolution's filter gradient (channel multiplier 1) along a run of
  ;; `count` output positions of one row: dw[c] += x[q · xStep + c] · dy[q · channels + c] for q < count and
  ;; c < channels; x advances by xStep bytes a position (the stride times a pixel), dy by a pixel. float32, in that order.
  (func (export "depthwiseFilterRow") (param $dw i32) (param $x i32) (param $dy i32) (param $channels i32) (param $count i32) (param $xStep i32)
    (local $q i32) (local $c i32) (local $end i32) (local $fours i32) (local $xAt i32) (local $dyAt i32) (local $at i32)
    (local.set $end (i32.shl (local.get $channels) (i32.const 2)))
    (local.set $fours (i32.and (local.get $end) (i32.const -16)))
    (local.set $xAt (local.get $x))
    (local.set $dyAt (local.get $dy))
    (block $rows
      (loop $row
        (br_if $rows (i32.ge_u (local.get $q) (local.get $count)))
        (local.set $c (i32.const 0))
        (block $done4
          (loop $four
            (br_if $done4 (i32.ge_u (local.get $c) (local.get $fours)))
            (local.set $at (i32.add (local.get $dw) (local.get $c)))
            (v128.store (local.get $at)
              (f32x4.add (v128.load (local.get $at))
                (f32x4.mul (v128.load (i32.add (local.get $xAt) (local.get $c))) (v128.load (i32.add (local.get $dyAt) (local.get $c))))))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $four)))
        (block $done1
          (loop $one
            (br_if $done1 (i32.ge_u (local.get $c) (local.get $end)))
            (local.set $at (i32.add (local.get $dw) (local.get $c)))
            (f32.store (local.get $at)
              (f32.add (f32.load (local.get $at))
                (f32.mul (f32.load (i32.add (local.get $xAt) (local.get $c))) (f32.load (i32.add (local.get $dyAt) (local.get $c))))))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $one)))
        (local.set $xAt (i32.add (local.get $xAt) (local.get $xStep)))
        (local.set $dyAt (i32.add (local.get $dyAt) (local.get $end)))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $row))))

  ;; One filter tap's share of a depthwise convolution's input gradient (channel multiplier 1) along a run of `count`
  ;; output positions of one row: dx[q · dxStep + c] += dy[q · channels + c] · w[c] for q < count and c < channels;
  ;; dx advances by dxStep bytes a position (the stride times a pixel), dy by a pixel. float32, in that order.
  (func (export "depthwiseInputRow") (param $dx i32) (param $dy i32) (param $w i32) (param $channels i32) (param $count i32) (param $dxStep i32)
    (local $q i32) (local $c i32) (local $end i32) (local $fours i32) (local $dxAt i32) (local $dyAt i32) (local $at i32)
    (local.set $end (i32.shl (local.get $channels) (i32.const 2)))
    (local.set $fours (i32.and (local.get $end) (i32.const -16)))
    (local.set $dxAt (local.get $dx))
    (local.set $dyAt (local.get $dy))
    (block $rows
      (loop $row
        (br_if $rows (i32.ge_u (local.get $q) (local.get $count)))
        (local.set $c (i32.const 0))
        (block $done4
          (loop $four
            (br_if $done4 (i32.ge_u (local.get $c) (local.get $fours)))
            (local.set $at (i32.add (local.get $dxAt) (local.get $c)))
            (v128.store (local.get $at)
              (f32x4.add (v128.load (local.get $at))
                (f32x4.mul (v128.load (i32.add (local.get $dyAt) (local.get $c))) (v128.load (i32.add (local.get $w) (local.get $c))))))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $four)))
        (block $done1
          (loop $one
            (br_if $done1 (i32.ge_u (local.get $c) (local.get $end)))
            (local.set $at (i32.add (local.get $dxAt) (local.get $c)))
            (f32.store (local.get $at)
              (f32.add (f32.load (local.get $at))
                (f32.mul (f32.load (i32.add (local.get $dyAt) (local.get $c))) (f32.load (i32.add (local.get $w) (local.get $c))))))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $one)))
        (local.set $dxAt (i32.add (local.get $dxAt) (local.get $dxStep)))
        (local.set $dyAt (i32.add (local.get $dyAt) (local.get $end)))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $row))))

  ;; Per-channel sums of a positions × channels float32 array (NHWC activations): out[c] = Σ_p x[p · channels + c],
  ;; position after position, in float32.
  (func (export "channelSums") (param $x i32) (param $out i32) (param $positions i32) (param $channels i32)
    (local $p i32) (local $c i32) (local $end i32) (local $fours i32) (local $row i32) (local $at i32)
    (local.set $end (i32.shl (local.get $channels) (i32.const 2)))
    (local.set $fours (i32.and (local.get $end) (i32.const -16)))
    (memory.fill (local.get $out) (i32.const 0) (local.get $end))
    (local.set $row (local.get $x))
    (block $rows
      (loop $next
        (br_if $rows (i32.ge_u (local.get $p) (local.get $positions)))
        (local.set $c (i32.const 0))
        (block $done4
          (loop $four
            (br_if $done4 (i32.ge_u (local.get $c) (local.get $fours)))
            (local.set $at (i32.add (local.get $out) (local.get $c)))
            (v128.store (local.get $at) (f32x4.add (v128.load (local.get $at)) (v128.load (i32.add (local.get $row) (local.get $c)))))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $four)))
        (block $done1
          (loop $one
            (br_if $done1 (i32.ge_u (local.get $c) (local.get $end)))
            (local.set $at (i32.add (local.get $out) (local.get $c)))
            (f32.store (local.get $at) (f32.add (f32.load (local.get $at)) (f32.load (i32.add (local.get $row) (local.get $c)))))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $one)))
        (local.set $row (i32.add (local.get $row) (local.get $end)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $next))))

  ;; Batch normalisation in inference mode, per channel: out[p · channels + c] = x[p · channels + c] · scale[c] + shift[c]
  ;; over positions × channels float32 (the multiply rounded, then the add, as two separate operations would).
  (func (export "scaleShift") (param $x i32) (param $scale i32) (param $shift i32) (param $out i32) (param $positions i32) (param $channels i32)
    (local $p i32) (local $c i32) (local $end i32) (local $fours i32) (local $row i32)
    (local.set $end (i32.shl (local.get $channels) (i32.const 2)))
    (local.set $fours (i32.and (local.get $end) (i32.const -16)))
    (block $rows
      (loop $next
        (br_if $rows (i32.ge_u (local.get $p) (local.get $positions)))
        (local.set $row (i32.mul (local.get $p) (local.get $end)))
        (local.set $c (i32.const 0))
        (block $done4
          (loop $four
            (br_if $done4 (i32.ge_u (local.get $c) (local.get $fours)))
            (v128.store (i32.add (local.get $out) (i32.add (local.get $row) (local.get $c)))
              (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $x) (i32.add (local.get $row) (local.get $c))))
                                    (v128.load (i32.add (local.get $scale) (local.get $c))))
                         (v128.load (i32.add (local.get $shift) (local.get $c)))))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $four)))
        (block $done1
          (loop $one
            (br_if $done1 (i32.ge_u (local.get $c) (local.get $end)))
            (f32.store (i32.add (local.get $out) (i32.add (local.get $row) (local.get $c)))
              (f32.add (f32.mul (f32.load (i32.add (local.get $x) (i32.add (local.get $row) (local.get $c))))
                                (f32.load (i32.add (local.get $scale) (local.get $c))))
                       (f32.load (i32.add (local.get $shift) (local.get $c)))))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $one)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $next)))))
