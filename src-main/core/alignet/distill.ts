// AligNet step 5 (DESIGN §4): distil the teacher's triplet similarities into a trainable student — a TF.js
// layers model cut at a layer (the bundled MobileNetV2's pre-logits by default) plus a Dense triplet head —
// with L = mean_t D(softmax(s_teacher / τ_t), softmax(s_student / τ_s)) + λ‖θ − θ_pretrained‖², D the KL
// divergence or Jensen-Shannon, Adam with linear warm-up and cosine decay. Images come from a callback, so the
// caller decodes them (off this thread's science, and from wherever they live).
import * as tf from '@tensorflow/tfjs'
import { randomGenerator } from '../data/simulate'
import type { NpyArray } from '../io/npy'
import type { DistillConfig } from './distillDefaults'

export { AUGMENTATIONS, DISTILL_DEFAULTS, type Augmentation, type DistillConfig } from './distillDefaults'

/** Teacher-labelled triplets: image indices (count × 3, odd one out last) and [s01, s02, s12] per triplet. */
export interface LabelledTriplets {
  indices: Int32Array
  similarities: Float32Array
  count: number
}

export interface DistillStep {
  step: number
  loss: number
  divergence: number
  learningRate: number
}

/** Where a run stands after `step` steps: the trainable weights and Adam's moments, to continue exactly from. */
export interface DistillState {
  step: number
  arrays: Record<string, NpyArray>
}

export interface DistillHooks {
  /** After each step; may throw to stop (a cancelled job). `capture` reads the state to continue from. */
  step?(report: DistillStep, capture: () => Promise<DistillState>): void | Promise<void>
}

type Adam = tf.AdamOptimizer
/** Adam's running β₁ᵗ and β₂ᵗ (private in tfjs). */
const betaPowers = (optimizer: Adam) => optimizer as unknown as { accBeta1: tf.Variable; accBeta2: tf.Variable }

// Host reads are asynchronous throughout: tfjs-webgpu reads synchronously only through OffscreenCanvas, which Node lacks.
const f32 = async (t: tf.Tensor): Promise<NpyArray> => ({ dtype: '<f4', shape: [...t.shape], data: (await t.data()) as Float32Array })

async function captureState(step: number, trainable: tf.Variable[], optimizer: Adam): Promise<DistillState> {
  const arrays: Record<string, NpyArray> = {}
  for (const [i, v] of trainable.entries()) arrays[`weight${i}`] = await f32(v)
  // Moments in the variables' order (first all m, then all v); the iteration count is `step`.
  const moments = (await optimizer.getWeights()).slice(1)
  for (const [i, m] of moments.entries()) arrays[`moment${i}`] = await f32(m.tensor)
  // tfjs's setWeights would recompute β^t by pow, which differs from the running product in the last bits.
  const { accBeta1, accBeta2 } = betaPowers(optimizer)
  arrays.betaPowers = { dtype: '<f4', shape: [2], data: Float32Array.of((await accBeta1.data())[0]!, (await accBeta2.data())[0]!) }
  return { step, arrays }
}

async function restoreState(state: DistillState, trainable: tf.Variable[], optimizer: Adam): Promise<void> {
  const tensor = (name: string) => {
    const a = state.arrays[name]
    if (!a) throw new RangeError(`the distillation checkpoint lacks ${name}`)
    return tf.tensor(a.data as Float32Array, [...a.shape])
  }
  trainable.forEach((v, i) => {
    const value = tensor(`weight${i}`)
    v.assign(value)
    value.dispose()
  })
  const moments = trainable.flatMap((v, i) => [`${v.name}/m`, `${v.name}/v`].map((name, half) => ({ name, index: half * trainable.length + i })))
  moments.sort((a, b) => a.index - b.index)
  await optimizer.setWeights([{ name: 'iter', tensor: tf.scalar(state.step, 'int32') }, ...moments.map((m) => ({ name: m.name, tensor: tensor(`moment${m.index}`) }))])
  const [b1, b2] = state.arrays.betaPowers!.data as Float32Array
  betaPowers(optimizer).accBeta1.assign(tf.scalar(b1!))
  betaPowers(optimizer).accBeta2.assign(tf.scalar(b2!))
}

