// Training an affine probe Z = Xs W + b (Xs the standardised features) on odd-one-out triplets: hard, soft or
// gLocal objective plus λ R(W), Adam, global-norm gradient clipping, early stopping on a validation split.
// Each step computes Z for the n objects once and S = Z Zᵀ on the compute backend; the triplet term and its
// gradient dL/dS are tight loops over the batch (objective.ts); dL/dW = Xsᵀ (G + Gᵀ) Z goes back to the backend.
// The gLocal local term uses tfjs's automatic gradients, the regulariser its closed form. On GPU backends the
// triplet term stays on the device — fused WGSL kernels on webgpu (kernels/tripletTerm.ts), tfjs ops elsewhere
// (deviceTerm.ts) — and losses are read back once per epoch; on webgpu the hard and soft objectives train with
// the whole step in our kernels (fusedTrainer.ts).
import * as tf from '@tensorflow/tfjs-core'
import { fusedTripletTerm, termSums } from '../compute/kernels/tripletTerm'
import { randomGenerator } from '../data/simulate'
import { canTrainFused, createFusedTrainer } from './fusedTrainer'
import { deviceTripletTerm, disposeTriplets, evaluateOnDevice, klConstant, uploadTriplets } from './deviceTerm'
import { tripletTerm, tripletTermRows, type TripletTerm, type Triplets } from './objective'
import { standardization, standardize, type AffineTransform } from './transform'

export type ProbeObjective = 'hard' | 'soft' | 'glocal'

export interface ProbeConfig {
  objective: ProbeObjective
  /** Weight of the regulariser R(W). */
  lambda: number
  /** gLocal: weight of the local contrastive term, (1 − α) on the global one. */
  alpha: number
  /** 'identity': ‖W − mean(diag W)·I‖² (toward the scaled identity; square W only); 'frobenius': ‖W‖². */
  regularizer: 'identity' | 'frobenius'
  temperature: number
  learningRate: number
  maxEpochs: number
  /** Epochs without a better validation loss before stopping. */
  patience: number
  /** Triplets per step; null for the whole training set in one step. */
  batchSize: number | null
  /** Gradients are scaled down to this global norm. */
  clipNorm: number
  /** Output dimension q (p by default; q < p gives a low-rank probe). */
  rank: number | null
  /** W starts as initScale · I. */
  initScale: number
  /** gLocal: objects per local contrastive batch. */
  contrastiveBatch: number
  /** Triplets in a new random order every epoch (else in the given order, as a benchmark against a reference). */
  shuffle: boolean
  seed: number
  /**
   * Where the triplet term is computed: 'host' loops over the rows of Z read back each step (fastest on CPU
   * backends), 'device' tfjs ops that keep Z on the device (GPU backends); 'auto' picks by the backend.
   */
  tripletsOn: 'auto' | 'host' | 'device'
}

export const PROBE_DEFAULTS: ProbeConfig = {
  objective: 'hard',
  lambda: 0.1,
  alpha: 0.1,
  regularizer: 'identity',
  temperature: 1,
  learningRate: 1e-3,
  maxEpochs: 100,
  patience: 15,
  batchSize: 256,
  clipNorm: 1,
  rank: null,
  initScale: 1e-3,
  contrastiveBatch: 1024,
  shuffle: true,
  seed: 42,
  tripletsOn: 'auto',
}

export interface EpochReport {
  epoch: number
  trainLoss: number
  trainAccuracy: number
  validationLoss: number | null
  validationAccuracy: number | null
}

export interface TrainedProbe {
  transform: AffineTransform
  epochs: EpochReport[]
  /** The epoch whose weights were kept (the best validation loss). */
  bestEpoch: number
}

export interface TrainHooks {
  /** After each epoch; may throw to stop (a cancelled job). */
  epoch?(report: EpochReport): void | Promise<void>
}

let probes = 0

/** Backends whose tensors live on a GPU, where a read-back per step costs more than the host loop saves. */
const GPU_BACKENDS = new Set(['webgpu', 'webgl', 'tensorflow'])

