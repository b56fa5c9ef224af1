import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { chooseBackend } from '../../src-main/core/compute/backend'
import { randomGenerator } from '../../src-main/core/data/simulate'
import { buildStudent, distill, DISTILL_DEFAULTS, learningRateAt, tripletDivergence, type DistillState, type LabelledTriplets } from '../../src-main/core/alignet/distill'
import { useSwiftShader } from '../helpers/swiftshader'

beforeAll(async () => {
  await chooseBackend({ force: 'cpu' })
})

describe('distillation objective', () => {
  it('computes KL and Jensen-Shannon divergences of the triplet choice distributions by hand', () => {
    const teacher = tf.tensor2d([[2, 0, 1]])
    const student = tf.tensor2d([[0, 100, 50]])
    const softmax = (v: number[]) => {
      const e = v.map(Math.exp)
      const s = e.reduce((a, b) => a + b)
      return e.map((x) => x / s)
    }
    const p = softmax([2, 0, 1])
    const q = softmax([0, 1, 0.5]) // student / τ_s = 100
    const kl = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * Math.log(v / b[i]!), 0)
    const m = p.map((v, i) => (v + q[i]!) / 2)
    const config = { teacherTemperature: 1, studentTemperature: 100 }
    expect(tripletDivergence(teacher, student, { ...config, divergence: 'kl' }).dataSync()[0]).toBeCloseTo(kl(p, q), 6)
    expect(tripletDivergence(teacher, student, { ...config, divergence: 'js' }).dataSync()[0]).toBeCloseTo(0.5 * kl(p, m) + 0.5 * kl(q, m), 6)
    // Equal distributions: no divergence.
    expect(tripletDivergence(teacher, tf.mul(teacher, 100) as tf.Tensor2D, { ...config, divergence: 'kl' }).dataSync()[0]).toBeCloseTo(0, 6)
  })

  it('warms the learning rate up linearly and decays it along a cosine to zero', () => {
    const c = { peakLearningRate: 1e-3, warmupSteps: 10, steps: 110 }
    expect(learningRateAt(5, c)).toBeCloseTo(5e-4, 12)
    expect(learningRateAt(10, c)).toBeCloseTo(1e-3, 12)
    expect(learningRateAt(60, c)).toBeCloseTo(5e-4, 12)
    expect(learningRateAt(110, c)).toBeCloseTo(0, 12)
  })
})

