// Zero-shot odd-one-out accuracy of a representation on human triplets (Muttenthaler et al., ICLR 2023): the
// model's odd-one-out is the item outside its most similar pair; ties count as wrong. With the choice
// probabilities softmax([s_ij, s_ik, s_jk] / τ) come each triplet's entropy (the model's uncertainty) and its
// rank correlation with human response times.
import { spearman } from './correlation'
import { fitTemperature } from './temperatureFit'

export type SimilarityKind = 'dot' | 'cosine' | 'euclidean'

export interface OddOneOutOptions {
  /** Per-triplet level/condition codes and their names. */
  levels?: { codes: Int32Array; names: string[] }
  /** Category membership of the objects (n × categories) and the categories' names. */
  categories?: { membership: Uint8Array; names: string[] }
  /** Response times, one per triplet, for the entropy–RT correlation. */
  rt?: Float32Array
  /** τ of the choice probabilities (1 by default), or 'fit': the τ that fits the human choices best. */
  temperature?: number | 'fit'
  /** With response times: how many (entropy, RT) points to return for a scatter plot, evenly spaced. */
  scatterPoints?: number
}

export interface Accuracy {
  accuracy: number
  correct: number
  total: number
  /** 95% Wilson score interval of the proportion (binomial over triplets). */
  ci95: [number, number] | null
}

const Z95 = 1.959963984540054

/** The Wilson score interval: well behaved for small counts and proportions near 0 or 1. */
export function wilsonInterval(correct: number, total: number): [number, number] | null {
  if (total === 0) return null
  const p = correct / total
  const z2 = Z95 * Z95
  const denominator = 1 + z2 / total
  const centre = (p + z2 / (2 * total)) / denominator
  const half = (Z95 * Math.sqrt((p * (1 - p)) / total + z2 / (4 * total * total))) / denominator
  return [Math.max(0, centre - half), Math.min(1, centre + half)]
}

export interface OddOneOutResult extends Accuracy {
  perLevel: Record<string, Accuracy> | null
  perCategory: Record<string, Accuracy> | null
  meanEntropy: number
  entropyRtSpearman: number | null
  /** Evenly spaced (entropy, response time) pairs, when response times were given. */
  entropyRtPoints: [number, number][] | null
  /** The τ used; null when fitted and no τ beats chance (the probabilities are then uniform). */
  temperature: number | null
  temperatureFitted: boolean
}

/**
 * `pairs`: the three similarities of each triplet, [s_ij, s_ik, s_jk], where column 2 of the triplet (k) is the
 * human's odd-one-out, so the model agrees when s_ij is strictly the largest.
 */
export function oddOneOutAccuracy(pairs: Float32Array | Float64Array, triplets: Int32Array, n: number, options: OddOneOutOptions = {}): OddOneOutResult {
  const count = pairs.length / 3
  if (triplets.length !== count * 3) throw new RangeError(`${triplets.length / 3} triplets but ${count} similarity rows`)
  const fitted = options.temperature === 'fit' ? fitTemperature(pairs).temperature : null
  // An infinite τ makes every triplet's probabilities uniform: what a model no better than chance says.
  const temperature = options.temperature === 'fit' ? (fitted ?? Infinity) : (options.temperature ?? 1)
  const entropy = new Float64Array(count)
  const correct = new Uint8Array(count)
  let hits = 0
  let entropySum = 0
  for (let t = 0; t < count; t++) {
    const a = pairs[3 * t]!
    const b = pairs[3 * t + 1]!
    const c = pairs[3 * t + 2]!
    if (a > b && a > c) {
      correct[t] = 1
      hits++
    }
    const m = Math.max(a, b, c) / temperature
    const [da, db, dc] = [a / temperature - m, b / temperature - m, c / temperature - m]
    const [ea, eb, ec] = [Math.exp(da), Math.exp(db), Math.exp(dc)]
    const z = ea + eb + ec
    // −Σ p log p with log p = d − log z: one logarithm a triplet; a p that underflows to 0 adds 0.
    const h = Math.log(z) - ((ea > 0 ? ea * da : 0) + (eb > 0 ? eb * db : 0) + (ec > 0 ? ec * dc : 0)) / z
    entropy[t] = h
    entropySum += h
  }
  const group = (test: (t: number) => string | null, names: string[]): Record<string, Accuracy> => {
    const tally = new Map<string, { correct: number; total: number }>(names.map((name) => [name, { correct: 0, total: 0 }]))
    for (let t = 0; t < count; t++) {
      const key = test(t)
      if (key === null) continue
      const entry = tally.get(key)!
      entry.total++
      entry.correct += correct[t]!
    }
    return Object.fromEntries([...tally].map(([k, v]) => [k, { ...v, accuracy: v.total ? v.correct / v.total : NaN, ci95: wilsonInterval(v.correct, v.total) }]))
  }
  const perLevel = options.levels ? group((t) => options.levels!.names[options.levels!.codes[t]!] ?? null, options.levels.names) : null
  let perCategory: Record<string, Accuracy> | null = null
  if (options.categories) {
    const { membership, names } = options.categories
    const c = names.length
    if (membership.length !== n * c) throw new RangeError(`category membership is ${membership.length / Math.max(c, 1)} × ${c}, but there are ${n} objects`)
    perCategory = {}
    for (let j = 0; j < c; j++) {
      // A triplet belongs to a category when all three of its objects do.
      Object.assign(perCategory, group((t) => (membership[triplets[3 * t]! * c + j] && membership[triplets[3 * t + 1]! * c + j] && membership[triplets[3 * t + 2]! * c + j] ? names[j]! : null), [names[j]!]))
    }
  }
  let entropyRtSpearman: number | null = null
  let entropyRtPoints: [number, number][] | null = null
  if (options.rt) {
    const rt = options.rt
    if (rt.length !== count) throw new RangeError(`${rt.length} response times for ${count} triplets`)
    // Uniform probabilities (no fitted τ) make every entropy ln 3: no correlation to speak of.
    const r = spearman(entropy, rt)
    entropyRtSpearman = Number.isNaN(r) ? null : r
    const points = Math.min(count, options.scatterPoints ?? 0)
    entropyRtPoints = Array.from({ length: points }, (_, k) => {
      const t = Math.floor((k * count) / points)
      return [entropy[t]!, rt[t]!] as [number, number]
    })
  }
  return { accuracy: hits / count, correct: hits, total: count, ci95: wilsonInterval(hits, count), perLevel, perCategory, meanEntropy: entropySum / count, entropyRtSpearman, entropyRtPoints, temperature: Number.isFinite(temperature) ? temperature : null, temperatureFitted: options.temperature === 'fit' }
}
