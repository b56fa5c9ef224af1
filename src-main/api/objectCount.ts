// How many objects a dataset describes, and default choices of two datasets of the same objects: for the window's
// forms, where no other pair can be evaluated.
import type { DatasetInfo } from './contract'

/** How many objects a dataset describes (rows of features, the side of matrices, images, concepts, triplets' objects). */
export function objectCount(d: DatasetInfo): number {
  if (d.kind === 'features') return d.shape[0]!
  if (d.kind === 'similarity') return d.shape[d.shape.length - 1]!
  if (d.kind === 'triplets') return Number(d.meta.objects)
  return Number(d.meta.n ?? (Array.isArray(d.meta.ids) ? d.meta.ids.length : NaN))
}

/**
 * Two choices that describe the same objects (features and their triplets, two representations to compare): a and b
 * as they are while both lists hold them; else the first pair of equal object counts, keeping whichever of a and b is
 * still there if it fits one (a pair of different counts cannot be evaluated, so a fitting pair wins over a kept
 * choice), else features against similarity matrices (a model against human data), else the first; else the first of each. `distinct`: b other than a, where both come from one list.
 */
export function sameObjectsPair(left: DatasetInfo[], right: DatasetInfo[], a: number | '', b: number | '', distinct = true): { a: number | ''; b: number | '' } {
  const keptA = left.find((d) => d.id === a)
  const keptB = right.find((d) => d.id === b)
  if (keptA && keptB) return { a, b }
  const fits = (x: DatasetInfo, y: DatasetInfo) => objectCount(x) === objectCount(y) && !(distinct && x.id === y.id)
  const pairs = left.flatMap((x) => right.filter((y) => fits(x, y)).map((y) => ({ x, y })))
  // From one list of representations (RSA, GW), a model's features against human matrices first.
  const modelAndHuman = pairs.find((p) => p.x.kind === 'features' && p.y.kind === 'similarity')
  const pair = pairs.find((p) => p.x === keptA) ?? pairs.find((p) => p.y === keptB) ?? modelAndHuman ?? pairs[0]
  if (pair) return { a: pair.x.id, b: pair.y.id }
  const x = keptA ?? left[0]
  return { a: x?.id ?? '', b: keptB?.id ?? (right.find((d) => !distinct || d.id !== x?.id) ?? right[0])?.id ?? '' }
}
