// Saliency maps of a differentiable score of one image (Langlois et al. 2021, DESIGN §4): the input gradient,
// gradient × input, SmoothGrad, guided backpropagation (ReLU gradients overridden) and Grad-CAM. Every map is
// reduced over the colour channels by Σ|·| (Grad-CAM: its own ReLU of the weighted activations) and normalised to
// [0, 1]. The score is any function of the 1 × H × W × C input: a class logit, or the similarity of the image's
// embedding to another image's.
import * as tf from '@tensorflow/tfjs'
import { randomGenerator } from '../data/simulate'

export type SaliencyMethod = 'gradient' | 'gradientInput' | 'smoothgrad' | 'guided' | 'gradcam'
export const SALIENCY_METHODS: readonly SaliencyMethod[] = ['gradient', 'gradientInput', 'smoothgrad', 'guided', 'gradcam']

/** A scalar score of a batch of one image (or, where SmoothGradOptions.batch asks for more, the sum of each image's). */
export type Score = (x: tf.Tensor4D) => tf.Scalar

export interface SmoothGradOptions {
  samples?: number
  /** Noise standard deviation as a fraction of the input's range (max − min). */
  sigma?: number
  seed?: number
  /**
   * Noisy copies per backward pass (1 by default). More is faster (MobileNetV2 on wasm: 128 against 200 ms per copy
   * in batches of 5) but needs a score that is the sum of each image's, so that its gradient is each image's own.
   */
  batch?: number
}

/** The map scaled to [0, 1]; a constant map becomes all zeros. */
export function normalise01(map: Float32Array): Float32Array {
  let min = Infinity
  let max = -Infinity
  for (const v of map) {
    if (v < min) min = v
    if (v > max) max = v
  }
  const range = max - min
  return range > 0 ? map.map((v) => (v - min) / range) : new Float32Array(map.length)
}

/** Σ over channels of |g| (or of |g · x|), an H × W map from H × W × C values. */
export function reduceChannels(g: Float32Array, channels: number, input?: Float32Array): Float32Array {
  const out = new Float32Array(g.length / channels)
  for (let p = 0; p < out.length; p++) {
    let s = 0
    for (let c = 0; c < channels; c++) s += Math.abs(g[p * channels + c]! * (input ? input[p * channels + c]! : 1))
    out[p] = s
  }
  return out
}

/** d score / d input, as H × W × C values. */
export async function inputGradient(score: Score, x: tf.Tensor4D): Promise<Float32Array> {
  const g = tf.grad((input: tf.Tensor) => score(input as tf.Tensor4D))(x)
  const values = (await g.data()) as Float32Array
  g.dispose()
  return values
}

/** The gradient averaged over noisy copies of the input (Smilkov et al. 2017): σ a fraction of the input's range. */
export async function smoothGradient(score: Score, x: tf.Tensor4D, options: SmoothGradOptions = {}, between?: () => Promise<void>): Promise<Float32Array> {
  const samples = options.samples ?? 30
  const random = randomGenerator(options.seed ?? 0)
  const [min, max] = await Promise.all([x.min().data(), x.max().data()])
  const sigma = (options.sigma ?? 0.1) * (max[0]! - min[0]! || 1)
  const size = x.size
  const sum = new Float32Array(size)
  const per = Math.max(1, Math.min(options.batch ?? 1, samples))
  for (let first = 0; first < samples; first += per) {
    const count = Math.min(per, samples - first)
    // Box-Muller normals from the seeded generator, copy after copy, so a map is reproducible at any batch size.
    const noise = new Float32Array(count * size)
    for (let c = 0; c < count; c++) {
      for (let k = 0; k < size; k += 2) {
        const r = Math.sqrt(-2 * Math.log(1 - random()))
        const t = 2 * Math.PI * random()
        noise[c * size + k] = sigma * r * Math.cos(t)
        if (k + 1 < size) noise[c * size + k + 1] = sigma * r * Math.sin(t)
      }
    }
    const noisy = tf.tidy(() => tf.add(x, tf.tensor4d(noise, [count, ...(x.shape.slice(1) as [number, number, number])])) as tf.Tensor4D)
    const g = await inputGradient(score, noisy)
    noisy.dispose()
    for (let c = 0; c < count; c++) for (let k = 0; k < size; k++) sum[k]! += g[c * size + k]! / samples
    await between?.()
  }
  return sum
}

