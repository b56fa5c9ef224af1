// Selecting and ordering triplets for the triplet browser: filters by agreement between the human and the models,
// by category, by level and by entropy, and sorts by a model's confidence or the entropy. Probabilities are in pair
// order [p(01), p(02), p(12)] (the pair judged most similar), so the odd-one-out of pair q is object 2 − q and the
// human's choice, column 2, is pair 0.
import { argsortFloat64 } from '../metrics/argsort'

export type Agreement = 'any' | 'allAgree' | 'someWrong' | 'allWrong' | 'modelsDisagree'
export type TripletSort = 'index' | 'confidence' | 'confidenceAsc' | 'entropy' | 'entropyAsc'

export interface TripletViewData {
  /** N × 3 object indices. */
  indices: Int32Array
  count: number
  /** One N × 3 array of pair probabilities per model. */
  models: Float32Array[]
  /** The human choice probabilities when the triplets carry soft labels. */
  soft: Float32Array | null
  /** A level (condition) code per triplet. */
  levels: Int32Array | null
}

export interface TripletFilter {
  agreement: Agreement
  /** Keep triplets with at least one object for which this is 1. */
  inCategory: Uint8Array | null
  level: number | null
  /** Bounds of the entropy (bits) of the reference distribution, inclusive. */
  entropy: [number, number] | null
  /** Keep triplets holding this object. */
  object: number | null
}

/** The odd-one-out (0, 1 or 2) a model's pair probabilities choose. */
export function modelChoice(probabilities: ArrayLike<number>, t: number): number {
  const [a, b, c] = [probabilities[3 * t]!, probabilities[3 * t + 1]!, probabilities[3 * t + 2]!]
  const pair = a >= b && a >= c ? 0 : b >= c ? 1 : 2
  return 2 - pair
}

/** Entropy in bits of three probabilities. */
export function entropyBits(probabilities: ArrayLike<number>, t: number): number {
  let h = 0
  for (let k = 0; k < 3; k++) {
    const p = probabilities[3 * t + k]!
    if (p > 0) h -= p * Math.log2(p)
  }
  return h
}

/** The distribution the entropy filter and sort use: the human soft labels when there are any, else the first model's. */
export function referenceDistribution(data: TripletViewData): Float32Array | null {
  return data.soft ?? data.models[0] ?? null
}

function agrees(data: TripletViewData, t: number, agreement: Agreement): boolean {
  if (agreement === 'any' || data.models.length === 0) return true
  let right = 0
  let first = -1
  let same = true
  for (const probabilities of data.models) {
    const choice = modelChoice(probabilities, t)
    if (choice === 2) right++
    if (first === -1) first = choice
    else if (choice !== first) same = false
  }
  switch (agreement) {
    case 'allAgree':
      return right === data.models.length
    case 'someWrong':
      return right < data.models.length
    case 'allWrong':
      return right === 0
    case 'modelsDisagree':
      return !same
  }
}

/** The indices of the triplets that pass the filter, in the requested order (ties by index). */
export function selectTriplets(data: TripletViewData, filter: TripletFilter, sort: TripletSort): Int32Array {
  const reference = referenceDistribution(data)
  const { indices, count } = data
  const kept = new Int32Array(count)
  let n = 0
  for (let t = 0; t < count; t++) {
    if (filter.object !== null && indices[3 * t] !== filter.object && indices[3 * t + 1] !== filter.object && indices[3 * t + 2] !== filter.object) continue
    if (filter.level !== null && data.levels && data.levels[t] !== filter.level) continue
    if (filter.inCategory && !filter.inCategory[indices[3 * t]!] && !filter.inCategory[indices[3 * t + 1]!] && !filter.inCategory[indices[3 * t + 2]!]) continue
    if (filter.entropy && reference) {
      const h = entropyBits(reference, t)
      if (h < filter.entropy[0] || h > filter.entropy[1]) continue
    }
    if (!agrees(data, t, filter.agreement)) continue
    kept[n++] = t
  }
  const selected = kept.slice(0, n)
  if (sort === 'index') return selected
  const byConfidence = sort === 'confidence' || sort === 'confidenceAsc'
  const source = byConfidence ? data.models[0] : reference
  if (!source) return selected
  const descending = sort === 'confidence' || sort === 'entropy'
  const keys = new Float64Array(n)
  for (let k = 0; k < n; k++) {
    const t = selected[k]!
    const value = byConfidence ? Math.max(source[3 * t]!, source[3 * t + 1]!, source[3 * t + 2]!) : entropyBits(source, t)
    keys[k] = descending ? -value : value
  }
  // The radix argsort is stable, so equal keys keep the index order.
  const order = argsortFloat64(keys)
  const out = new Int32Array(n)
  for (let k = 0; k < n; k++) out[k] = selected[order[k]!]!
  return out
}
