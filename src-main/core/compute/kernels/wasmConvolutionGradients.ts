// The convolution gradients of the WebAssembly backend, so that models train there (AligNet distillation) instead of
// on tfjs's plain-JS CPU backend, and saliency maps run faster: the filter gradients it lacks (a convolution's as
// its patches times dY on XNNPACK, a depthwise one's by the SIMD runs of depthwiseBackpropInput.ts for channel
// multiplier 1 and as a loop over positions and taps otherwise), and the input gradient of
// every convolution as a matrix product on the backend's own XNNPACK kernels — for a 1 × 1, stride-1 convolution
// (most of a MobileNet's work) the whole of it, ~7× faster than the backend's own loop (reshapes share the data);
// otherwise the patch gradients, added back to their pixels.
import * as tf from '@tensorflow/tfjs-core'
import { forEachTap } from './convolutionTaps'
import { depthwiseGradientByRuns } from './depthwiseBackpropInput'
import { overrideWasmKernel, wasmDispose, wasmFilled, wasmKernel as kernel, wasmMemory, wasmOutput, wasmValues } from './wasmKernel'

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

/** A batch of matrices (b × r × c) transposed (b × c × r) on the wasm backend. */
const transposed = (backend: object, t: tf.TensorInfo) => kernel('Transpose')({ inputs: { x: t }, backend, attrs: { perm: [0, 2, 1] } }) as tf.TensorInfo

/** The matrix product of a and b on the wasm backend; `transposeFirst` transposes a first (its transposed matMul is slow). */
function product(backend: object, a: tf.TensorInfo, b: tf.TensorInfo, transposeFirst: boolean): tf.TensorInfo {
  const left = transposeFirst ? transposed(backend, a) : a
  const out = kernel('BatchMatMul')({ inputs: { a: left, b }, backend, attrs: { transposeA: false, transposeB: false } }) as tf.TensorInfo
  if (transposeFirst) wasmDispose(backend, left)
  return out
}

/** Calls `visit(first, rows)` for consecutive blocks of the output positions, each at most `floats / width` rows. */
function positionBlocks(info: tf.backend_util.Conv2DInfo, width: number, floats: number, visit: (first: number, rows: number) => void): void {
  const positions = info.batchSize * info.outHeight * info.outWidth
  const block = Math.max(1, Math.floor(floats / width))
  for (let first = 0; first < positions; first += block) visit(first, Math.min(block, positions - first))
}

/** Rows [first, first + rows) of dY as a 1 × rows × outChannels tensor of the backend. */
const dyRows = (backend: object, dy: tf.TensorInfo, first: number, rows: number, outputs: number) =>
  wasmFilled(backend, [1, rows, outputs], (out) => out.set(wasmValues(backend, dy).subarray(first * outputs, (first + rows) * outputs)))

/**
 * dW (fh × fw × ci × co) of a convolution as Patchesᵀ dY on XNNPACK, `patchFloats` of patches at a time (a loop over
 * taps in JavaScript was ~4× slower: MobileNetV2's first convolution, 12 images, 610 → 160 ms measured side by side).
 */
export function convFilterGradient(backend: object, x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo, patchFloats = PATCH_FLOATS): tf.TensorInfo {
  const [taps, outputs] = [info.filterHeight * info.filterWidth * info.inChannels, info.outChannels]
  const dw = new Float32Array(taps * outputs)
  positionBlocks(info, taps, patchFloats, (first, rows) => {
    const patches = wasmFilled(backend, [1, rows, taps], (out) => convolutionPatches(wasmValues(backend, x), info, first, rows, out))
    const dyBlock = dyRows(backend, dy, first, rows, outputs)
    const part = product(backend, patches, dyBlock, true)
    const values = wasmValues(backend, part)
    for (let i = 0; i < dw.length; i++) dw[i]! += values[i]!
    wasmDispose(backend, patches, dyBlock, part)
  })
  return wasmOutput(backend, [info.filterHeight, info.filterWidth, info.inChannels, outputs], dw)
}

