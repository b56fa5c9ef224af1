// Downstream classification of a representation on a labelled image set (AligNet's before/after evaluation):
// one-shot accuracy — one random exemplar per class as its prototype, the other images assigned to the most
// cosine-similar prototype, averaged over draws — and leave-one-out nearest-class-mean accuracy, a linear
// classifier with no hyperparameters (each image against the cosine means of the classes without it).
import { randomGenerator } from '../data/simulate'

/** Rows scaled to unit length (zero rows stay zero). */
function unitRows(x: Float32Array, n: number, p: number): Float64Array {
  const out = new Float64Array(n * p)
  for (let i = 0; i < n; i++) {
    let norm = 0
    for (let d = 0; d < p; d++) norm += x[i * p + d]! ** 2
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0
    for (let d = 0; d < p; d++) out[i * p + d] = x[i * p + d]! * scale
  }
  return out
}

function dot(a: Float64Array, i: number, b: Float64Array, j: number, p: number): number {
  let s = 0
  for (let d = 0; d < p; d++) s += a[i * p + d]! * b[j * p + d]!
  return s
}

/** Class index per image and the members of each class; classes with a single image cannot be tested. */
function classes(labels: string[]): { of: Int32Array; members: number[][]; names: string[] } {
  const names = [...new Set(labels)]
  const index = new Map(names.map((name, c) => [name, c]))
  const of = Int32Array.from(labels, (l) => index.get(l)!)
  const members = names.map(() => [] as number[])
  of.forEach((c, i) => members[c]!.push(i))
  return { of, members, names }
}

function checkLabels(labels: string[], n: number): void {
  if (labels.length !== n) throw new RangeError(`there are ${labels.length} labels for ${n} images`)
  if (new Set(labels).size < 2) throw new RangeError('classification needs at least two classes')
}

/** Mean accuracy over `draws` one-shot tasks (classes with one image only serve as distractor prototypes). */
export function oneShotAccuracy(x: Float32Array, n: number, p: number, labels: string[], draws = 100, seed = 0): number {
  checkLabels(labels, n)
  const z = unitRows(x, n, p)
  const { of, members } = classes(labels)
  const random = randomGenerator(seed)
  let total = 0
  for (let draw = 0; draw < draws; draw++) {
    const prototypes = members.map((m) => m[Math.floor(random() * m.length)]!)
    const isPrototype = new Set(prototypes)
    let correct = 0
    let tested = 0
    for (let i = 0; i < n; i++) {
      if (isPrototype.has(i)) continue
      let best = -1
      let bestSimilarity = -Infinity
      prototypes.forEach((j, c) => {
        const s = dot(z, i, z, j, p)
        if (s > bestSimilarity) [best, bestSimilarity] = [c, s]
      })
      tested++
      if (best === of[i]) correct++
    }
    total += tested ? correct / tested : 0
  }
  return total / draws
}

/** Leave-one-out accuracy of the nearest class mean (cosine), over the images whose class has another member. */
export function nearestClassMeanAccuracy(x: Float32Array, n: number, p: number, labels: string[]): number {
  checkLabels(labels, n)
  const z = unitRows(x, n, p)
  const { of, members } = classes(labels)
  const k = members.length
  const sums = new Float64Array(k * p)
  for (let i = 0; i < n; i++) for (let d = 0; d < p; d++) sums[of[i]! * p + d]! += z[i * p + d]!
  const mean = new Float64Array(p)
  let correct = 0
  let tested = 0
  for (let i = 0; i < n; i++) {
    const own = of[i]!
    if (members[own]!.length < 2) continue
    let best = -1
    let bestSimilarity = -Infinity
    for (let c = 0; c < k; c++) {
      const size = members[c]!.length - (c === own ? 1 : 0)
      if (size === 0) continue
      let norm = 0
      for (let d = 0; d < p; d++) {
        mean[d] = (sums[c * p + d]! - (c === own ? z[i * p + d]! : 0)) / size
        norm += mean[d]! ** 2
      }
      const s = norm > 0 ? dot(z, i, mean, 0, p) / Math.sqrt(norm) : 0
      if (s > bestSimilarity) [best, bestSimilarity] = [c, s]
    }
    tested++
    if (best === own) correct++
  }
  return tested ? correct / tested : 0
}