/** Where the triplet term runs: host loops, our fused WebGPU kernels, or tfjs ops with automatic gradients. */
function tripletPath(config: ProbeConfig): 'host' | 'fused' | 'ops' {
  const device = config.tripletsOn === 'auto' ? GPU_BACKENDS.has(tf.getBackend()) : config.tripletsOn === 'device'
  return !device ? 'host' : tf.getBackend() === 'webgpu' ? 'fused' : 'ops'
}

/** The regulariser's identity (null when q < p), made once per training: tf.eye builds it on the host. */
function identityFor(p: number, q: number): tf.Tensor2D | null {
  return p === q ? tf.eye(p) : null
}

let gradients: Promise<unknown> | null = null
/**
 * tfjs-core alone registers no gradient functions (variableGrads needs them); the union package's Node bundle
 * registers them all into the same registry. Loaded once, when a probe first trains.
 */
function registerGradients(): Promise<unknown> {
  return (gradients ??= import('@tensorflow/tfjs'))
}

/**
 * Whether a batch's triplet term is cheaper from the rows of Z (three dot products per triplet, in a loop) than
 * from S = Z Zᵀ (two n²·q products on the backend, and S read back): only for batches far smaller than n².
 */
function fromRows(triplets: number, n: number): boolean {
  return triplets * 15 < n * n
}

/** The rows of Z for `objects` (all objects when null), and the standardised features they came from. */
function rowsOf(xs: tf.Tensor2D, objects: Int32Array | null, w: tf.Variable, b: tf.Variable): { x: tf.Tensor2D; z: tf.Tensor2D } {
  return tf.tidy(() => {
    const x = objects ? (tf.gather(xs, tf.tensor1d(objects, 'int32')) as tf.Tensor2D) : tf.clone(xs)
    return { x, z: tf.add(tf.matMul(x, w), b) as tf.Tensor2D }
  })
}

/** S = Z Zᵀ; transposed explicitly, since XNNPACK's product with a transposed operand flag is many times slower. */
function pairSimilarities(z: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.matMul(z, tf.transpose(z)))
}

/** Loss and accuracy of triplets under the current W, b (no gradient). */
async function evaluateTriplets(xs: tf.Tensor2D, w: tf.Variable, b: tf.Variable, triplets: Triplets, config: ProbeConfig): Promise<TripletTerm> {
  const n = xs.shape[0]
  const soft = config.objective === 'soft'
  const { x, z } = rowsOf(xs, null, w, b)
  x.dispose()
  try {
    if (tripletPath(config) !== 'host') return await evaluateOnDevice(z, triplets, config)
    if (fromRows(triplets.count, n)) {
      const all = Int32Array.from({ length: n }, (_, i) => i)
      const ids = Int32Array.from({ length: triplets.count }, (_, i) => i)
      return tripletTermRows((await z.data()) as Float32Array, z.shape[1], all, triplets, config.temperature, soft, ids)
    }
    const s = pairSimilarities(z)
    const term = tripletTerm((await s.data()) as Float32Array, n, triplets, config.temperature, soft)
    s.dispose()
    return term
  } finally {
    z.dispose()
  }
}

/**
 * The triplet term of one batch and its gradient with respect to W and b (weighted by `weight`): from the rows
 * of the batch's objects, or from S for large batches.
 */