/**
 * The gradient with guided backpropagation (Springenberg et al. 2015): through every ReLU (and ReLU6) only positive
 * gradients pass, where the unit was active. Done by registering guided gradients for the Relu and Relu6 kernels for
 * the duration of the call (fused layer activations are computed unfused under a gradient, so they are covered).
 */
export async function guidedGradient(score: Score, x: tf.Tensor4D): Promise<Float32Array> {
  const saved = (['Relu', 'Relu6'] as const).map((name) => tf.getGradient(name))
  const guided = (kernelName: 'Relu' | 'Relu6', upper: number) => ({
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], inputs: tf.Tensor[]) => {
      const [input] = inputs as [tf.Tensor]
      return {
        x: () => tf.tidy(() => {
          const up = dy as tf.Tensor
          const open = tf.logicalAnd(tf.logicalAnd(tf.greater(input, 0), tf.less(input, upper)), tf.greater(up, 0))
          return tf.mul(up, tf.cast(open, 'float32'))
        }),
      }
    },
  })
  tf.registerGradient(guided('Relu', Infinity))
  tf.registerGradient(guided('Relu6', 6))
  try {
    return await inputGradient(score, x)
  } finally {
    for (const config of saved) if (config) tf.registerGradient(config)
  }
}

/**
 * Grad-CAM (Selvaraju et al. 2017): the activations A (1 × h × w × k) of a convolutional layer weighted by the
 * spatial mean of d score / d A, summed over channels, through a ReLU, resized to H × W bilinearly.
 */
export async function gradCam(activations: (x: tf.Tensor4D) => tf.Tensor4D, scoreOf: (a: tf.Tensor4D) => tf.Scalar, x: tf.Tensor4D): Promise<Float32Array> {
  const a = tf.tidy(() => activations(x))
  const g = tf.grad((input: tf.Tensor) => scoreOf(input as tf.Tensor4D))(a)
  const [height, width] = [x.shape[1], x.shape[2]]
  const cam = tf.tidy(() => {
    const weights = tf.mean(g, [1, 2], true)
    const map = tf.relu(tf.sum(tf.mul(a, weights), 3, true)) as tf.Tensor4D
    return tf.image.resizeBilinear(map, [height, width], true)
  })
  const values = (await cam.data()) as Float32Array
  tf.dispose([a, g, cam])
  return values
}

/** A method's map of one image (H × W × C input), reduced and normalised to [0, 1]. */
export async function saliencyMap(
  method: SaliencyMethod,
  x: tf.Tensor4D,
  score: Score,
  options: { smoothGrad?: SmoothGradOptions; gradCam?: { activations: (x: tf.Tensor4D) => tf.Tensor4D; scoreOf: (a: tf.Tensor4D) => tf.Scalar }; between?: () => Promise<void> } = {},
): Promise<Float32Array> {
  const channels = x.shape[3]
  switch (method) {
    case 'gradient':
      return normalise01(reduceChannels(await inputGradient(score, x), channels))
    case 'gradientInput':
      return normalise01(reduceChannels(await inputGradient(score, x), channels, (await x.data()) as Float32Array))
    case 'smoothgrad':
      return normalise01(reduceChannels(await smoothGradient(score, x, options.smoothGrad, options.between), channels))
    case 'guided':
      return normalise01(reduceChannels(await guidedGradient(score, x), channels))
    case 'gradcam': {
      if (!options.gradCam) throw new RangeError('Grad-CAM needs a convolutional layer')
      return normalise01(await gradCam(options.gradCam.activations, options.gradCam.scoreOf, x))
    }
  }
}