/**
 * dX of a convolution as the patch gradients dY Wᵀ on XNNPACK, added back to the pixels they came from (col2im),
 * `patchFloats` of them at a time. The backend's own loop took 8.4 ms for MobileNetV2's first convolution (224 px,
 * 3 × 3, stride 2), the largest share of a saliency map's input gradients.
 */
export function convInputGradient(backend: object, dy: tf.TensorInfo, filter: tf.TensorInfo, info: tf.backend_util.Conv2DInfo, inputShape: number[], patchFloats = PATCH_FLOATS): tf.TensorInfo {
  const { inChannels, outChannels } = info
  const taps = info.filterHeight * info.filterWidth * inChannels
  const w3 = kernel('Reshape')({ inputs: { x: filter }, backend, attrs: { shape: [1, taps, outChannels] } }) as tf.TensorInfo
  const wt = transposed(backend, w3)
  const dx = new Float32Array(inputShape.reduce((a, b) => a * b, 1))
  positionBlocks(info, taps, patchFloats, (first, rows) => {
    const dyBlock = dyRows(backend, dy, first, rows, outChannels)
    const part = product(backend, dyBlock, wt, false)
    const values = wasmValues(backend, part)
    forEachTap(
      info,
      (xAt, dyAt, tap) => {
        const at = (dyAt / outChannels - first) * taps + tap * inChannels
        for (let c = 0; c < inChannels; c++) dx[xAt + c]! += values[at + c]!
      },
      first,
      first + rows,
    )
    wasmDispose(backend, dyBlock, part)
  })
  wasmDispose(backend, w3, wt)
  return wasmOutput(backend, inputShape, dx)
}

const pointwise = (info: tf.backend_util.Conv2DInfo) =>
  info.filterHeight === 1 && info.filterWidth === 1 && info.strideHeight === 1 && info.strideWidth === 1 && info.padInfo.top === 0 && info.padInfo.left === 0

/**
 * Whether a 1 × 1 convolution's input gradient is cheaper as (W dYᵀ)ᵀ than as dY Wᵀ: its transposes move
 * positions · (in + out) values instead of in · out, fewer where few positions meet a large filter (MobileNetV2's last
 * layers: 7 × 7 positions, 320 × 1280 weights, 2.8 → 1.7 ms).
 */
export const transposedPointwise = (info: tf.backend_util.Conv2DInfo): boolean =>
  info.batchSize * info.outHeight * info.outWidth * (info.inChannels + info.outChannels) < info.inChannels * info.outChannels

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
      if (info.outChannels === info.inChannels && wasmMemory(backend)) return depthwiseGradientByRuns(backend, 'filter', dy, x, info, filterShape)
      return wasmOutput(backend, filterShape, depthwiseBackpropFilter(wasmValues(backend, x), wasmValues(backend, dy), info))
    },
  })
  overrideWasmKernel('Conv2DBackpropInput', () => (args) => {
    const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo }
    const { strides, pad, dimRoundingMode, inputShape } = args.attrs as unknown as Attributes & { inputShape: [number, number, number, number] }
    const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode)
    const { backend } = args
    if (!pointwise(info)) return convInputGradient(backend, dy, filter, info, inputShape)
    // dX = dY Wᵀ over all positions, or (W dYᵀ)ᵀ where that moves fewer values.
    const positions = info.batchSize * info.outHeight * info.outWidth
    const [dy3, w3] = [as3d(backend, dy, positions, info.outChannels), as3d(backend, filter, info.inChannels, info.outChannels)]
    let dx3: tf.TensorInfo
    if (transposedPointwise(info)) {
      const dyt = transposed(backend, dy3)
      const dxt = product(backend, w3, dyt, false)
      dx3 = transposed(backend, dxt)
      wasmDispose(backend, dyt, dxt)
    } else {
      const wt = transposed(backend, w3)
      dx3 = product(backend, dy3, wt, false)
      wasmDispose(backend, wt)
    }
    const dx = reshape({ inputs: { x: dx3 }, backend, attrs: { shape: inputShape } }) as tf.TensorInfo
    wasmDispose(backend, dy3, w3, dx3)
    return dx
  })
}
