// The convolution gradients of the WebAssembly backend, so that models train there (AligNet distillation) instead of
// on tfjs's plain-JS CPU backend, and saliency maps run faster: the filter gradients it lacks (a convolution's as
// its patches times dY on XNNPACK, a depthwise one's as a loop over positions and taps), and for a 1 × 1, stride-1 convolution — most of a MobileNet's work — both gradients as one
// matrix product on the backend's own XNNPACK kernels (reshapes share the data), ~7× faster for the input gradient
// than the backend's own loop.
import * as tf from '@tensorflow/tfjs-core'
import { forEachTap } from './convolutionTaps'
import { overrideWasmKernel, wasmDispose, wasmFilled, wasmKernel as kernel, wasmOutput, wasmValues } from './wasmKernel'

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding

/** dW (fh × fw × c × m) of a depthwise convolution from its input x (NHWC) and dy (b × outH × outW × c·m). */
export function depthwiseBackpropFilter(x: Float32Array, dy: Float32Array, info: tf.backend_util.Conv2DInfo): Float32Array {
  const { inChannels, outChannels, filterHeight, filterWidth } = info
  const multiplier = outChannels / inChannels
  const dw = new Float32Array(filterHeight * filterWidth * outChannels)
  forEachTap(info, (xAt, dyAt, tap) => {
    const wAt = tap * outChannels
    for (let c = 0; c < inChannels; c++) {
      const value = x[xAt + c]!
      for (let m = 0; m < multiplier; m++) dw[wAt + c * multiplier + m]! += value * dy[dyAt + c * multiplier + m]!
    }
  })
  return dw
}

/**
 * Rows [first, first + rows) of the patch matrix of x (im2col): a row per output position, a column per (fy, fx, ci),
 * zero where the tap falls outside the input. Patchesᵀ · dY is the convolution's filter gradient.
 */
export function convolutionPatches(x: Float32Array, info: tf.backend_util.Conv2DInfo, first: number, rows: number, out: Float32Array): void {
  const { inChannels, outChannels, filterHeight, filterWidth } = info
  const width = filterHeight * filterWidth * inChannels
  out.fill(0)
  forEachTap(
    info,
    (xAt, dyAt, tap) => {
      const at = (dyAt / outChannels - first) * width + tap * inChannels
      for (let c = 0; c < inChannels; c++) out[at + c] = x[xAt + c]!
    },
    first,
    first + rows,
  )
}

/** Patch rows made at a time: at most 2^24 floats (64 MiB) of patches. */
const PATCH_FLOATS = 2 ** 24

type Attributes = { strides: [number, number] | number; pad: Pad; dilations?: [number, number] | number; dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: [number, number, number, number] }

/** The matrix product of a and b on the wasm backend; `transposeFirst` transposes a first (its transposed matMul is slow). */
function product(backend: object, a: tf.TensorInfo, b: tf.TensorInfo, transposeFirst: boolean): tf.TensorInfo {
  const left = transposeFirst ? (kernel('Transpose')({ inputs: { x: a }, backend, attrs: { perm: [0, 2, 1] } }) as tf.TensorInfo) : a
  const out = kernel('BatchMatMul')({ inputs: { a: left, b }, backend, attrs: { transposeA: false, transposeB: false } }) as tf.TensorInfo
  if (transposeFirst) wasmDispose(backend, left)
  return out
}

/**
 * dW (fh × fw × ci × co) of a convolution as Patchesᵀ dY on XNNPACK, `patchFloats` of patches at a time (a loop over
 * taps in JavaScript was ~4× slower: MobileNetV2's first convolution, 12 images, 610 → 160 ms measured side by side).
 */
export function convFilterGradient(backend: object, x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo, patchFloats = PATCH_FLOATS): tf.TensorInfo {
  const [taps, outputs] = [info.filterHeight * info.filterWidth * info.inChannels, info.outChannels]
  const positions = info.batchSize * info.outHeight * info.outWidth
  const block = Math.max(1, Math.floor(patchFloats / taps))
  const dw = new Float32Array(taps * outputs)
  for (let first = 0; first < positions; first += block) {
    const rows = Math.min(block, positions - first)
    const patches = wasmFilled(backend, [1, rows, taps], (out) => convolutionPatches(wasmValues(backend, x), info, first, rows, out))
    const dyRows = wasmFilled(backend, [1, rows, outputs], (out) => out.set(wasmValues(backend, dy).subarray(first * outputs, (first + rows) * outputs)))
    const part = product(backend, patches, dyRows, true)
    const values = wasmValues(backend, part)
    for (let i = 0; i < dw.length; i++) dw[i]! += values[i]!
    wasmDispose(backend, patches, dyRows, part)
  }
  return wasmOutput(backend, [info.filterHeight, info.filterWidth, info.inChannels, outputs], dw)
}

const pointwise = (info: tf.backend_util.Conv2DInfo) =>
  info.filterHeight === 1 && info.filterWidth === 1 && info.strideHeight === 1 && info.strideWidth === 1 && info.padInfo.top === 0 && info.padInfo.left === 0

let registered = false

/** Registers the filter gradients and the 1 × 1 input gradient on the wasm backend, once. */
export function registerWasmConvolutionGradients(): void {
  if (registered) return
  registered = true
  const reshape = kernel('Reshape')
  const as3d = (backend: object, t: tf.TensorInfo, rows: number, columns: number) => reshape({ inputs: { x: t }, backend, attrs: { shape: [1, rows, columns] } }) as tf.TensorInfo
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo }
      const { strides, pad, dimRoundingMode, filterShape } = attrs as unknown as Attributes
      const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode)
      if (pointwise(info)) {
        // dW = Xᵀ dY over all positions.
        const positions = info.batchSize * info.outHeight * info.outWidth
        const [x3, dy3] = [as3d(backend, x, positions, info.inChannels), as3d(backend, dy, positions, info.outChannels)]
        const dw3 = product(backend, x3, dy3, true)
        const dw = reshape({ inputs: { x: dw3 }, backend, attrs: { shape: filterShape } }) as tf.TensorInfo
        wasmDispose(backend, x3, dy3, dw3)
        return dw
      }
      return convFilterGradient(backend, x, dy, info)
    },
  })
  tf.registerKernel({
    kernelName: 'DepthwiseConv2dNativeBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo }
      const { strides, pad, dilations, dimRoundingMode, filterShape } = attrs as unknown as Attributes
      const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, dilations ?? 1, pad, dimRoundingMode, true)
      return wasmOutput(backend, filterShape, depthwiseBackpropFilter(wasmValues(backend, x), wasmValues(backend, dy), info))
    },
  })
  overrideWasmKernel('Conv2DBackpropInput', (own) => (args) => {
    const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo }
    const { strides, pad, dimRoundingMode, inputShape } = args.attrs as unknown as Attributes & { inputShape: [number, number, number, number] }
    const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode)
    if (!pointwise(info)) return own(args)
    // dX = dY Wᵀ over all positions.
    const { backend } = args
    const positions = info.batchSize * info.outHeight * info.outWidth
    const [dy3, w3] = [as3d(backend, dy, positions, info.outChannels), as3d(backend, filter, info.inChannels, info.outChannels)]
    const wt = kernel('Transpose')({ inputs: { x: w3 }, backend, attrs: { perm: [0, 2, 1] } }) as tf.TensorInfo
    const dx3 = product(backend, dy3, wt, false)
    const dx = reshape({ inputs: { x: dx3 }, backend, attrs: { shape: inputShape } }) as tf.TensorInfo
    wasmDispose(backend, dy3, w3, wt, dx3)
    return dx
  })
}
