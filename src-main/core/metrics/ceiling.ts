// Noise ceilings. RDMs of several subjects (Nili et al. 2014): upper = mean over subjects of r(subject, mean of
// all); lower = mean of r(subject, mean of the others), each mean taken over the subjects' dissimilarities in the
// form whose mean best fits them under r — ranked for Spearman and Kendall's tau-a, z-scored for Pearson — as the
// RSA toolbox's ceilingAvgRDMcorr (MATLAB) and pool_rdm (rsatoolbox) do. Triplets answered by several people:
// leave-one-out agreement of each response with the majority of the other responses to the same triplet.
import { averageRanks, CORRELATIONS, type CorrelationMethod } from './correlation'
import { groupTriplets } from '../data/tripletGroups'
import { upperTriangle } from './rdm'

export interface RdmCeiling {
  lower: number
  upper: number
  subjects: number
  method: CorrelationMethod
}

/**
 * A subject's dissimilarities as the ceiling averages them. r is unchanged by the transform (ranks for rank
 * correlations; a shift and a scale for Pearson), but the mean of the transformed is the RDM with the highest mean
 * r: the mean of the raw dissimilarities is not, and would put the upper bound low. A constant RDM stays as it is
 * (its r is undefined either way).
 */
function pooledForm(v: Float64Array, method: CorrelationMethod): Float64Array {
  if (method !== 'pearson') return averageRanks(v)
  let mean = 0
  for (const x of v) mean += x / v.length
  let squares = 0
  for (const x of v) squares += (x - mean) ** 2
  const sd = Math.sqrt(squares / v.length)
  return sd > 0 ? v.map((x) => (x - mean) / sd) : v
}

/** `rdms`: subjects × n × n. */
export function rdmNoiseCeiling(rdms: Float64Array, subjects: number, n: number, method: CorrelationMethod): RdmCeiling {
  if (subjects < 2) throw new RangeError('a noise ceiling needs RDMs from at least two subjects')
  const correlate = CORRELATIONS[method]
  const vectors = Array.from({ length: subjects }, (_, s) => pooledForm(upperTriangle(rdms.subarray(s * n * n, (s + 1) * n * n), n), method))
  const length = vectors[0]!.length
  const sum = new Float64Array(length)
  for (const v of vectors) for (let i = 0; i < length; i++) sum[i]! += v[i]!
  let upper = 0
  let lower = 0
  const all = sum.map((x) => x / subjects)
  const others = new Float64Array(length)
  for (const v of vectors) {
    upper += correlate(v, all)
    for (let i = 0; i < length; i++) others[i] = (sum[i]! - v[i]!) / (subjects - 1)
    lower += correlate(v, others)
  }
  return { lower: lower / subjects, upper: upper / subjects, subjects, method }
}

export interface TripletCeiling {
  /** Mean leave-one-out agreement over the responses to repeated triplets; null when no triplet repeats. */
  ceiling: number | null
  /** Distinct triplets answered more than once, and the responses to them. */
  repeatedTriplets: number
  responses: number
}

/**
 * The noise ceiling of triplet judgments (Hebart et al. 2020): for each response to a triplet that several
 * people answered, whether it agrees with the majority choice of the other responses to the same three objects
 * (in any order). A tie among the others' choices counts as a random pick among the tied (1/t when the response
 * is one of t tied choices). `indices`: count × 3, the odd one out last.
 */
export function tripletNoiseCeiling(indices: Int32Array, count: number, n: number): TripletCeiling {
  const { order, bounds } = groupTriplets(indices, count, n)
  let agreement = 0
  let responses = 0
  let repeated = 0
  for (let g = 0; g + 1 < bounds.length; g++) {
    const [start, end] = [bounds[g]!, bounds[g + 1]!]
    if (end - start < 2) continue
    repeated++
    const choices = new Map<number, number>()
    for (let q = start; q < end; q++) {
      const odd = indices[3 * order[q]! + 2]!
      choices.set(odd, (choices.get(odd) ?? 0) + 1)
    }
    for (let q = start; q < end; q++) {
      const own = indices[3 * order[q]! + 2]!
      // The others' counts: this response removed.
      let best = 0
      let tied = 0
      for (const [choice, times] of choices) {
        const others = choice === own ? times - 1 : times
        if (others > best) [best, tied] = [others, 1]
        else if (others === best) tied++
      }
      if (choices.get(own)! - 1 === best) agreement += 1 / tied
      responses++
    }
  }
  return { ceiling: responses ? agreement / responses : null, repeatedTriplets: repeated, responses }
}