async function tripletStep(
  xs: tf.Tensor2D,
  w: tf.Variable,
  b: tf.Variable,
  triplets: Triplets,
  ids: Int32Array,
  config: ProbeConfig,
  weight: number,
): Promise<{ term: TripletTerm; gw: tf.Tensor; gb: tf.Tensor }> {
  const n = xs.shape[0]
  const q = w.shape[1]!
  const soft = config.objective === 'soft'
  if (fromRows(ids.length, n)) {
    const row = new Int32Array(n).fill(-1)
    const objects: number[] = []
    for (const t of ids) for (let c = 0; c < 3; c++) {
      const o = triplets.indices[3 * t + c]!
      if (row[o] === -1) row[o] = objects.push(o) - 1
    }
    const { x, z } = rowsOf(xs, Int32Array.from(objects), w, b)
    const dz = new Float32Array(objects.length * q)
    const term = tripletTermRows((await z.data()) as Float32Array, q, row, triplets, config.temperature, soft, ids, dz, weight)
    z.dispose()
    const [gw, gb] = tf.tidy(() => {
      const g = tf.tensor2d(dz, [objects.length, q])
      return [tf.matMul(tf.transpose(x), g), tf.sum(g, 0)]
    })
    x.dispose()
    return { term, gw: gw!, gb: gb! }
  }
  const { x, z } = rowsOf(xs, null, w, b)
  const s = pairSimilarities(z)
  const gradient = new Float32Array(n * n)
  const term = tripletTerm((await s.data()) as Float32Array, n, triplets, config.temperature, soft, ids, gradient, weight)
  s.dispose()
  const [gw, gb] = tf.tidy(() => {
    const g = tf.tensor2d(gradient, [n, n])
    const dz = tf.matMul(tf.add(g, tf.transpose(g)), z)
    return [tf.matMul(tf.transpose(x), dz), tf.sum(dz, 0)]
  })
  tf.dispose([x, z])
  return { term, gw: gw!, gb: gb! }
}

/**
 * The weighted triplet term of one batch by the fused WebGPU kernels: its mean loss, number correct, and gradient
 * with respect to W and b, all on the device.
 */
function fusedTripletStep(xs: tf.Tensor2D, w: tf.Variable, b: tf.Variable, triplets: Triplets, ids: Int32Array, config: ProbeConfig, weight: number) {
  const z = tf.tidy(() => tf.add(tf.matMul(xs, w), b) as tf.Tensor2D)
  const soft = config.objective === 'soft'
  const { term, dz } = fusedTripletTerm(z, { indices: triplets.indices, soft: soft ? triplets.soft : null }, ids, config.temperature, weight / (ids.length * config.temperature))
  const sums = termSums(term)
  tf.dispose([z, term])
  const out = tf.tidy(() => {
    const [crossEntropy, correct] = tf.unstack(sums)
    return {
      loss: tf.mul(crossEntropy!, weight / ids.length) as tf.Scalar,
      correct: correct as tf.Scalar,
      // An explicit transpose: tfjs-wasm's transposed matMul is about 18× slower (1854 × 1280: 7.9 s against 0.44 s).
      gw: tf.matMul(tf.transpose(xs), dz!),
      gb: tf.sum(dz!, 0),
    }
  })
  tf.dispose([sums, dz!])
  return out
}

/**
 * λ R(W) and its gradient in closed form (no tape, one cached identity): R = ‖W − c I‖², c = tr W / p, has
 * dR/dW = 2 (W − c I), since the trace of W − c I is 0; the Frobenius R = ‖W‖² has 2 W.
 */
function regularizer(w: tf.Variable, config: ProbeConfig, eye: tf.Tensor2D | null): { value: tf.Scalar; gradient: tf.Tensor2D } {
  return tf.tidy(() => {
    const d = config.regularizer === 'frobenius' || !eye ? w : tf.sub(w, tf.mul(tf.div(tf.sum(tf.mul(w, eye)), w.shape[0]!), eye))
    return { value: tf.mul(config.lambda, tf.sum(tf.square(d))) as tf.Scalar, gradient: tf.mul(2 * config.lambda, d) as tf.Tensor2D }
  })
}

/** Row-wise cosine similarities over τ, the diagonal masked out of the softmax. */
function maskedCosines(z: tf.Tensor2D, temperature: number): tf.Tensor2D {
  const unit = tf.div(z, tf.add(tf.norm(z, 'euclidean', 1, true), 1e-12))
  const cos = tf.div(tf.matMul(unit, tf.transpose(unit)), temperature)
  return tf.sub(cos, tf.mul(tf.eye(z.shape[0]), 1e9)) as tf.Tensor2D
}