describe('distillation', () => {
  // A tiny "pretrained" backbone: 6×6×3 images → conv → global average pool (the cut layer) → logits.
  function backbone(): tf.LayersModel {
    const input = tf.input({ shape: [6, 6, 3] })
    const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', name: 'conv', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(input)
    const pooled = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(conv)
    const logits = tf.layers.dense({ units: 2, name: 'logits', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(pooled) as tf.SymbolicTensor
    return tf.model({ inputs: input, outputs: logits })
  }
  const random = randomGenerator(5)
  const n = 24
  // Each image a colour plus noise; the teacher embeds the colours linearly, which the student can learn.
  const colours = Float32Array.from({ length: n * 3 }, () => random())
  const pixels = Float32Array.from({ length: n * 108 }, (_, k) => colours[Math.floor(k / 108) * 3 + (k % 3)]! + 0.1 * random())
  const images = async (ids: Int32Array) => tf.tensor4d(Float32Array.from({ length: ids.length * 108 }, (_, k) => pixels[ids[Math.floor(k / 108)]! * 108 + (k % 108)]!), [ids.length, 6, 6, 3])
  // The teacher: a fixed 2-D linear embedding of the colours, labelling 300 random triplets.
  const mix = [3, -2, 1, -1, 2, 3]
  const target = Float32Array.from({ length: n * 2 }, (_, k) => [0, 1, 2].reduce((s, c) => s + mix[(k % 2) * 3 + c]! * (colours[Math.floor(k / 2) * 3 + c]! - 0.5), 0))
  const count = 300
  const indices = new Int32Array(count * 3)
  const similarities = new Float32Array(count * 3)
  for (let t = 0; t < count; t++) {
    const [a, b, c] = [0, 0, 0].map(() => Math.floor(random() * n))
    indices.set([a!, b!, c!], 3 * t)
    const dot = (i: number, j: number) => target[2 * i]! * target[2 * j]! + target[2 * i + 1]! * target[2 * j + 1]!
    similarities.set([dot(a!, b!), dot(a!, c!), dot(b!, c!)], 3 * t)
  }
  const data: LabelledTriplets = { indices, similarities, count }
  const config = { ...DISTILL_DEFAULTS, studentTemperature: 1, peakLearningRate: 0.02, warmupSteps: 5, steps: 120, batchSize: 32, headUnits: 8, lambda: 0 }

  it('lowers the divergence from the teacher', async () => {
    const base = backbone()
    const student = buildStudent(base, 'pool', 8, 3)
    expect(student.outputs[0]!.shape).toEqual([null, 8])
    const steps = await distill(student, new Set(base.trainableWeights.map((w) => w.name)), data, images, config)
    expect(steps).toHaveLength(120)
    const mean = (from: number, to: number) => steps.slice(from, to).reduce((s, r) => s + r.divergence, 0) / (to - from)
    // Measured: 0.229 over the first ten steps, 0.022 over the last ten.
    expect(mean(110, 120)).toBeLessThan(0.25 * mean(0, 10))
    expect(steps[4]!.learningRate).toBeCloseTo(0.02, 10)
  }, 60_000)

  it('keeps the pretrained weights near their start with a strong pull, and moves them without it', async () => {
    const drift = async (lambda: number) => {
      const base = backbone()
      const start = Array.from(base.getLayer('conv').getWeights()[0]!.dataSync())
      const student = buildStudent(base, 'pool', 8, 3)
      await distill(student, new Set(base.trainableWeights.map((w) => w.name)), data, images, { ...config, steps: 30, lambda })
      const now = base.getLayer('conv').getWeights()[0]!.dataSync()
      return Math.sqrt(start.reduce((s, v, k) => s + (v - now[k]!) ** 2, 0))
    }
    const free = await drift(0)
    const pulled = await drift(1000)
    expect(free).toBeGreaterThan(0.05)
    expect(pulled).toBeLessThan(0.2 * free)
  }, 60_000)
  it('continues from a captured state exactly as if it had never stopped', async () => {
    const run = { ...config, steps: 12, batchSize: 16, warmupSteps: 3, lambda: 0.5 }
    const train = async (stopAfter: number | null, resume: DistillState | null) => {
      const base = backbone()
      const student = buildStudent(base, 'pool', 8, 3)
      let state: DistillState | null = null
      const steps = await distill(student, new Set(base.trainableWeights.map((w) => w.name)), data, images, run, {
        step: async (report, capture) => {
          if (report.step === stopAfter) {
            state = await capture()
            throw new Error('stopped')
          }
        },
      }, resume).catch((err: Error) => (err.message === 'stopped' ? [] : Promise.reject(err)))
      return { steps, state: state as DistillState | null, weights: student.getWeights().map((w) => Array.from(w.dataSync())) }
    }
    const whole = await train(null, null)
    const first = await train(5, null)
    expect(first.state!.step).toBe(5)
    const rest = await train(null, first.state)
    expect(rest.steps.map((s) => s.step)).toEqual([6, 7, 8, 9, 10, 11, 12])
    // Same batches, same Adam state: the same losses and weights to the last bit.
    expect(rest.steps.map((s) => s.loss)).toEqual(whole.steps.slice(5).map((s) => s.loss))
    expect(rest.weights).toEqual(whole.weights)
    // …and Adam's moments are part of it: continuing with them zeroed ends elsewhere.
    const arrays = Object.fromEntries(Object.entries(first.state!.arrays).map(([k, a]) => [k, k.startsWith('moment') ? { ...a, data: new Float32Array(a.data.length) } : a]))
    expect((await train(null, { ...first.state!, arrays })).weights).not.toEqual(whole.weights)
  }, 60_000)

  it('trains on WebGPU (SwiftShader) as on the CPU: no synchronous read, more pretrained weights than a shader binds', async () => {
    // Five convolutions: ten pretrained variables pulled toward their start (tfjs-webgpu's addN binds every input to
    // one shader, past the limit of 8), and every host read asynchronous (its synchronous read needs OffscreenCanvas).
    const deep = () => {
      let x = tf.input({ shape: [6, 6, 3] })
      const input = x
      for (let c = 0; c < 5; c++) x = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 10 + c }) }).apply(x) as tf.SymbolicTensor
      return tf.model({ inputs: input, outputs: tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tf.SymbolicTensor })
    }
    const train = async () => {
      const base = deep()
      const student = buildStudent(base, 'pool', 8, 3)
      let state: DistillState | null = null
      const steps = await distill(student, new Set(base.trainableWeights.map((w) => w.name)), data, images, { ...config, steps: 3, batchSize: 8, lambda: 0.5 }, {
        step: async (report, capture) => {
          if (report.step === 2) state = await capture()
        },
      })
      return { steps, state: state as DistillState | null, weights: await Promise.all(student.getWeights().map(async (w) => Array.from(await w.data()))) }
    }
    const cpu = await train()
    useSwiftShader()
    expect((await chooseBackend({ force: 'webgpu' })).name).toBe('webgpu')
    try {
      const gpu = await train()
      expect(gpu.steps.map((s) => s.step)).toEqual([1, 2, 3])
      gpu.steps.forEach((s, i) => {
        expect(s.loss).toBeCloseTo(cpu.steps[i]!.loss, 4)
        expect(s.divergence).toBeCloseTo(cpu.steps[i]!.divergence, 4)
      })
      expect(Object.keys(gpu.state!.arrays).sort()).toEqual(Object.keys(cpu.state!.arrays).sort())
      for (const [name, array] of Object.entries(gpu.state!.arrays)) array.data.forEach((v, k) => expect(v, name).toBeCloseTo(Number(cpu.state!.arrays[name]!.data[k]), 3))
      gpu.weights.forEach((w, i) => w.forEach((v, k) => expect(v).toBeCloseTo(cpu.weights[i]![k]!, 3)))
    } finally {
      await chooseBackend({ force: 'cpu' })
    }
  }, 120_000)
})
