// Soft labels from the people themselves: when triplets were answered several times, each set of three objects
// becomes one triplet whose labels are the observed choice frequencies (the soft objective's q).
import { groupTriplets } from '../data/tripletGroups'
import type { Triplets } from './objective'

export interface ResponseFrequencies {
  /** One per distinct set, the most frequent odd one out last; soft labels in pair order [(0,1), (0,2), (1,2)]. */
  triplets: Triplets
  /** Sets answered more than once. */
  repeated: number
}

export function responseFrequencies(indices: Int32Array, count: number, n: number): ResponseFrequencies {
  const { order, bounds } = groupTriplets(indices, count, n)
  const sets = bounds.length - 1
  const out = new Int32Array(sets * 3)
  const soft = new Float32Array(sets * 3)
  let repeated = 0
  for (let g = 0; g < sets; g++) {
    const [start, end] = [bounds[g]!, bounds[g + 1]!]
    if (end - start > 1) repeated++
    const first = 3 * order[start]!
    const objects = [indices[first]!, indices[first + 1]!, indices[first + 2]!].sort((a, b) => a - b)
    const chosen = objects.map((o) => {
      let times = 0
      for (let q = start; q < end; q++) if (indices[3 * order[q]! + 2] === o) times++
      return times / (end - start)
    })
    // The most frequent odd one out goes last (ties: the lower index), so pair 0 is the majority's pair.
    const odd = chosen.indexOf(Math.max(...chosen))
    const [x, y] = [0, 1, 2].filter((c) => c !== odd) as [number, number]
    out.set([objects[x]!, objects[y]!, objects[odd]!], 3 * g)
    // p(x, y most similar) = p(odd chosen); p(x, odd) = p(y chosen); p(y, odd) = p(x chosen).
    soft.set([chosen[odd]!, chosen[y]!, chosen[x]!], 3 * g)
  }
  return { triplets: { indices: out, count: sets, soft }, repeated }
}

/**
 * The triplets a probe trains on: as given, with their soft labels when the objective is soft — or, for the soft
 * objective without labels, the response frequencies of repeated triplets. `what` names the triplets in messages.
 */
export function trainingTriplets(indices: Int32Array, n: number, soft: Float32Array | null, objective: string, what: string): { triplets: Triplets; softLabelsFrom: string | null } {
  const count = indices.length / 3
  if (objective !== 'soft' || soft) return { triplets: { indices, count, soft }, softLabelsFrom: soft && objective === 'soft' ? 'the soft labels' : null }
  const frequencies = responseFrequencies(indices, count, n)
  if (frequencies.repeated === 0) {
    throw new RangeError(`${what} has no soft labels and no triplet answered more than once; the soft objective needs one or the other (simulate triplets, or import with soft labels), or choose the hard objective.`)
  }
  return {
    triplets: frequencies.triplets,
    softLabelsFrom: `response frequencies of ${frequencies.triplets.count} sets of objects (${frequencies.repeated} answered more than once)`,
  }
}