/** gLocal's local term on a batch of objects: cross-entropy from softmax(cos(Xs_B)/τ) to softmax(cos(Z_B)/τ). */
function localTerm(xsBatch: tf.Tensor2D, targets: tf.Tensor2D, w: tf.Variable, b: tf.Variable, temperature: number): tf.Scalar {
  const z = tf.add(tf.matMul(xsBatch, w), b) as tf.Tensor2D
  return tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(maskedCosines(z, temperature))), 1))) as tf.Scalar
}

/**
 * The whole objective on one batch — weighted triplet term + α · local term (gLocal, on the objects `local`) +
 * λ R(W) — and its (unclipped) gradients with respect to W and b. The loss and the number of correct triplets
 * stay device scalars, so that a step on a GPU backend never waits for a read-back.
 */
async function objectiveStep(
  xs: tf.Tensor2D,
  w: tf.Variable,
  b: tf.Variable,
  triplets: Triplets,
  ids: Int32Array,
  config: ProbeConfig,
  local: Int32Array | null,
  eye: tf.Tensor2D | null,
): Promise<{ loss: tf.Scalar; correct: tf.Scalar; gw: tf.Tensor; gb: tf.Tensor }> {
  const weight = config.objective === 'glocal' ? 1 - config.alpha : 1
  const soft = config.objective === 'soft'
  const path = tripletPath(config)
  const host = path === 'host' ? await tripletStep(xs, w, b, triplets, ids, config, weight) : null
  const fused = path === 'fused' ? fusedTripletStep(xs, w, b, triplets, ids, config, weight) : null
  const uploaded = path === 'ops' ? uploadTriplets(triplets, ids, soft) : null
  const batch = local
    ? tf.tidy(() => {
        const rows = tf.gather(xs, tf.tensor1d(local, 'int32')) as tf.Tensor2D
        return { xs: rows, targets: tf.softmax(maskedCosines(rows, config.temperature)) as tf.Tensor2D }
      })
    : null
  let correct: tf.Scalar | null = null
  // Automatic gradients only for what has no closed form here: gLocal's local term, the tfjs-ops triplet term.
  const auto = batch || uploaded
    ? tf.variableGrads(() => {
        // b takes part even without a local term, so that variableGrads returns a (zero) gradient for it.
        let total = batch ? tf.mul(config.alpha, localTerm(batch.xs, batch.targets, w, b, config.temperature)) : tf.mul(0, tf.sum(b))
        if (uploaded) {
          const term = deviceTripletTerm(tf.add(tf.matMul(xs, w), b) as tf.Tensor2D, uploaded, config.temperature)
          correct = tf.keep(term.correct)
          total = tf.add(total, tf.mul(weight / ids.length, term.crossEntropy))
        }
        return total as tf.Scalar
      }, [w, b])
    : null
  if (batch) tf.dispose([batch.xs, batch.targets])
  if (uploaded) disposeTriplets(uploaded)
  const reg = regularizer(w, config, eye)
  // The host-known parts: the host triplet term, or the soft objective's KL constant on the device.
  const known = host ? weight * host.term.loss : soft ? (weight * klConstant(triplets, ids)) / ids.length : 0
  const outer = host ?? fused
  const [loss, gw, gb] = tf.tidy(() => {
    const parts = [reg.value, ...(auto ? [auto.value] : []), ...(fused ? [fused.loss] : [])]
    const wParts = [reg.gradient, ...(auto ? [auto.grads[w.name]!] : []), ...(outer ? [outer.gw] : [])]
    const bParts = [...(auto ? [auto.grads[b.name]!] : []), ...(outer ? [outer.gb] : [])]
    return [tf.add(tf.addN(parts), known) as tf.Scalar, tf.addN(wParts), tf.addN(bParts)]
  })
  tf.dispose([reg.value, reg.gradient, ...(auto ? [auto.value, ...Object.values(auto.grads)] : []), ...(outer ? [outer.gw, outer.gb] : []), ...(fused ? [fused.loss] : [])])
  if (fused) correct = fused.correct
  return { loss: loss as tf.Scalar, correct: correct ?? tf.scalar(host!.term.accuracy * ids.length), gw: gw!, gb: gb! }
}

