// Spatial kernels of the WebAssembly backend that only move values, as copies and one broadcast multiply:
// - padding an NHWC tensor along batch, height and width (ZeroPadding2D before a strided convolution), and slicing
//   one along them (the padding's gradient): a row of the input is one run of the output; tfjs-wasm's PadV2 took
//   11.4 ms for 12 × 224 × 224 × 3 (1.2 here), its Slice copies pixel by pixel;
// - the gradient of a global average pool (the window is the whole image): dy / (H · W) at every pixel, as XNNPACK's
//   broadcast multiply; tfjs-wasm's AvgPoolGrad loop took 20 ms for 12 × 7 × 7 × 1280.
import * as tf from '@tensorflow/tfjs-core'
import { overrideWasmKernel, wasmDispose, wasmFilled, wasmKernel, wasmOutput, wasmValues } from './wasmKernel'

/** Whether a pool over an image of `inputShape` (NHWC) takes the whole image in one window, without padding. */
export function globalPool(inputShape: number[], filterSize: number | [number, number], strides: number | [number, number], pad: 'valid' | 'same' | number): boolean {
  const info = tf.backend_util.computePool2DInfo(inputShape as [number, number, number, number], filterSize, strides, 1, pad)
  return info.outHeight === 1 && info.outWidth === 1 && info.filterHeight === info.inHeight && info.filterWidth === info.inWidth && info.padInfo.top === 0 && info.padInfo.left === 0
}

/** Registers the three on the wasm backend; other cases go to tfjs-wasm's own kernels. */
export function registerWasmSpatialKernels(): void {
  overrideWasmKernel('PadV2', (own) => (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo }
    const { paddings, constantValue } = args.attrs as unknown as { paddings: [number, number][]; constantValue: number }
    if (x.dtype !== 'float32' || x.shape.length !== 4 || paddings[3]![0] !== 0 || paddings[3]![1] !== 0) return own(args)
    const { backend } = args
    const [b, h, w, c] = x.shape as [number, number, number, number]
    const [[top0], [top], [left, right]] = paddings as [[number, number], [number, number], [number, number]]
    const shape = x.shape.map((size, axis) => size + paddings[axis]![0] + paddings[axis]![1])
    const [outHeight, row] = [shape[1]!, w * c]
    const outRow = (left + w + right) * c
    return wasmFilled(backend, shape, (out) => {
      const values = wasmValues(backend, x)
      // Each output value written once: rows of padding filled, the others a run of input between two fills.
      for (let n = 0; n < shape[0]!; n++)
        for (let y = 0; y < outHeight; y++) {
          const at = (n * outHeight + y) * outRow
          const [inN, inY] = [n - top0, y - top]
          if (inN < 0 || inN >= b || inY < 0 || inY >= h) {
            out.fill(constantValue, at, at + outRow)
            continue
          }
          const from = (inN * h + inY) * row
          out.fill(constantValue, at, at + left * c)
          out.set(values.subarray(from, from + row), at + left * c)
          out.fill(constantValue, at + left * c + row, at + outRow)
        }
    })
  })
  overrideWasmKernel('Slice', (own) => (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo }
    const { begin, size } = args.attrs as unknown as { begin: number | number[]; size: number | number[] }
    if (x.dtype !== 'float32' || x.shape.length !== 4) return own(args)
    const [start, extent] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size) as [number[], number[]]
    const [, h, w, c] = x.shape as [number, number, number, number]
    if (start[3] !== 0 || extent[3] !== c) return own(args)
    const { backend } = args
    const row = extent[2]! * c
    return wasmFilled(backend, extent, (out) => {
      const values = wasmValues(backend, x)
      for (let n = 0; n < extent[0]!; n++)
        for (let y = 0; y < extent[1]!; y++) {
          const from = (((start[0]! + n) * h + start[1]! + y) * w + start[2]!) * c
          out.set(values.subarray(from, from + row), (n * extent[1]! + y) * row)
        }
    })
  })
  overrideWasmKernel('AvgPoolGrad', (own) => (args) => {
    const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo }
    const { filterSize, strides, pad } = args.attrs as unknown as { filterSize: number | [number, number]; strides: number | [number, number]; pad: 'valid' | 'same' | number }
    if (dy.dtype !== 'float32' || !globalPool(input.shape, filterSize, strides, pad)) return own(args)
    const { backend } = args
    const [, h, w] = input.shape as [number, number, number, number]
    const share = wasmOutput(backend, [1, h, w, 1], new Float32Array(h * w).fill(1 / (h * w)))
    const dx = wasmKernel('Multiply')({ inputs: { a: dy, b: share }, backend, attrs: {} }) as tf.TensorInfo
    wasmDispose(backend, share)
    return dx
  })
}