/** Linear warm-up to the peak over warmupSteps, then cosine decay to 0 at `steps` (steps count from 1). */
export function learningRateAt(step: number, config: Pick<DistillConfig, 'peakLearningRate' | 'warmupSteps' | 'steps'>): number {
  const { peakLearningRate: peak, warmupSteps: warmup, steps } = config
  if (step <= warmup) return (peak * step) / Math.max(1, warmup)
  const progress = (step - warmup) / Math.max(1, steps - warmup)
  return 0.5 * peak * (1 + Math.cos(Math.PI * Math.min(1, progress)))
}

/** mean_t D(P_t, Q_t) with P = softmax(teacher / τ_t), Q = softmax(student / τ_s); both m × 3. */
export function tripletDivergence(teacher: tf.Tensor2D, student: tf.Tensor2D, config: Pick<DistillConfig, 'divergence' | 'teacherTemperature' | 'studentTemperature'>): tf.Scalar {
  return tf.tidy(() => {
    const logP = tf.logSoftmax(tf.div(teacher, config.teacherTemperature))
    const logQ = tf.logSoftmax(tf.div(student, config.studentTemperature))
    const kl = (logA: tf.Tensor, logB: tf.Tensor) => tf.sum(tf.mul(tf.exp(logA), tf.sub(logA, logB)), 1)
    if (config.divergence === 'kl') return tf.mean(kl(logP, logQ)) as tf.Scalar
    const logM = tf.log(tf.div(tf.add(tf.exp(logP), tf.exp(logQ)), 2))
    return tf.mean(tf.add(tf.mul(0.5, kl(logP, logM)), tf.mul(0.5, kl(logQ, logM)))) as tf.Scalar
  })
}

/** The student: `base` from its input to `layer` (flattened), then the Dense triplet head when asked for. */
export function buildStudent(base: tf.LayersModel, layer: string, headUnits: number | null, seed: number): tf.LayersModel {
  let output = base.getLayer(layer).output as tf.SymbolicTensor
  if (output.shape.length > 2) output = tf.layers.flatten({ name: 'student_flatten' }).apply(output) as tf.SymbolicTensor
  if (headUnits !== null) {
    const head = tf.layers.dense({ units: headUnits, name: 'triplet_head', kernelInitializer: tf.initializers.glorotUniform({ seed }) })
    output = head.apply(output) as tf.SymbolicTensor
  }
  return tf.model({ inputs: base.inputs, outputs: output, name: `${base.name}_aligned` })
}

/**
 * [z_i·z_j, z_i·z_k, z_j·z_k] for triplets over the rows of z (`rows` = each triplet's three rows). The rows are
 * picked by one-hot products rather than a gather, whose gradient (a segment sum) tfjs-wasm lacks.
 */
function studentSimilarities(z: tf.Tensor2D, rows: Int32Array): tf.Tensor2D {
  const m = rows.length / 3
  const u = z.shape[0]
  const at = (c: number) => {
    const pick = new Float32Array(m * u)
    for (let t = 0; t < m; t++) pick[t * u + rows[3 * t + c]!] = 1
    return tf.matMul(tf.tensor2d(pick, [m, u]), z)
  }
  const [a, b, c] = [at(0), at(1), at(2)]
  const dot = (u: tf.Tensor, v: tf.Tensor) => tf.sum(tf.mul(u, v), 1)
  return tf.stack([dot(a, b), dot(a, c), dot(b, c)], 1) as tf.Tensor2D
}

/**
 * Fine-tunes `student` (in place) on the labelled triplets. `images(ids, step)` returns the preprocessed images with
 * those indices as a batch (ids.length × H × W × 3). Batch-norm layers stay in inference mode, as usual when
 * fine-tuning with small batches. `pretrained` names (LayerVariable.name) the weights pulled back toward their
 * starting values: the backbone's, not the new head's.
 */
