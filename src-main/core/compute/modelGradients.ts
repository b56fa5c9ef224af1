// Gradients through vision models (saliency maps, distillation) that replace TF.js's slow ones; same formulas.
// - Batch normalisation (FusedBatchNorm): TF.js's input gradient tiles 1/√(σ² + ε) to the full activation shape
//   before multiplying (a full-size Tile per layer: half of a MobileNetV2 saliency map's time on wasm, 483 of
//   1,000 ms), and it computes x − μ and dy·γ at full size whatever is asked. Here each derivative is computed only
//   when asked for, with broadcasting instead of Tile. The layer is y = γ (x − μ)/√(σ² + ε) + β with μ, σ² inputs.
// - Clipping (ClipByValue, ReLU6) and ReLU: TF.js's gradients are five full-size ops (two comparisons, and, zeros,
//   select) and three (step, cast, multiply); on wasm each is one SIMD pass of ours (kernels/wasm/simdKernels.wat, in
//   the backend's memory), dy where min ≤ x ≤ max (x > 0) and 0 elsewhere.
import * as tf from '@tensorflow/tfjs'
import { simdKernels } from './kernels/wasm/simdKernels'
import { wasmFilled, wasmMemory, wasmValues } from './kernels/wasmKernel'

const CLIP_GRADIENT = 'HumanAlignClipGradient'

interface ClipAttributes {
  clipValueMin: number
  clipValueMax: number
}

function registerBatchNormGradient(): void {
  tf.registerGradient({
    kernelName: tf.FusedBatchNorm,
    inputsToSave: ['x', 'mean', 'variance', 'scale'],
    gradFunc: (dy, saved, attrs) => {
      const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number }
      const [x, mean, variance, scale] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor | undefined]
      const gamma = scale ?? tf.scalar(1)
      const dyT = dy as tf.Tensor
      const axes = tf.backend_util.getReductionAxes(mean.shape, x.shape)
      // A per-channel statistic's derivative sums over the positions it was broadcast to.
      const reduce = (t: tf.Tensor) => tf.reshape(mean.rank === 1 ? tf.sum(t, axes) : t, mean.shape)
      const inverse = () => tf.rsqrt(tf.add(variance, varianceEpsilon))
      return {
        x: () => tf.reshape(tf.mul(dyT, tf.mul(inverse(), gamma)), x.shape),
        mean: () => reduce(tf.mul(dyT, tf.neg(tf.mul(inverse(), gamma)))),
        variance: () => reduce(tf.mul(tf.mul(dyT, tf.sub(x, mean)), tf.mul(tf.mul(tf.pow(inverse(), 3), -0.5), gamma))),
        scale: () => reduce(tf.mul(dyT, tf.mul(tf.sub(x, mean), inverse()))),
        offset: () => reduce(dyT),
      }
    },
  })
}

function registerClipGradient(): void {
  tf.registerKernel({
    kernelName: CLIP_GRADIENT,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { dy, x } = inputs as { dy: tf.TensorInfo; x: tf.TensorInfo }
      const { clipValueMin: low, clipValueMax: high } = attrs as unknown as ClipAttributes
      const kernel = simdKernels(wasmMemory(backend)!)
      return wasmFilled(backend, x.shape, (out) => kernel.clipGradient(wasmValues(backend, dy).byteOffset, wasmValues(backend, x).byteOffset, out.byteOffset, out.length, low, high))
    },
  })
  tf.registerGradient({
    kernelName: tf.ClipByValue,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as [tf.Tensor]
      const { clipValueMin, clipValueMax } = attrs as unknown as ClipAttributes
      return {
        x: () =>
          gradientWhere(dy as tf.Tensor, x, clipValueMin, clipValueMax) ??
          tf.where(tf.logicalAnd(tf.greaterEqual(x, clipValueMin), tf.lessEqual(x, clipValueMax)), dy as tf.Tensor, tf.zerosLike(dy as tf.Tensor)),
      }
    },
  })
  tf.registerGradient({
    kernelName: tf.Relu,
    inputsToSave: ['x'],
    // x > 0 is x ≥ the least positive float32 (WebAssembly keeps subnormals); elsewhere TF.js's own formula.
    gradFunc: (dy, saved) => {
      const [x] = saved as [tf.Tensor]
      return { x: () => gradientWhere(dy as tf.Tensor, x, 2 ** -149, Infinity) ?? tf.mul(dy as tf.Tensor, tf.cast(tf.step(x), 'float32')) }
    },
  })
}

/** dy where low ≤ x ≤ high and 0 elsewhere, in one pass of ours where it can work in the backend's memory (wasm); else null. */
function gradientWhere(dy: tf.Tensor, x: tf.Tensor, low: number, high: number): tf.Tensor | null {
  if (x.dtype !== 'float32' || dy.dtype !== 'float32' || !tf.getKernel(CLIP_GRADIENT, tf.getBackend()) || !wasmMemory(tf.backend())) return null
  return tf.engine().runKernel(CLIP_GRADIENT, { dy, x }, { clipValueMin: low, clipValueMax: high }) as tf.Tensor
}

let registered = false

/** Registers the gradients (once); every backend uses them. */
export function registerModelGradients(): void {
  if (registered) return
  registered = true
  registerBatchNormGradient()
  registerClipGradient()
}
