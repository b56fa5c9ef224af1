// The triplet term of objective.ts in tfjs ops, for GPU backends: Z stays on the device, the three pair
// similarities are gathered row products, and tfjs's automatic gradients replace the host loop — so a training
// step never waits for a read-back. The loss is the cross-entropy −Σ y log p; the soft objective's KL adds the
// constant Σ y log y, which the caller adds on the host (klConstant). Evaluation on the device uses our fused
// kernels on webgpu (kernels/tripletTerm.ts) and these ops elsewhere.
import * as tf from '@tensorflow/tfjs-core'
import { fusedTripletTerm, termSums } from '../compute/kernels/tripletTerm'
import type { TripletTerm, Triplets } from './objective'

/** The columns of a set of triplets as device tensors (and their soft labels, for the soft objective). */
export interface DeviceTriplets {
  i: tf.Tensor1D
  j: tf.Tensor1D
  k: tf.Tensor1D
  labels: tf.Tensor2D | null
  count: number
}

export function uploadTriplets(triplets: Triplets, ids: Int32Array, soft: boolean): DeviceTriplets {
  if (soft && !triplets.soft) throw new RangeError('the soft objective needs soft labels')
  const m = ids.length
  const columns = [new Int32Array(m), new Int32Array(m), new Int32Array(m)]
  const labels = soft ? new Float32Array(3 * m) : null
  for (let c = 0; c < m; c++) {
    const t = ids[c]!
    for (let r = 0; r < 3; r++) {
      columns[r]![c] = triplets.indices[3 * t + r]!
      if (labels) labels[3 * c + r] = triplets.soft![3 * t + r]!
    }
  }
  const [i, j, k] = columns.map((column) => tf.tensor1d(column, 'int32'))
  return { i: i!, j: j!, k: k!, labels: labels ? tf.tensor2d(labels, [m, 3]) : null, count: m }
}

export function disposeTriplets(t: DeviceTriplets): void {
  tf.dispose([t.i, t.j, t.k, ...(t.labels ? [t.labels] : [])])
}

/** Σ_c y_c log y_c of triplet t's soft labels: KL(y ‖ p) = cross-entropy − this. */
export function tripletKlConstant(soft: Float32Array, t: number): number {
  let sum = 0
  for (let c = 0; c < 3; c++) {
    const y = soft[3 * t + c]!
    if (y > 0) sum += y * Math.log(y)
  }
  return sum
}

/** The KL constant summed over the triplets `ids`. */
export function klConstant(triplets: Triplets, ids: Int32Array): number {
  let sum = 0
  for (const t of ids) sum += tripletKlConstant(triplets.soft!, t)
  return sum
}

/** [s_ij, s_ik, s_jk] / τ from the rows of Z. */
function logits(z: tf.Tensor2D, t: DeviceTriplets, temperature: number): tf.Tensor2D {
  const [zi, zj, zk] = [tf.gather(z, t.i), tf.gather(z, t.j), tf.gather(z, t.k)]
  const pair = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(a, b), 1)
  return tf.div(tf.stack([pair(zi, zj), pair(zi, zk), pair(zj, zk)], 1), temperature) as tf.Tensor2D
}

/**
 * The summed cross-entropy of the triplets (hard: the human's pair 0; soft: the labels) and the number whose most
 * similar pair is the human's (ties count as wrong, as on the host).
 */
export function deviceTripletTerm(z: tf.Tensor2D, t: DeviceTriplets, temperature: number): { crossEntropy: tf.Scalar; correct: tf.Scalar } {
  const l = logits(z, t, temperature)
  const logP = tf.logSoftmax(l)
  const crossEntropy = t.labels ? tf.neg(tf.sum(tf.mul(t.labels, logP))) : tf.neg(tf.sum(tf.slice(logP, [0, 0], [-1, 1])))
  const [s0, s1, s2] = tf.unstack(l, 1)
  const correct = tf.sum(tf.cast(tf.logicalAnd(tf.greater(s0!, s1!), tf.greater(s0!, s2!)), 'float32'))
  return { crossEntropy: crossEntropy as tf.Scalar, correct: correct as tf.Scalar }
}

/** Triplets evaluated per device pass (bounds the gathered rows' memory). */
const DEVICE_CHUNK = 65_536

/**
 * Mean loss and accuracy of triplets from Z on the device: our fused kernels on webgpu, tfjs ops elsewhere; one
 * read-back at the end.
 */
export async function evaluateOnDevice(z: tf.Tensor2D, triplets: Triplets, config: { objective: string; temperature: number }): Promise<TripletTerm> {
  const soft = config.objective === 'soft'
  const all = Int32Array.from({ length: triplets.count }, (_, i) => i)
  let sums = tf.zeros([2])
  for (let start = 0; start < triplets.count; start += DEVICE_CHUNK) {
    const ids = all.subarray(start, start + DEVICE_CHUNK)
    let chunk: tf.Tensor
    if (tf.getBackend() === 'webgpu') {
      const { term } = fusedTripletTerm(z, { indices: triplets.indices, soft: soft ? triplets.soft : null }, ids, config.temperature, null)
      chunk = termSums(term)
      term.dispose()
    } else {
      const t = uploadTriplets(triplets, ids, soft)
      chunk = tf.tidy(() => {
        const { crossEntropy, correct } = deviceTripletTerm(z, t, config.temperature)
        return tf.stack([crossEntropy, correct])
      })
      disposeTriplets(t)
    }
    const next = tf.add(sums, chunk)
    tf.dispose([sums, chunk])
    sums = next
  }
  const [crossEntropy, correct] = (await sums.data()) as Float32Array
  sums.dispose()
  const constant = soft ? klConstant(triplets, all) : 0
  return { loss: (crossEntropy! + constant) / triplets.count, accuracy: correct! / triplets.count }
}