export async function distill(
  student: tf.LayersModel,
  pretrained: Set<string>,
  data: LabelledTriplets,
  images: (ids: Int32Array, step: number) => Promise<tf.Tensor4D>,
  config: DistillConfig,
  hooks: DistillHooks = {},
  resume: DistillState | null = null,
): Promise<DistillStep[]> {
  if (data.count === 0) throw new RangeError('there are no labelled triplets to distil')
  const trainable = student.trainableWeights.map((w) => w.read() as tf.Variable)
  const anchored = student.trainableWeights.filter((w) => pretrained.has(w.name)).map((w) => ({ variable: w.read() as tf.Variable, start: tf.keep(w.read().clone()) }))
  const optimizer = tf.train.adam(config.peakLearningRate, 0.9, 0.999, 1e-8) as Adam
  const random = randomGenerator(config.seed)
  const order = Int32Array.from({ length: data.count }, (_, i) => i)
  const shuffle = () => {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[order[i], order[j]] = [order[j]!, order[i]!]
    }
  }
  const reports: DistillStep[] = []
  let at = data.count
  // Triplets in a fresh random order each pass over the data.
  const nextBatch = () => {
    const batch = new Int32Array(Math.min(config.batchSize, data.count))
    for (let b = 0; b < batch.length; b++) {
      if (at === data.count) {
        shuffle()
        at = 0
      }
      batch[b] = order[at++]!
    }
    return batch
  }
  try {
    if (resume) {
      await restoreState(resume, trainable, optimizer)
      // The batches already trained on, drawn again so the run goes on with the ones it would have drawn next.
      for (let step = 1; step <= resume.step; step++) nextBatch()
    }
    for (let step = (resume?.step ?? 0) + 1; step <= config.steps; step++) {
      const batch = nextBatch()
      const ids: number[] = []
      const position = new Map<number, number>()
      const rows = new Int32Array(3 * batch.length)
      batch.forEach((t, b) => {
        for (let c = 0; c < 3; c++) {
          const image = data.indices[3 * t + c]!
          if (!position.has(image)) position.set(image, ids.push(image) - 1)
          rows[3 * b + c] = position.get(image)!
        }
      })
      const x = await images(Int32Array.from(ids), step)
      const teacher = tf.tensor2d(Float32Array.from({ length: 3 * batch.length }, (_, k) => data.similarities[3 * batch[Math.floor(k / 3)]! + (k % 3)]!), [batch.length, 3])
      const learningRate = learningRateAt(step, config)
      ;(optimizer as unknown as { learningRate: number }).learningRate = learningRate
      const kept: { divergence?: tf.Scalar } = {}
      const { value, grads } = tf.variableGrads(() => {
        const z = student.apply(x, { training: false }) as tf.Tensor2D
        const d = tripletDivergence(teacher, studentSimilarities(z, rows), config)
        kept.divergence = tf.keep(d)
        // Pairwise sums, not addN: tfjs-webgpu binds every addN input to one shader, past the device's limit (8).
        const pull = anchored.length ? anchored.map(({ variable, start }) => tf.sum(tf.square(tf.sub(variable, start)))).reduce((sum, term) => tf.add(sum, term)) : tf.scalar(0)
        return tf.add(d, tf.mul(config.lambda, pull)) as tf.Scalar
      }, trainable)
      optimizer.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })))
      const loss = (await value.data())[0]!
      const divergence = (await kept.divergence!.data())[0]!
      tf.dispose([x, teacher, value, kept.divergence!, ...Object.values(grads)])
      const report = { step, loss, divergence, learningRate }
      reports.push(report)
      await hooks.step?.(report, () => captureState(step, trainable, optimizer))
    }
    return reports
  } finally {
    optimizer.dispose()
    tf.dispose(anchored.map((a) => a.start))
  }
}
