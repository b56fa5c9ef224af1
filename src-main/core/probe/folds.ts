// The ICLR-2023 cross-validation protocol: objects (not triplets) are split into k folds; a triplet belongs to
// a fold only when all three of its objects do, so no object of a test triplet is ever seen in training.
import { randomGenerator } from '../data/simulate'
import type { Triplets } from './objective'

/** fold[o] for each of n objects: a seeded shuffle dealt round-robin into k folds (sizes differ by at most one). */
export function objectFolds(n: number, k: number, seed: number): Int32Array {
  if (k < 2 || k > n) throw new RangeError(`cross-validation needs between 2 and ${n} folds`)
  const random = randomGenerator(seed)
  const order = Int32Array.from({ length: n }, (_, i) => i)
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[order[i], order[j]] = [order[j]!, order[i]!]
  }
  const fold = new Int32Array(n)
  order.forEach((o, position) => (fold[o] = position % k))
  return fold
}

/** The triplets at positions `ids`, with their soft labels. */
export function subsetTriplets(triplets: Triplets, ids: ArrayLike<number>): Triplets {
  const indices = new Int32Array(ids.length * 3)
  const soft = triplets.soft ? new Float32Array(ids.length * 3) : null
  for (let c = 0; c < ids.length; c++) {
    const t = ids[c]!
    indices.set(triplets.indices.subarray(3 * t, 3 * t + 3), 3 * c)
    soft?.set(triplets.soft!.subarray(3 * t, 3 * t + 3), 3 * c)
  }
  return { indices, count: ids.length, soft }
}

/** The triplets whose three objects all satisfy `keep`. */
export function selectTriplets(triplets: Triplets, keep: (object: number) => boolean): Triplets {
  const chosen: number[] = []
  for (let t = 0; t < triplets.count; t++) {
    if (keep(triplets.indices[3 * t]!) && keep(triplets.indices[3 * t + 1]!) && keep(triplets.indices[3 * t + 2]!)) chosen.push(t)
  }
  return subsetTriplets(triplets, chosen)
}

/** Training and test triplets of one fold: test = all three objects in the fold, training = none of them. */
export function foldSplit(triplets: Triplets, fold: Int32Array, held: number): { train: Triplets; test: Triplets; trainObjects: Int32Array } {
  const trainObjects: number[] = []
  fold.forEach((f, o) => f !== held && trainObjects.push(o))
  return {
    train: selectTriplets(triplets, (o) => fold[o] !== held),
    test: selectTriplets(triplets, (o) => fold[o] === held),
    trainObjects: Int32Array.from(trainObjects),
  }
}

/** A seeded split of triplets into training and validation (for early stopping). */
export function validationSplit(triplets: Triplets, fraction: number, seed: number): { train: Triplets; validation: Triplets } {
  const random = randomGenerator(seed)
  const train: number[] = []
  const validation: number[] = []
  for (let t = 0; t < triplets.count; t++) (random() < fraction ? validation : train).push(t)
  return { train: subsetTriplets(triplets, train), validation: subsetTriplets(triplets, validation) }
}
