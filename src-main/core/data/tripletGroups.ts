// Triplets answered more than once: the same three objects, in any order, grouped together.
import { argsortFloat64 } from '../metrics/argsort'

export interface TripletGroups {
  /** Triplet positions ordered so that each group is contiguous. */
  order: Uint32Array
  /** Group g is order[bounds[g]] … order[bounds[g + 1] − 1]. */
  bounds: Int32Array
}

/** Groups `count` triplets (count × 3 object indices of n objects) by their set of objects. */
export function groupTriplets(indices: Int32Array, count: number, n: number): TripletGroups {
  if (n > 131_072) throw new RangeError('grouping repeated triplets supports up to 131,072 objects')
  // The set {i, j, k} as one number (sorted, base n), exact in float64 for n up to 2^17.
  const keys = new Float64Array(count)
  for (let t = 0; t < count; t++) {
    let [a, b, c] = [indices[3 * t]!, indices[3 * t + 1]!, indices[3 * t + 2]!]
    if (a > b) [a, b] = [b, a]
    if (b > c) [b, c] = [c, b]
    if (a > b) [a, b] = [b, a]
    keys[t] = (a * n + b) * n + c
  }
  const order = argsortFloat64(keys)
  const bounds: number[] = [0]
  for (let q = 1; q < count; q++) if (keys[order[q]!] !== keys[order[q - 1]!]) bounds.push(q)
  bounds.push(count)
  return { order, bounds: Int32Array.from(bounds) }
}
