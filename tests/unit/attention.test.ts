// Saliency maps, map comparison and masking on constructed cases with known answers.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { auc, compareMaps, fixations, nss, resizeMap, scoreImages } from '../../src-main/core/attention/compareMaps'
import { applyMask, blur, randomMap, topFractionMask } from '../../src-main/core/attention/masking'
import { gradCam, guidedGradient, inputGradient, normalise01, reduceChannels, saliencyMap, smoothGradient } from '../../src-main/core/attention/saliency'
import { chooseBackend } from '../../src-main/core/compute/backend'
import { embedding, predictedClass, targetScore } from '../../src-main/models/attention'
import { loadModel, type LoadedModel } from '../../src-main/models/model'
import { useSwiftShader } from '../helpers/swiftshader'

beforeAll(async () => {
  await tf.setBackend('cpu')
})

describe('saliency', () => {
  // A tiny convolutional model: 3 × 3 conv with 2 filters, ReLU, global average, a dense unit.
  const kernel = tf.tensor4d(Array.from({ length: 3 * 3 * 2 * 2 }, (_, k) => Math.sin(k * 1.7) * 0.5), [3, 3, 2, 2])
  const dense = tf.tensor2d([0.8, -0.6], [2, 1])
  const score = (x: tf.Tensor4D) => tf.tidy(() => tf.sum(tf.matMul(tf.mean(tf.relu(tf.conv2d(x, kernel, 1, 'same')), [1, 2]), dense)) as tf.Scalar)
  const input = Float32Array.from({ length: 5 * 5 * 2 }, (_, k) => Math.cos(k * 0.9) + 0.3)

  it('the input gradient equals central finite differences', async () => {
    const x = tf.tensor4d(input, [1, 5, 5, 2])
    const g = await inputGradient(score, x)
    const at = async (values: Float32Array) => (await score(tf.tensor4d(values, [1, 5, 5, 2])).data())[0]!
    const h = 1e-2
    for (let k = 0; k < input.length; k++) {
      const [up, down] = [Float32Array.from(input), Float32Array.from(input)]
      up[k]! += h
      down[k]! -= h
      expect(g[k]).toBeCloseTo(((await at(up)) - (await at(down))) / (2 * h), 2)
    }
  })

  it('guided backpropagation differs from the gradient exactly where the gradient into a ReLU is negative', async () => {
    // score = relu(x0) − relu(x1) + relu(x2): units 0 and 1 active, unit 2 off.
    const f = (x: tf.Tensor4D) => tf.tidy(() => tf.sum(tf.mul(tf.relu(x), tf.tensor4d([1, -1, 1], [1, 1, 1, 3]))) as tf.Scalar)
    const x = tf.tensor4d([2, 3, -1], [1, 1, 1, 3])
    expect(Array.from(await inputGradient(f, x), (v) => v + 0)).toEqual([1, -1, 0])
    expect(Array.from(await guidedGradient(f, x), (v) => v + 0)).toEqual([1, 0, 0])
    // ReLU6 too: above 6 nothing passes.
    const g6 = (t: tf.Tensor4D) => tf.tidy(() => tf.sum(tf.mul(tf.relu6(t), tf.tensor4d([1, -1, 1], [1, 1, 1, 3]))) as tf.Scalar)
    expect(Array.from(await guidedGradient(g6, tf.tensor4d([2, 3, 7], [1, 1, 1, 3])), (v) => v + 0)).toEqual([1, 0, 0])
    // The ordinary gradients are back afterwards.
    expect(Array.from(await inputGradient(f, x), (v) => v + 0)).toEqual([1, -1, 0])
  })

  it('guided backpropagation reaches through a layers model with ReLU layers', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 2, useBias: false, weights: [tf.tensor2d([[1, 0], [0, 1]])] }), tf.layers.reLU(), tf.layers.dense({ units: 1, useBias: false, weights: [tf.tensor2d([[1], [-1]])] })] })
    const f = (x: tf.Tensor4D) => tf.tidy(() => tf.sum(model.apply(tf.reshape(x, [1, 2])) as tf.Tensor) as tf.Scalar)
    const x = tf.tensor4d([1, 1], [1, 1, 1, 2])
    expect(Array.from(await inputGradient(f, x))).toEqual([1, -1])
    expect(Array.from(await guidedGradient(f, x), (v) => v + 0)).toEqual([1, 0])
  })

  it('SmoothGrad of a linear score is its gradient, and a seed gives the same map', async () => {
    const w = tf.tensor4d(input, [1, 5, 5, 2])
    const linear = (x: tf.Tensor4D) => tf.tidy(() => tf.sum(tf.mul(x, w)) as tf.Scalar)
    const x = tf.tensor4d(input.map((v) => v * 2), [1, 5, 5, 2])
    const smooth = await smoothGradient(linear, x, { samples: 5, sigma: 0.2, seed: 3 })
    for (let k = 0; k < input.length; k++) expect(smooth[k]).toBeCloseTo(input[k]!, 5)
    const [a, b] = [await saliencyMap('smoothgrad', tf.tensor4d(input, [1, 5, 5, 2]), score, { smoothGrad: { samples: 4, seed: 1 } }), await saliencyMap('smoothgrad', tf.tensor4d(input, [1, 5, 5, 2]), score, { smoothGrad: { samples: 4, seed: 1 } })]
    expect(Array.from(a)).toEqual(Array.from(b))
  })

  it('SmoothGrad in batches of noisy copies gives the map of one copy at a time', async () => {
    const x = tf.tensor4d(input, [1, 5, 5, 2])
    // `score` sums over a batch, as targetScore does: each copy's gradient is its own.
    const one = await smoothGradient(score, x, { samples: 7, sigma: 0.3, seed: 2 })
    const batched = await smoothGradient(score, x, { samples: 7, sigma: 0.3, seed: 2, batch: 3 })
    batched.forEach((v, k) => expect(v).toBeCloseTo(one[k]!, 6))
    // The noise mattered: the map is not the plain gradient.
    const plain = await inputGradient(score, x)
    expect(Math.max(...plain.map((v, k) => Math.abs(v - one[k]!)))).toBeGreaterThan(1e-3)
  })

  it('a model target scores a batch as the sum of its images (class logit, embedding similarity)', async () => {
    await chooseBackend({ force: 'wasm' })
    try {
      const model = await loadModel({ kind: 'builtin', id: 'mobilenet_v2' })
      const images = tf.tensor4d(Float32Array.from({ length: 2 * 224 * 224 * 3 }, (_, k) => Math.sin(k * 0.001) * 0.5 + 0.5), [2, 224, 224, 3])
      const [first, second] = [tf.slice(images, [0, 0, 0, 0], [1, -1, -1, -1]), tf.slice(images, [1, 0, 0, 0], [1, -1, -1, -1])] as tf.Tensor4D[]
      const reference = (await embedding(model, 'flatten_1')(first!).data()) as Float32Array
      for (const target of [{ kind: 'class', index: 3 }, { kind: 'embedding', layer: 'flatten_1', reference }] as const) {
        const score = targetScore(model, target)
        const [both, a, b] = await Promise.all([score(images), score(first!), score(second!)].map(async (t) => (await t.data())[0]!))
        expect(both).toBeCloseTo(a! + b!, 4)
      }
      expect((await targetScore(model, { kind: 'embedding', layer: 'flatten_1', reference })(first!).data())[0]).toBeCloseTo(1, 5)
    } finally {
      await tf.setBackend('cpu')
    }
  })

  it('finds the predicted class on WebGPU (SwiftShader), which has no synchronous read in Node', async () => {
    const layers = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [2, 2, 3] }), tf.layers.dense({ units: 4, kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) })] })
    const model = { layersModel: layers, graphModel: null } as unknown as LoadedModel
    const x = Float32Array.from({ length: 12 }, (_, k) => Math.sin(k * 1.3))
    // The class by hand: the largest logit of x·W + b.
    const [w, b] = layers.getWeights().map((t) => t.dataSync())
    const logits = [0, 1, 2, 3].map((j) => x.reduce((s, v, i) => s + v * w![i * 4 + j]!, b![j]!))
    const expected = logits.indexOf(Math.max(...logits))
    useSwiftShader()
    expect((await chooseBackend({ force: 'webgpu' })).name).toBe('webgpu')
    try {
      expect(await predictedClass(model, tf.tensor4d(x, [1, 2, 2, 3]))).toBe(expected)
    } finally {
      await tf.setBackend('cpu')
    }
  })

  it('Grad-CAM weights the activations by their mean gradient, through a ReLU, resized to the image', async () => {
    // Activations: a copy of the input (2 × 2 × 2); score: Σ A · W, so d score / d A = W.
    const weights = tf.tensor4d([1, -2, 3, 0, -1, 0, 1, 2], [1, 2, 2, 2])
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2])
    const cam = await gradCam((t) => t.clone(), (a) => tf.sum(tf.mul(a, weights)) as tf.Scalar, x)
    // α = channel means of W: (1 + 3 − 1 + 1)/4 = 1 and (−2 + 0 + 0 + 2)/4 = 0; cam = relu(A₀).
    expect(Array.from(cam)).toEqual([1, 3, 5, 7])
  })

  it('reduces over channels by Σ|·| and normalises to [0, 1]; a constant map becomes zeros', () => {
    expect(Array.from(reduceChannels(Float32Array.of(1, -2, 3, -4), 2))).toEqual([3, 7])
    expect(Array.from(reduceChannels(Float32Array.of(1, -2, 3, -4), 2, Float32Array.of(2, 2, -1, 0)))).toEqual([6, 3])
    expect(Array.from(normalise01(Float32Array.of(2, 4, 3)))).toEqual([0, 1, 0.5])
    expect(Array.from(normalise01(Float32Array.of(5, 5)))).toEqual([0, 0])
  })
})

