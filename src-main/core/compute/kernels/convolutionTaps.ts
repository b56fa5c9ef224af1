// The loop the convolution gradients we write share: every output position and every filter tap that lands inside
// the input (strides, dilations and padding applied).
import type * as tf from '@tensorflow/tfjs-core'

/**
 * Calls `visit(xAt, dyAt, tap)` for each output position in [first, end) (all of them by default; positions count
 * b, then y, then x) and each filter tap inside the input: the offsets of the input pixel and of the output pixel
 * (NHWC, channel 0), and the tap's index fy · filterWidth + fx.
 */
export function forEachTap(info: tf.backend_util.Conv2DInfo, visit: (xAt: number, dyAt: number, tap: number) => void, first = 0, end = info.batchSize * info.outHeight * info.outWidth): void {
  const { inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, padInfo } = info
  for (let n = first; n < end; n++) {
    const ox = n % outWidth
    const oy = Math.floor(n / outWidth) % outHeight
    const b = Math.floor(n / (outWidth * outHeight))
    const dyAt = n * outChannels
    for (let fy = 0; fy < filterHeight; fy++) {
      const y = oy * strideHeight + fy * dilationHeight - padInfo.top
      if (y < 0 || y >= inHeight) continue
      for (let fx = 0; fx < filterWidth; fx++) {
        const x = ox * strideWidth + fx * dilationWidth - padInfo.left
        if (x < 0 || x >= inWidth) continue
        visit(((b * inHeight + y) * inWidth + x) * inChannels, dyAt, fy * filterWidth + fx)
      }
    }
  }
}

/**
 * As forEachTap, a run of output positions at a time: for each output row (b, oy) and filter tap inside the input's
 * rows, the columns ox whose tap lands inside the input, as `visit(xAt, dyAt, tap, count)` with the offsets of the
 * run's first input and output pixels (NHWC, channel 0); along the run x advances by strideWidth pixels, dy by one.
 */
export function forEachTapRun(info: tf.backend_util.Conv2DInfo, visit: (xAt: number, dyAt: number, tap: number, count: number) => void): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, padInfo } = info
  for (let b = 0; b < batchSize; b++)
    for (let oy = 0; oy < outHeight; oy++)
      for (let fy = 0; fy < filterHeight; fy++) {
        const y = oy * strideHeight + fy * dilationHeight - padInfo.top
        if (y < 0 || y >= inHeight) continue
        for (let fx = 0; fx < filterWidth; fx++) {
          // The output columns ox with 0 ≤ ox · stride + offset < inWidth.
          const offset = fx * dilationWidth - padInfo.left
          const first = Math.max(0, Math.ceil(-offset / strideWidth))
          const end = Math.min(outWidth, Math.floor((inWidth - 1 - offset) / strideWidth) + 1)
          if (end > first) visit(((b * inHeight + y) * inWidth + first * strideWidth + offset) * inChannels, ((b * outHeight + oy) * outWidth + first) * outChannels, fy * filterWidth + fx, end - first)
        }
      }
}