/**
 * The objective and its gradients at given weights (p × q) and bias, for checking them: the features are
 * standardised as in training, the gLocal local batch is `local` (all objects when null).
 */
export async function probeObjective(
  x: Float32Array,
  n: number,
  p: number,
  triplets: Triplets,
  config: ProbeConfig,
  weights: Float32Array,
  bias: Float32Array,
): Promise<{ loss: number; gw: Float32Array; gb: Float32Array }> {
  await registerGradients()
  const { mean, std } = standardization(x)
  const q = weights.length / p
  const id = probes++
  const xs = tf.tensor2d(standardize(x, mean, std), [n, p])
  const w = tf.variable(tf.tensor2d(weights, [p, q]), true, `check${id}_w`)
  const b = tf.variable(tf.tensor1d(bias), true, `check${id}_b`)
  const eye = identityFor(p, q)
  try {
    const ids = Int32Array.from({ length: triplets.count }, (_, i) => i)
    const local = config.objective === 'glocal' ? Int32Array.from({ length: n }, (_, i) => i) : null
    const { loss, correct, gw, gb } = await objectiveStep(xs, w, b, triplets, ids, config, local, eye)
    const result = { loss: (await loss.data())[0]!, gw: (await gw.data()) as Float32Array, gb: (await gb.data()) as Float32Array }
    tf.dispose([loss, correct, gw, gb])
    return result
  } finally {
    tf.dispose([xs, w, b, ...(eye ? [eye] : [])])
  }
}

function shuffle(ids: Int32Array, random: () => number): void {
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const t = ids[i]!
    ids[i] = ids[j]!
    ids[j] = t
  }
}

/** One training's optimiser and parameters: tfjs variables and Adam, or our fused WebGPU kernels. */
interface Trainer {
  /** Adam steps on the training triplets `order`, `batch` at a time (each with gLocal's local batch from `local`). */
  epoch(order: Int32Array, batch: number, local: () => Int32Array | null): Promise<void>
  /** [Σ loss × batch size, Σ correct] over the steps since the last call. */
  takeSums(): Promise<[number, number]>
  evaluate(triplets: Triplets): Promise<TripletTerm>
  weights(): Promise<{ w: Float32Array; b: Float32Array }>
  dispose(): void
}

/** Training through tfjs: variables, objectiveStep's gradients, global-norm clipping and tfjs's Adam. */
function tfjsTrainer(xs: tf.Tensor2D, p: number, q: number, train: Triplets, config: ProbeConfig): Trainer {
  const id = probes++
  const w = tf.variable(tf.tidy(() => tf.mul(tf.eye(p, q), config.initScale)), true, `probe${id}_w`)
  const b = tf.variable(tf.zeros([q]), true, `probe${id}_b`)
  // PyTorch's (and gLocal's) Adam constants, rather than tfjs's epsilon of 1e-7.
  const optimizer = tf.train.adam(config.learningRate, 0.9, 0.999, 1e-8)
  const eye = identityFor(p, q)
  // [Σ loss × batch size, Σ correct], on the device until read.
  let sums = tf.zeros([2])
  const step = async (ids: Int32Array, local: Int32Array | null) => {
    const { loss, correct, gw, gb } = await objectiveStep(xs, w, b, train, ids, config, local, eye)
    const next = tf.tidy(() => tf.add(sums, tf.stack([tf.mul(loss, ids.length), correct])))
    tf.dispose([sums, loss, correct])
    sums = next
    const clipped = tf.tidy(() => {
      const norm = tf.sqrt(tf.add(tf.sum(tf.square(gw)), tf.sum(tf.square(gb))))
      const factor = tf.minimum(1, tf.div(config.clipNorm, tf.add(norm, 1e-12)))
      return [
        { name: w.name, tensor: tf.mul(gw, factor) },
        { name: b.name, tensor: tf.mul(gb, factor) },
      ]
    })
    tf.dispose([gw, gb])
    optimizer.applyGradients(clipped)
    tf.dispose(clipped.map((t) => t.tensor))
  }
  return {
    async epoch(order, batch, local) {
      for (let start = 0; start < order.length; start += batch) await step(order.subarray(start, start + batch), local())
    },
    async takeSums() {
      const [loss, correct] = (await sums.data()) as Float32Array
      sums.dispose()
      sums = tf.zeros([2])
      return [loss!, correct!]
    },
    evaluate: (triplets) => evaluateTriplets(xs, w, b, triplets, config),
    async weights() {
      return { w: (await w.data()) as Float32Array, b: (await b.data()) as Float32Array }
    },
    dispose() {
      tf.dispose([w, b, sums, ...(eye ? [eye] : [])])
      optimizer.dispose()
    },
  }
}

