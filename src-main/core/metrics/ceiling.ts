// Noise ceilings. RDMs of several subjects (Nili et al. 2014): upper = mean over subjects of r(subject, mean of
// all); lower = mean of r(subject, mean of the others). Triplets answered by several people: leave-one-out
// agreement of each response with the majority of the other responses to the same triplet.
import { CORRELATIONS, type CorrelationMethod } from './correlation'
import { upperTriangle } from './rdm'

export interface RdmCeiling {
  lower: number
  upper: number
  subjects: number
  method: CorrelationMethod
}

/** `rdms`: subjects × n × n. */
export function rdmNoiseCeiling(rdms: Float64Array, subjects: number, n: number, method: CorrelationMethod): RdmCeiling {
  if (subjects < 2) throw new RangeError('a noise ceiling needs RDMs from at least two subjects')
  const correlate = CORRELATIONS[method]
  const vectors = Array.from({ length: subjects }, (_, s) => upperTriangle(rdms.subarray(s * n * n, (s + 1) * n * n), n))
  const length = vectors[0]!.length
  const sum = new Float64Array(length)
  for (const v of vectors) for (let i = 0; i < length; i++) sum[i]! += v[i]!
  let upper = 0
  let lower = 0
  const others = new Float64Array(length)
  for (const v of vectors) {
    const all = Float64Array.from(sum, (x) => x / subjects)
    upper += correlate(v, all)
    for (let i = 0; i < length; i++) others[i] = (sum[i]! - v[i]!) / (subjects - 1)
    lower += correlate(v, others)
  }
  return { lower: lower / subjects, upper: upper / subjects, subjects, method }
}
