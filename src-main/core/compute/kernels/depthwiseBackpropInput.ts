// Input gradients through convolutions on the WebAssembly backend (saliency maps, training), which lacks the
// depthwise convolution's input gradient — supplied here: for a channel multiplier of 1 (MobileNets) by a SIMD kernel
// of ours in the backend's memory, each tap's weights times a run of dy added to its pixels (3 × 112 × 112 × 96 at
// stride 2: 7.9 → 2.3 ms against the backend's depthwise convolution of dy spread into zeros, which it replaced; that
// was ≈ 8× faster than loops); otherwise as plain loops over output positions and filter taps, scattering into dx
// (NHWC) — and zero filter gradients for a saliency map, which does not need them.
import * as tf from '@tensorflow/tfjs-core'
import { forEachTap, forEachTapRun } from './convolutionTaps'
import { simdKernels } from './wasm/simdKernels'
import { wasmFilled, wasmMemory, wasmOutput, wasmValues } from './wasmKernel'

interface Attributes {
  strides: [number, number] | number
  pad: 'valid' | 'same' | number
  dilations: [number, number] | number
  dimRoundingMode?: 'floor' | 'round' | 'ceil'
  inputShape: [number, number, number, number]
}

/** dx for dy (b × outH × outW × c·m) and filter (fh × fw × c × m). */
export function depthwiseBackpropInput(dy: Float32Array, filter: Float32Array, info: tf.backend_util.Conv2DInfo): Float32Array {
  const { batchSize, inHeight, inWidth, inChannels, outChannels } = info
  const multiplier = outChannels / inChannels
  const dx = new Float32Array(batchSize * inHeight * inWidth * inChannels)
  forEachTap(info, (xAt, dyAt, tap) => {
    const fAt = tap * outChannels
    for (let c = 0; c < inChannels; c++) {
      let sum = 0
      for (let m = 0; m < multiplier; m++) sum += dy[dyAt + c * multiplier + m]! * filter[fAt + c * multiplier + m]!
      dx[xAt + c]! += sum
    }
  })
  return dx
}

/**
 * A depthwise convolution's gradient for channel multiplier 1 by the SIMD kernels of simdKernels.wat in the backend's
 * memory, a run of output positions per filter tap at a time: the input's (dy times each tap's weights, added to the
 * pixels the tap reached; `other` is the filter) or the filter's (dy times those pixels, summed; `other` is x).
 */
export function depthwiseGradientByRuns(backend: object, side: 'input' | 'filter', dy: tf.TensorInfo, other: tf.TensorInfo, info: tf.backend_util.Conv2DInfo, shape: number[]): tf.TensorInfo {
  const kernels = simdKernels(wasmMemory(backend)!)
  const c = info.inChannels
  const step = info.strideWidth * c * 4
  return wasmFilled(backend, shape, (out) => {
    out.fill(0)
    const [dyBase, otherBase] = [wasmValues(backend, dy).byteOffset, wasmValues(backend, other).byteOffset]
    forEachTapRun(info, (xAt, dyAt, tap, count) =>
      side === 'input'
        ? kernels.depthwiseInputRow(out.byteOffset + xAt * 4, dyBase + dyAt * 4, otherBase + tap * c * 4, c, count, step)
        : kernels.depthwiseFilterRow(out.byteOffset + tap * c * 4, otherBase + xAt * 4, dyBase + dyAt * 4, c, count, step),
    )
  })
}

/**
 * While `work` runs, zero-valued stand-ins answer for the wasm backend's filter gradients. TF.js's fused
 * convolutions compute the filter gradient together with the input gradient; a saliency map uses only the latter,
 * so the stand-ins spare work nothing reads. The kernels registered before (ours, for training) come back after.
 */
export async function withoutFilterGradients<T>(work: () => Promise<T>): Promise<T> {
  const saved = ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter'].map((kernelName) => {
    const config = tf.getKernel(kernelName, 'wasm')
    if (config) tf.unregisterKernel(kernelName, 'wasm')
    tf.registerKernel({
      kernelName,
      backendName: 'wasm',
      kernelFunc: ({ backend, attrs }) => wasmOutput(backend, (attrs as unknown as { filterShape: number[] }).filterShape),
    })
    return { kernelName, config }
  })
  try {
    return await work()
  } finally {
    for (const { kernelName, config } of saved) {
      tf.unregisterKernel(kernelName, 'wasm')
      if (config) tf.registerKernel(config)
    }
  }
}

/** Registers the kernel on the wasm backend, once. */
export function registerWasmDepthwiseBackpropInput(): void {
  if (tf.getKernel('DepthwiseConv2dNativeBackpropInput', 'wasm')) return
  tf.registerKernel({
    kernelName: 'DepthwiseConv2dNativeBackpropInput',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo }
      const { strides, pad, dilations, dimRoundingMode, inputShape } = attrs as unknown as Attributes
      const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], strides, dilations, pad, dimRoundingMode, true)
      if (info.outChannels === info.inChannels && wasmMemory(backend)) return depthwiseGradientByRuns(backend, 'input', dy, filter, info, inputShape)
      return wasmOutput(backend, inputShape, depthwiseBackpropInput(wasmValues(backend, dy), wasmValues(backend, filter), info))
    },
  })
}
