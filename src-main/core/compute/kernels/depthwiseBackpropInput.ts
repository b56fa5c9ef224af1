// Input gradients through convolutions on the WebAssembly backend (saliency maps, training), which lacks the
// depthwise convolution's input gradient — supplied here: for a channel multiplier of 1 (MobileNets) as the
// backend's own depthwise convolution (XNNPACK) of dy, spread by the stride and padded, with the filter rotated by
// 180° (≈ 8× faster than loops); otherwise as plain loops over output positions and filter taps, scattering into
// dx (NHWC) — and zero filter gradients for a saliency map, which does not need them.
import * as tf from '@tensorflow/tfjs-core'
import { forEachTap } from './convolutionTaps'
import { wasmDispose, wasmFilled, wasmKernel, wasmOutput, wasmValues } from './wasmKernel'

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
 * The full correlation that is the input gradient becomes a valid convolution (of the filter rotated by 180°,
 * rotateFilter) over this image: dy placed at stride steps in zeros, offset by fh − 1 − padTop (and fw − 1 −
 * padLeft), `imageShape` large, so that the result is inHeight × inWidth. Channel multiplier 1, no dilation.
 */
function spreadForTransposedConvolution(dy: Float32Array, image: Float32Array, info: tf.backend_util.Conv2DInfo): void {
  const { batchSize, outHeight, outWidth, inChannels: c, filterHeight: fh, filterWidth: fw, strideHeight, strideWidth, padInfo } = info
  const [, height, width] = imageShape(info)
  const [top, left] = [fh - 1 - padInfo.top, fw - 1 - padInfo.left]
  image.fill(0)
  for (let b = 0; b < batchSize; b++)
    for (let o = 0; o < outHeight; o++) {
      const from = (b * outHeight + o) * outWidth * c
      const to = ((b * height + top + o * strideHeight) * width + left) * c
      // At stride 1 a row of dy is one run of the image's row; else each position's channels go to their own place
      // (a subarray a position cost 3× the convolution itself at 112 × 112 × 32).
      if (strideWidth === 1) image.set(dy.subarray(from, from + outWidth * c), to)
      else for (let q = 0; q < outWidth; q++) for (let k = 0; k < c; k++) image[to + q * strideWidth * c + k] = dy[from + q * c + k]!
    }
}

const imageShape = (info: tf.backend_util.Conv2DInfo): [number, number, number, number] => [info.batchSize, info.inHeight + info.filterHeight - 1, info.inWidth + info.filterWidth - 1, info.inChannels]

/** The filter (fh × fw × c × 1) rotated by 180°. */
function rotateFilter(filter: Float32Array, { filterHeight: fh, filterWidth: fw, inChannels: c }: tf.backend_util.Conv2DInfo, rotated: Float32Array): void {
  for (let i = 0; i < fh; i++) for (let j = 0; j < fw; j++) rotated.set(filter.subarray((i * fw + j) * c, (i * fw + j + 1) * c), ((fh - 1 - i) * fw + fw - 1 - j) * c)
}

/** Whether the input gradient can go through the backend's depthwise convolution. */
const byConvolution = (info: tf.backend_util.Conv2DInfo) =>
  info.outChannels === info.inChannels &&
  info.dilationHeight === 1 &&
  info.dilationWidth === 1 &&
  Math.max(info.padInfo.top, info.padInfo.bottom) < info.filterHeight &&
  Math.max(info.padInfo.left, info.padInfo.right) < info.filterWidth

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
      if (!byConvolution(info)) return wasmOutput(backend, inputShape, depthwiseBackpropInput(wasmValues(backend, dy), wasmValues(backend, filter), info))
      const x = wasmFilled(backend, imageShape(info), (image) => spreadForTransposedConvolution(wasmValues(backend, dy), image, info))
      const w = wasmFilled(backend, filter.shape, (rotated) => rotateFilter(wasmValues(backend, filter), info, rotated))
      const dx = wasmKernel('DepthwiseConv2dNative')({ inputs: { x, filter: w }, backend, attrs: { strides: 1, pad: 'valid', dilations: 1 } }) as tf.TensorInfo
      wasmDispose(backend, x, w)
      return dx
    },
  })
}
