// AligNet's synthetic triplets, drawn from clusters of a teacher's representation (DESIGN §4): "between" — two
// images from one cluster and one from another (the paper's default), "within" — all three from one cluster,
// "border" — two from a cluster and one from its nearest cluster. No triplet (as a set of three images) twice.
import { randomGenerator } from '../data/simulate'

export const SAMPLING_MODES = ['between', 'within', 'border'] as const
export type SamplingMode = (typeof SAMPLING_MODES)[number]

export interface SamplingOptions {
  mode: SamplingMode
  count: number
  seed: number
  /** border: for each cluster, its nearest other cluster. */
  nearest?: Int32Array
}

/** The members of each cluster. */
function members(labels: Int32Array, k: number): number[][] {
  const out = Array.from({ length: k }, () => [] as number[])
  labels.forEach((c, i) => out[c]!.push(i))
  return out
}

/** The nearest other cluster of each, by squared distance between centroids (k × p). */
export function nearestClusters(centroids: Float32Array, k: number, p: number): Int32Array {
  return Int32Array.from({ length: k }, (_, a) => {
    let best = -1
    let bestDistance = Infinity
    for (let b = 0; b < k; b++) {
      if (b === a) continue
      let d = 0
      for (let dim = 0; dim < p; dim++) d += (centroids[a * p + dim]! - centroids[b * p + dim]!) ** 2
      if (d < bestDistance) [best, bestDistance] = [b, d]
    }
    return best
  })
}

/** count × 3 image indices; in "between" and "border" triplets the image from the other cluster is last. */
export function sampleTriplets(labels: Int32Array, k: number, options: SamplingOptions): Int32Array {
  const random = randomGenerator(options.seed)
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)]!
  const groups = members(labels, k)
  const withAtLeast = (size: number) => groups.flatMap((g, c) => (g.length >= size ? [c] : []))
  const [others, pairs, triples] = [withAtLeast(1), withAtLeast(2), withAtLeast(3)]
  if (options.mode === 'within' && !triples.length) throw new RangeError('"within" triplets need a cluster of at least three images')
  if (options.mode !== 'within' && (!pairs.length || others.length < 2)) throw new RangeError(`"${options.mode}" triplets need two clusters, one of at least two images`)
  if (options.mode === 'border' && !options.nearest) throw new RangeError('"border" triplets need each cluster\'s nearest cluster')
  const seen = new Set<string>()
  const out = new Int32Array(options.count * 3)
  let made = 0
  let misses = 0
  /** Two different members of a cluster. */
  const two = (c: number): [number, number] => {
    const g = groups[c]!
    const i = Math.floor(random() * g.length)
    let j = Math.floor(random() * (g.length - 1))
    if (j >= i) j++
    return [g[i]!, g[j]!]
  }
  while (made < options.count) {
    let t: [number, number, number]
    if (options.mode === 'within') {
      const c = pick(triples)
      const [a, b] = two(c)
      let d = a
      while (d === a || d === b) d = pick(groups[c]!)
      t = [a, b, d]
    } else {
      const c = pick(pairs)
      const [a, b] = two(c)
      let other = options.mode === 'border' ? options.nearest![c]! : c
      while (other === c || !groups[other]!.length) other = pick(others)
      t = [a, b, pick(groups[other]!)]
    }
    const key = [...t].sort((x, y) => x - y).join(',')
    if (seen.has(key)) {
      // Give up when nearly every draw is a repeat: fewer distinct triplets exist than were asked for.
      if (++misses > 1000 + 20 * options.count) throw new RangeError(`only ${made} distinct "${options.mode}" triplets could be drawn from these clusters; ask for fewer`)
      continue
    }
    seen.add(key)
    out.set(t, 3 * made++)
  }
  return out
}

export interface TeacherLabels {
  /** count × 3: [s01, s02, s12], the teacher's similarities of the triplet's pairs. */
  similarities: Float32Array
  /** count × 3 the triplet reordered so that the teacher's odd one out is last (AligNet's filenames order). */
  ordered: Int32Array
}

/**
 * Labels triplets with a teacher: its (transformed) features' dot products for the three pairs, and the odd one
 * out (outside the most similar pair). `similarities` follow the reordered triplet.
 */
export function labelTriplets(z: Float32Array, q: number, triplets: Int32Array): TeacherLabels {
  const count = triplets.length / 3
  const similarities = new Float32Array(count * 3)
  const ordered = new Int32Array(count * 3)
  const dot = (a: number, b: number) => {
    let s = 0
    for (let d = 0; d < q; d++) s += z[a * q + d]! * z[b * q + d]!
    return s
  }
  for (let t = 0; t < count; t++) {
    const [a, b, c] = [triplets[3 * t]!, triplets[3 * t + 1]!, triplets[3 * t + 2]!]
    const [ab, ac, bc] = [dot(a, b), dot(a, c), dot(b, c)]
    // The most similar pair first; the odd one out last: [x, y, odd] with [s_xy, s_x,odd, s_y,odd].
    const [order, sims] = ab >= ac && ab >= bc ? [[a, b, c], [ab, ac, bc]] : ac >= bc ? [[a, c, b], [ac, ab, bc]] : [[b, c, a], [bc, ab, ac]]
    ordered.set(order, 3 * t)
    similarities.set(sims, 3 * t)
  }
  return { similarities, ordered }
}

/** The teacher's choice probabilities softmax([s01, s02, s12]) per triplet (τ = 1, as AligNet's released code). */
export function teacherProbabilities(similarities: Float32Array): Float32Array {
  const out = new Float32Array(similarities.length)
  for (let t = 0; t < similarities.length; t += 3) {
    const m = Math.max(similarities[t]!, similarities[t + 1]!, similarities[t + 2]!)
    const e = [0, 1, 2].map((c) => Math.exp(similarities[t + c]! - m))
    const z = e[0]! + e[1]! + e[2]!
    for (let c = 0; c < 3; c++) out[t + c] = e[c]! / z
  }
  return out
}