/**
 * Trains a probe on x (n × p) with `train` triplets, stopping early on `validation` (when given). `objects`
 * are those the gLocal local batches may draw from (all by default: pass the training objects in CV).
 */
export async function trainProbe(
  x: Float32Array,
  n: number,
  p: number,
  train: Triplets,
  validation: Triplets | null,
  config: ProbeConfig,
  hooks: TrainHooks = {},
  objects: Int32Array | null = null,
): Promise<TrainedProbe> {
  if (train.count === 0) throw new RangeError('there are no training triplets')
  await registerGradients()
  const q = config.rank ?? p
  if (q < 1 || q > p) throw new RangeError(`the rank must be between 1 and ${p}`)
  const { mean, std } = standardization(x)
  const random = randomGenerator(config.seed)
  const standardized = standardize(x, mean, std)
  const xs = tf.tensor2d(standardized, [n, p])
  const trainer = canTrainFused(config) ? createFusedTrainer(standardized, n, p, q, train, config) : tfjsTrainer(xs, p, q, train, config)
  const pool = objects ?? Int32Array.from({ length: n }, (_, i) => i)
  const order = Int32Array.from({ length: train.count }, (_, i) => i)
  const batch = Math.min(config.batchSize ?? train.count, train.count)
  const epochs: EpochReport[] = []
  let best = { loss: Infinity, epoch: 0, w: null as Float32Array | null, b: null as Float32Array | null }
  try {
    for (let epoch = 1; epoch <= config.maxEpochs; epoch++) {
      if (config.shuffle && batch < train.count) shuffle(order, random)
      await trainer.epoch(order, batch, () => {
        if (!(config.objective === 'glocal' && config.alpha > 0)) return null
        const size = Math.min(config.contrastiveBatch, pool.length)
        const picked = Int32Array.from(pool)
        for (let i = 0; i < size; i++) {
          const j = i + Math.floor(random() * (picked.length - i))
          ;[picked[i], picked[j]] = [picked[j]!, picked[i]!]
        }
        return picked.subarray(0, size)
      })
      const [lossSum, correct] = await trainer.takeSums()
      const report: EpochReport = { epoch, trainLoss: lossSum / train.count, trainAccuracy: correct / train.count, validationLoss: null, validationAccuracy: null }
      if (validation && validation.count > 0) {
        const term = await trainer.evaluate(validation)
        report.validationLoss = term.loss
        report.validationAccuracy = term.accuracy
      }
      epochs.push(report)
      const watched = report.validationLoss ?? report.trainLoss
      if (watched < best.loss) best = { loss: watched, epoch, ...(await trainer.weights()) }
      await hooks.epoch?.(report)
      if (epoch - best.epoch >= config.patience) break
    }
    return { transform: { weights: best.w!, p, q, bias: best.b!, mean, std }, epochs, bestEpoch: best.epoch }
  } finally {
    xs.dispose()
    trainer.dispose()
  }
}
