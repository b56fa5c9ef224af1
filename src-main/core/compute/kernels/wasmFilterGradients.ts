// The filter gradients the WebAssembly backend lacks, so that models train there (AligNet distillation) instead of
// on tfjs's plain-JS CPU backend: loops over output positions and taps, and for a 1 × 1 convolution one matrix
// product on the backend's own kernels (reshapes share the data).
import * as tf from '@tensorflow/tfjs-core'
import { forEachTap } from './convolutionTaps'

interface WasmBackend {
  readSync(dataId: object): Float32Array
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array
  disposeData(dataId: object): boolean
}

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

/** dW (fh × fw × ci × co) of a convolution from its input x (NHWC) and dy (b × outH × outW × co). */
export function convBackpropFilter(x: Float32Array, dy: Float32Array, info: tf.backend_util.Conv2DInfo): Float32Array {
  const { inChannels, outChannels, filterHeight, filterWidth } = info
  const dw = new Float32Array(filterHeight * filterWidth * inChannels * outChannels)
  forEachTap(info, (xAt, dyAt, tap) => {
    for (let ci = 0; ci < inChannels; ci++) {
      const value = x[xAt + ci]!
      const wAt = (tap * inChannels + ci) * outChannels
      for (let co = 0; co < outChannels; co++) dw[wAt + co]! += value * dy[dyAt + co]!
    }
  })
  return dw
}

function kernel(name: string): tf.KernelFunc {
  const found = tf.getKernel(name, 'wasm')
  if (!found) throw new Error(`the wasm backend has no ${name} kernel`)
  return found.kernelFunc
}

type Attributes = { strides: [number, number] | number; pad: Pad; dilations?: [number, number] | number; dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: [number, number, number, number] }

/**
 * Registers both filter gradients on the wasm backend, once. A 1 × 1 convolution of stride 1 (most of a
 * MobileNet's work) is one matrix product, Xᵀ dY over all positions, on the backend's XNNPACK; others are loops.
 */
export function registerWasmFilterGradients(): void {
  if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) {
    tf.registerKernel({
      kernelName: 'Conv2DBackpropFilter',
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo }
        const { strides, pad, dimRoundingMode, filterShape } = attrs as unknown as Attributes
        const wasm = backend as unknown as WasmBackend
        const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode)
        if (info.filterHeight === 1 && info.filterWidth === 1 && info.strideHeight === 1 && info.strideWidth === 1) {
          const positions = info.batchSize * info.outHeight * info.outWidth
          const reshape = kernel('Reshape')
          const x2 = reshape({ inputs: { x }, backend, attrs: { shape: [1, positions, info.inChannels] } }) as tf.TensorInfo
          // The wasm backend's transposed matMul is several times slower than an explicit transpose.
          const xt = kernel('Transpose')({ inputs: { x: x2 }, backend, attrs: { perm: [0, 2, 1] } }) as tf.TensorInfo
          const dy2 = reshape({ inputs: { x: dy }, backend, attrs: { shape: [1, positions, info.outChannels] } }) as tf.TensorInfo
          const product = kernel('BatchMatMul')({ inputs: { a: xt, b: dy2 }, backend, attrs: { transposeA: false, transposeB: false } }) as tf.TensorInfo
          const dw = reshape({ inputs: { x: product }, backend, attrs: { shape: filterShape } }) as tf.TensorInfo
          for (const t of [x2, xt, dy2, product]) wasm.disposeData(t.dataId)
          return dw
        }
        const out = wasm.makeOutput(filterShape, 'float32')
        wasm.typedArrayFromHeap(out).set(convBackpropFilter(wasm.readSync(x.dataId), wasm.readSync(dy.dataId), info))
        return out
      },
    })
  }
  if (!tf.getKernel('DepthwiseConv2dNativeBackpropFilter', 'wasm')) {
    tf.registerKernel({
      kernelName: 'DepthwiseConv2dNativeBackpropFilter',
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo }
        const { strides, pad, dilations, dimRoundingMode, filterShape } = attrs as unknown as Attributes
        const wasm = backend as unknown as WasmBackend
        const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, dilations ?? 1, pad, dimRoundingMode, true)
        const out = wasm.makeOutput(filterShape, 'float32')
        wasm.typedArrayFromHeap(out).set(depthwiseBackpropFilter(wasm.readSync(x.dataId), wasm.readSync(dy.dataId), info))
        return out
      },
    })
  }
}
