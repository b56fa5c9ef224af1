// The triplet term of the probe objectives, computed from the pair similarities S = Z Zᵀ of the n objects (Z
// computed once per step, never per triplet). For triplet (i, j, k), k the odd one out, the model's choice
// probabilities are p = softmax([s_ij, s_ik, s_jk] / τ); the human chose pair 0.
//   hard: −log p_0             soft: KL(q ‖ p), q the soft labels in the same pair order
// Both have dL/ds = (p − y) / τ with y = one-hot(0) or q, which is accumulated into an n × n matrix G so that
// the gradient with respect to Z is (G + Gᵀ) Z.

export interface Triplets {
  /** count × 3, 0-based, the odd one out last. */
  indices: Int32Array
  count: number
  /** count × 3 probabilities in pair order [(0,1), (0,2), (1,2)], for the soft objective. */
  soft: Float32Array | null
}

export interface TripletTerm {
  /** Mean loss over the triplets. */
  loss: number
  /** Fraction whose most similar pair is the human's (ties count as wrong). */
  accuracy: number
}

const HARD = [1, 0, 0] as const

/**
 * The loss of one triplet from its pair similarities and target y (one-hot on the human's pair, or soft labels):
 * −Σ y log p (+ Σ y log y, making it KL(y ‖ p)); `step` gets p − y, which is τ · dL/ds.
 */
function choiceLoss(s0: number, s1: number, s2: number, temperature: number, y: readonly number[], step: Float64Array): number {
  const m = Math.max(s0, s1, s2) / temperature
  const e0 = Math.exp(s0 / temperature - m)
  const e1 = Math.exp(s1 / temperature - m)
  const e2 = Math.exp(s2 / temperature - m)
  const sum = e0 + e1 + e2
  const logZ = m + Math.log(sum)
  let loss = 0
  for (let c = 0; c < 3; c++) if (y[c]! > 0) loss += y[c]! * Math.log(y[c]!)
  loss -= y[0]! * (s0 / temperature - logZ) + y[1]! * (s1 / temperature - logZ) + y[2]! * (s2 / temperature - logZ)
  step[0] = e0 / sum - y[0]!
  step[1] = e1 / sum - y[1]!
  step[2] = e2 / sum - y[2]!
  return loss
}

/**
 * Loss and accuracy of `ids` (positions into `triplets`, or all) given S (n × n). With `gradient`, adds
 * dL/dS × `scale` (L the mean over these triplets) into it.
 */
export function tripletTerm(
  s: Float32Array,
  n: number,
  triplets: Triplets,
  temperature: number,
  soft: boolean,
  ids: Int32Array | null = null,
  gradient: Float32Array | null = null,
  scale = 1,
): TripletTerm {
  if (soft && !triplets.soft) throw new RangeError('the soft objective needs soft labels')
  const count = ids ? ids.length : triplets.count
  const { indices } = triplets
  const labels = triplets.soft
  const g = scale / (count * temperature)
  const step = new Float64Array(3)
  let loss = 0
  let correct = 0
  for (let c = 0; c < count; c++) {
    const t = ids ? ids[c]! : c
    const i = indices[3 * t]!
    const j = indices[3 * t + 1]!
    const k = indices[3 * t + 2]!
    const s0 = s[i * n + j]!
    const s1 = s[i * n + k]!
    const s2 = s[j * n + k]!
    if (s0 > s1 && s0 > s2) correct++
    const y = soft ? [labels![3 * t]!, labels![3 * t + 1]!, labels![3 * t + 2]!] : HARD
    loss += choiceLoss(s0, s1, s2, temperature, y, step)
    if (gradient) {
      gradient[i * n + j]! += g * step[0]!
      gradient[i * n + k]! += g * step[1]!
      gradient[j * n + k]! += g * step[2]!
    }
  }
  return { loss: loss / count, accuracy: correct / count }
}

/**
 * The same term from the rows of Z instead of S, for batches much smaller than n²: `z` holds the rows of the
 * batch's objects (`row[o]` is object o's row, q values each). With `gradient` (rows × q), adds dL/dZ × `scale`.
 */
export function tripletTermRows(
  z: Float32Array,
  q: number,
  row: Int32Array,
  triplets: Triplets,
  temperature: number,
  soft: boolean,
  ids: Int32Array,
  gradient: Float32Array | null = null,
  scale = 1,
): TripletTerm {
  if (soft && !triplets.soft) throw new RangeError('the soft objective needs soft labels')
  const { indices } = triplets
  const labels = triplets.soft
  const g = scale / (ids.length * temperature)
  const step = new Float64Array(3)
  let loss = 0
  let correct = 0
  for (let c = 0; c < ids.length; c++) {
    const t = ids[c]!
    const i = row[indices[3 * t]!]! * q
    const j = row[indices[3 * t + 1]!]! * q
    const k = row[indices[3 * t + 2]!]! * q
    let s0 = 0
    let s1 = 0
    let s2 = 0
    for (let d = 0; d < q; d++) {
      const zi = z[i + d]!
      const zj = z[j + d]!
      const zk = z[k + d]!
      s0 += zi * zj
      s1 += zi * zk
      s2 += zj * zk
    }
    if (s0 > s1 && s0 > s2) correct++
    const y = soft ? [labels![3 * t]!, labels![3 * t + 1]!, labels![3 * t + 2]!] : HARD
    loss += choiceLoss(s0, s1, s2, temperature, y, step)
    if (gradient) {
      const g0 = g * step[0]!
      const g1 = g * step[1]!
      const g2 = g * step[2]!
      for (let d = 0; d < q; d++) {
        const zi = z[i + d]!
        const zj = z[j + d]!
        const zk = z[k + d]!
        gradient[i + d]! += g0 * zj + g1 * zk
        gradient[j + d]! += g0 * zi + g2 * zk
        gradient[k + d]! += g1 * zi + g2 * zj
      }
    }
  }
  return { loss: loss / ids.length, accuracy: correct / ids.length }
}
