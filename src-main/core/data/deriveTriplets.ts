// Odd-one-out triplets derived from similarity matrices: every triplet of the n objects, each subject's matrix
// voting for the pair it rates most similar. The soft labels are the share of subjects voting for each pair (a tie
// within one subject splits its vote); the triplet is written with the majority's odd-one-out in column 2, a tied
// majority broken at random (seeded: the same every time) — not by the objects' order, which in a stimulus set sorted
// by category would favour some categories as the odd one. With several subjects comes the noise ceiling of these
// choices: each subject's vote against the majority of the others'.
import { randomGenerator } from './simulate'

export interface DerivedTriplets {
  count: number
  /** count × 3; column 2 is the majority's odd-one-out. */
  indices: Int32Array
  /** count × 3 votes in pair order [p(01), p(02), p(12)] of the written columns. */
  soft: Float32Array
  /**
   * The mean over triplets and subjects of the agreement of a subject's vote with the majority of the others' (a tie
   * among the others' counts as a random pick among the tied, as for repeated triplets); null for one subject.
   */
  ceiling: number | null
  /** Triplets whose majority was tied between pairs, its odd-one-out drawn among them. */
  tied: number
}

/** Vote sums compare as equal within this (they are sums of 1, 1/2 and 1/3). */
const SAME_VOTES = 1e-9

/** How far subject s's vote (own, a pair's share of it in each of 3) agrees with the majority of the others (votes − own). */
function agreementWithOthers(votes: Float64Array, own: Float64Array, at: number): number {
  let best = -Infinity
  for (let q = 0; q < 3; q++) best = Math.max(best, votes[q]! - own[at + q]!)
  let tied = 0
  let agreed = 0
  for (let q = 0; q < 3; q++) {
    if (votes[q]! - own[at + q]! < best - SAME_VOTES) continue
    tied++
    agreed += own[at + q]!
  }
  return agreed / tied
}

/** At most this many objects: C(300, 3) ≈ 4.5 M triplets, the size of the THINGS data. */
export const DERIVE_MAX_OBJECTS = 300

/** How many triplets n objects make, C(n, 3). */
export const everyTripletCount = (n: number): number => (n * (n - 1) * (n - 2)) / 6

/** Every triplet of n objects from `subjects` n × n matrices (dissimilarities, or similarities when `similar`). */
export function deriveTriplets(matrices: ArrayLike<number>, subjects: number, n: number, similar: boolean): DerivedTriplets {
  if (n < 3) throw new RangeError('triplets need at least 3 objects')
  if (n > DERIVE_MAX_OBJECTS) throw new RangeError(`every triplet of ${n} objects is too many (at most ${DERIVE_MAX_OBJECTS} objects)`)
  const count = everyTripletCount(n)
  const indices = new Int32Array(count * 3)
  const soft = new Float32Array(count * 3)
  const sign = similar ? -1 : 1
  const votes = new Float64Array(3)
  // Each subject's vote in this triplet, a share per pair.
  const own = new Float64Array(subjects * 3)
  let agreement = 0
  let tied = 0
  const random = randomGenerator(0)
  const share = (value: number, low: number, lows: number) => (value === low ? 1 / lows : 0)
  // Scalars and typed arrays only: 4.5 M triplets × the subjects pass through here.
  let t = 0
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      for (let k = j + 1; k < n; k++) {
        let v0 = 0
        let v1 = 0
        let v2 = 0
        for (let s = 0; s < subjects; s++) {
          const base = s * n * n
          const a = sign * matrices[base + i * n + j]!
          const b = sign * matrices[base + i * n + k]!
          const c = sign * matrices[base + j * n + k]!
          const low = Math.min(a, b, c)
          const lows = (a === low ? 1 : 0) + (b === low ? 1 : 0) + (c === low ? 1 : 0)
          const at = 3 * s
          v0 += own[at] = share(a, low, lows)
          v1 += own[at + 1] = share(b, low, lows)
          v2 += own[at + 2] = share(c, low, lows)
        }
        votes[0] = v0
        votes[1] = v1
        votes[2] = v2
        if (subjects > 1) for (let s = 0; s < subjects; s++) agreement += agreementWithOthers(votes, own, 3 * s)
        const top = Math.max(v0, v1, v2)
        const l0 = v0 >= top - SAME_VOTES
        const l1 = v1 >= top - SAME_VOTES
        const l2 = v2 >= top - SAME_VOTES
        const leading = (l0 ? 1 : 0) + (l1 ? 1 : 0) + (l2 ? 1 : 0)
        // The pick-th of the tied pairs, in pair order.
        let pick = leading === 1 ? 0 : Math.floor(random() * leading)
        if (leading > 1) tied++
        const majority = l0 && pick-- === 0 ? 0 : l1 && pick-- === 0 ? 1 : 2
        // Columns (a, b, odd) with (a, b) the majority pair; the votes follow the columns' pair order.
        const o = 3 * t
        if (majority === 0) {
          indices[o] = i
          indices[o + 1] = j
          indices[o + 2] = k
        } else if (majority === 1) {
          indices[o] = i
          indices[o + 1] = k
          indices[o + 2] = j
        } else {
          indices[o] = j
          indices[o + 1] = k
          indices[o + 2] = i
        }
        soft[o] = votes[majority]! / subjects
        soft[o + 1] = (majority === 0 ? v1 : v0) / subjects
        soft[o + 2] = (majority === 2 ? v1 : v2) / subjects
        t++
      }
    }
  }
  return { count, indices, soft, ceiling: subjects > 1 ? agreement / (count * subjects) : null, tied }
}