describe('comparing maps', () => {
  const model = Float32Array.from({ length: 36 }, (_, k) => Math.sin(k * 0.7) + k / 36)

  it('scores a map against itself 1, and against a constant map without a NaN', () => {
    const self = compareMaps(model, model)
    expect(self.spearman).toBeCloseTo(1, 12)
    expect(self.pearson).toBeCloseTo(1, 12)
    const constant = compareMaps(model, new Float32Array(36).fill(0.5))
    expect(constant).toEqual({ spearman: null, pearson: null, auc: null, nss: null })
    expect(compareMaps(new Float32Array(36), model)).toMatchObject({ spearman: null, pearson: null, auc: null })
  })

  it('AUC and NSS of fixations, by hand', () => {
    const values = [0.9, 0.1, 0.5, 0.3]
    const fixated = Uint8Array.of(1, 0, 1, 0)
    // Pairs (fixated, not): (0.9, 0.1) (0.9, 0.3) (0.5, 0.1) (0.5, 0.3) all ranked right.
    expect(auc(values, fixated)).toBe(1)
    expect(auc([0.1, 0.9, 0.5, 0.5], Uint8Array.of(1, 0, 1, 0))).toBe(0.125)
    // z-scores: mean 0.45, std √0.0875; fixated values 0.9 and 0.5.
    const std = Math.sqrt(((0.45 ** 2 + 0.35 ** 2 + 0.05 ** 2 + 0.15 ** 2) / 4))
    expect(nss(values, fixated)).toBeCloseTo((0.45 / std + 0.05 / std) / 2, 12)
    // A fixation map is its non-zero pixels; a continuous map, its top 10%.
    expect(Array.from(fixations([0, 0, 2, 0])!)).toEqual([0, 0, 1, 0])
    expect(Array.from(fixations(Array.from({ length: 10 }, (_, k) => k + 1))!)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
  })

  it('resizes bilinearly and compares each image with its own map and, as the baseline, with the others', () => {
    expect(Array.from(resizeMap([0, 1, 2, 3], 2, 2, 2, 2))).toEqual([0, 1, 2, 3])
    const up = resizeMap([0, 1], 1, 2, 1, 4)
    expect(Array.from(up)).toEqual([0, 0.25, 0.75, 1])
    const maps = [model, Float32Array.from(model).reverse(), Float32Array.from(model, (v, k) => v * (k % 2))]
    const { perImage, mean, baseline, aboveBaseline } = scoreImages(maps, maps)
    expect(perImage.every((s) => Math.abs(s.spearman! - 1) < 1e-12)).toBe(true)
    expect(mean.spearman).toBeCloseTo(1, 12)
    expect(baseline.spearman!).toBeLessThan(0.9)
    // Each map matches its own image's human map best: all three differences above zero, p = 2⁻³ exactly.
    expect(aboveBaseline.spearman).toBe(1 / 8)
    expect(aboveBaseline.pearson).toBe(1 / 8)
    // Human maps the same for every image say nothing about which image is which: no difference, no test.
    const same = scoreImages(maps, [model, model, model])
    expect(same.aboveBaseline).toEqual({ spearman: null, pearson: null, auc: null, nss: null })
    expect(same.mean).toEqual(same.baseline)
  })
})

describe('masking', () => {
  it('keeps exactly the requested fraction of pixels, the most salient, ties in pixel order', () => {
    const map = Float32Array.from({ length: 100 }, (_, k) => (k * 37) % 11)
    for (const fraction of [0, 0.1, 0.25, 0.5, 0.77, 1]) {
      const mask = topFractionMask(map, fraction)
      expect(mask.reduce((a, b) => a + b, 0)).toBe(Math.round(fraction * 100))
    }
    // Half: everything above the median kept, nothing below.
    const half = topFractionMask(Float32Array.from({ length: 10 }, (_, k) => k), 0.5)
    expect(Array.from(half)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
    expect(topFractionMask(randomMap(64, 1), 0.5).reduce((a, b) => a + b, 0)).toBe(32)
    expect(() => topFractionMask(map, 1.5)).toThrow(/between 0 and 1/)
  })

  it('fills the rest with black, the mean colour, or a blurred copy', () => {
    const image = Float32Array.from({ length: 2 * 2 * 3 }, (_, k) => k / 12)
    const mask = Uint8Array.of(1, 0, 0, 1)
    expect(Array.from(applyMask(image, mask, 2, 2, 3, 'black').subarray(3, 6))).toEqual([0, 0, 0])
    const mean = applyMask(image, mask, 2, 2, 3, 'mean')
    expect(mean[3]).toBeCloseTo((0 + 3 + 6 + 9) / 4 / 12, 6)
    expect(Array.from(applyMask(image, mask, 2, 2, 3, 'blur').subarray(0, 3))).toEqual(Array.from(image.subarray(0, 3)))
    // A blur keeps a constant image and the mean of any image (edges clamped, so nearly).
    expect(Array.from(blur(new Float32Array(5 * 5).fill(0.4), 5, 5, 1, 1)).every((v) => Math.abs(v - 0.4) < 1e-6)).toBe(true)
  })
})
