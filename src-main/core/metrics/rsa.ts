// RSA: compare two RDMs over their upper triangles, with a bootstrap over objects for a 95% interval and a
// permutation test over object labels for a p-value (Nili et al. 2014; rsatoolbox's conventions).
import { argsortFloat64 } from './argsort'
import { CORRELATIONS, pearson, ranksInOrder, type CorrelationMethod } from './correlation'
import { upperTriangle } from './rdm'

export interface RsaResult {
  method: CorrelationMethod
  r: number
  n: number
  pairs: number
  ci95: [number, number] | null
  bootstrap: number
  p: number | null
  permutations: number
}

export interface RsaOptions {
  method: CorrelationMethod
  bootstrap?: number
  permutations?: number
  seed?: number
  random?: () => number
}

/** A small seeded generator for resampling (mulberry32): results repeat for a seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function quantile(sorted: number[], q: number): number {
  const at = (sorted.length - 1) * q
  const lo = Math.floor(at)
  const hi = Math.ceil(at)
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo)
}

/** Pair (i, j) of a resample appears count(i)·count(j) times. */
function pairWeights(counts: Float64Array, pairsI: Uint32Array, pairsJ: Uint32Array, w: Float64Array): void {
  for (let k = 0; k < w.length; k++) w[k] = counts[pairsI[k]!]! * counts[pairsJ[k]!]!
}

function weightedPearson(x: Float64Array, y: Float64Array, w: Float64Array): number {
  let sw = 0
  let mx = 0
  let my = 0
  for (let k = 0; k < w.length; k++) {
    const wk = w[k]!
    sw += wk
    mx += wk * x[k]!
    my += wk * y[k]!
  }
  mx /= sw
  my /= sw
  let sxy = 0
  let sxx = 0
  let syy = 0
  for (let k = 0; k < w.length; k++) {
    const wk = w[k]!
    const dx = x[k]! - mx
    const dy = y[k]! - my
    sxy += wk * dx * dy
    sxx += wk * dx * dx
    syy += wk * dy * dy
  }
  return sxx === 0 || syy === 0 ? NaN : sxy / Math.sqrt(sxx * syy)
}

/**
 * Spearman of resampled RDMs without sorting per resample. Pairs are laid out once in the order of a's values
 * and once in the order of b's, with their objects and tie groups, so each resample is three sequential passes
 * (weights and cumulative weights give the average ranks of the multiset) and one gather from b's ranks.
 */
class WeightedSpearman {
  private readonly ia: Uint16Array
  private readonly ja: Uint16Array
  private readonly ib: Uint16Array
  private readonly jb: Uint16Array
  /** 1 where a pair's value equals the previous one's in that order (same tie group); null without ties. */
  private readonly tieA: Uint8Array | null
  private readonly tieB: Uint8Array | null
  /** For each position in a's order, the same pair's position in b's order. */
  private readonly toB: Uint32Array
  // Weights are small whole numbers and the centred half-integer ranks stay exact in float32 up to 2²³ pairs
  // (about 4,000 objects; beyond, they round to 1 part in 10⁷). Float32 halves each resample's memory traffic.
  private readonly wa: Float32Array
  private readonly ra: Float32Array
  private readonly rb: Float32Array

  /** `sa`, `sb`: the orders of va's and vb's values (argsortFloat64's). */
  constructor(va: Float64Array, vb: Float64Array, sa: Uint32Array, sb: Uint32Array, pairsI: Uint32Array, pairsJ: Uint32Array) {
    const p = va.length
    const positionInB = new Uint32Array(p)
    for (let q = 0; q < p; q++) positionInB[sb[q]!] = q
    // Plain loops: TypedArray.from with a mapping function costs about a second over THINGS' 1.7 M pairs.
    const objects = (sorted: Uint32Array, of: Uint32Array) => {
      const out = new Uint16Array(p)
      for (let q = 0; q < p; q++) out[q] = of[sorted[q]!]!
      return out
    }
    this.ia = objects(sa, pairsI)
    this.ja = objects(sa, pairsJ)
    this.ib = objects(sb, pairsI)
    this.jb = objects(sb, pairsJ)
    const ties = (values: Float64Array, sorted: Uint32Array) => {
      const flags = new Uint8Array(p)
      let any = false
      for (let q = 1; q < p; q++) {
        if (values[sorted[q]!] === values[sorted[q - 1]!]) flags[q] = 1
        any ||= flags[q] === 1
      }
      return any ? flags : null
    }
    this.tieA = ties(va, sa)
    this.tieB = ties(vb, sb)
    this.toB = new Uint32Array(p)
    for (let q = 0; q < p; q++) this.toB[q] = positionInB[sa[q]!]!
    this.wa = new Float32Array(p)
    this.ra = new Float32Array(p)
    this.rb = new Float32Array(p)
  }

  /** Average ranks in one order, centred on their weighted mean (total + 1) / 2, for this resample's weights. */
  private static ranks(counts: Float64Array, total: number, i: Uint16Array, j: Uint16Array, tie: Uint8Array | null, w: Float32Array | null, out: Float32Array): void {
    const p = i.length
    const mean = (total + 1) / 2
    let before = 0
    if (!tie) {
      // No ties: each pair is its own group. (Two loops, so the hot one has no branch.)
      if (w) {
        for (let q = 0; q < p; q++) {
          const wt = counts[i[q]!]! * counts[j[q]!]!
          w[q] = wt
          out[q] = before + (wt + 1) / 2 - mean
          before += wt
        }
      } else {
        for (let q = 0; q < p; q++) {
          const wt = counts[i[q]!]! * counts[j[q]!]!
          out[q] = before + (wt + 1) / 2 - mean
          before += wt
        }
      }
      return
    }
    for (let q = 0; q < p; ) {
      let end = q + 1
      while (end < p && tie[end] === 1) end++
      let weight = 0
      for (let t = q; t < end; t++) {
        const wt = counts[i[t]!]! * counts[j[t]!]!
        if (w) w[t] = wt
        weight += wt
      }
      const rank = before + (weight + 1) / 2 - mean
      for (let t = q; t < end; t++) out[t] = rank
      before += weight
      q = end
    }
  }

  correlation(counts: Float64Array): number {
    // Σ_{i<j} c_i c_j = ((Σ c)² − Σ c²) / 2: the number of pairs in the resample.
    let sum = 0
    let squares = 0
    for (let k = 0; k < counts.length; k++) {
      sum += counts[k]!
      squares += counts[k]! * counts[k]!
    }
    const total = (sum * sum - squares) / 2
    WeightedSpearman.ranks(counts, total, this.ia, this.ja, this.tieA, this.wa, this.ra)
    WeightedSpearman.ranks(counts, total, this.ib, this.jb, this.tieB, null, this.rb)
    let sxy = 0
    let sxx = 0
    let syy = 0
    const { wa, ra, rb, toB } = this
    for (let q = 0; q < wa.length; q++) {
      // Pairs left out of this resample weigh 0: no branch, the products vanish.
      const w = wa[q]!
      const x = ra[q]!
      const y = rb[toB[q]!]!
      sxy += w * x * y
      sxx += w * x * x
      syy += w * y * y
    }
    return sxx === 0 || syy === 0 ? NaN : sxy / Math.sqrt(sxx * syy)
  }
}

/**
 * The resampling of an RSA, set up once and then run in as many chunks as the caller likes (a job reports
 * progress and checks for cancellation between them); chunks drawn from one random stream give the same result
 * as one long run.
 *
 * Bootstrap over objects without building resampled vectors: a resample is a multiset of the original pairs,
 * pair (i, j) appearing count(i)·count(j) times, so Pearson and Spearman are weighted versions of the originals
 * (ranks from sorts made up front). Kendall falls back to building the vectors.
 */
export class RsaResampler {
  readonly r: number
  private readonly va: Float64Array
  private readonly vb: Float64Array
  private readonly pairsI: Uint32Array
  private readonly pairsJ: Uint32Array
  private readonly counts: Float64Array
  private spearman: WeightedSpearman | null = null
  /** Spearman's: the orders of both sides' values, sorted once for r and for the bootstrap. */
  private readonly orders: { a: Uint32Array; b: Uint32Array } | null = null
  private weights: Float64Array | null = null
  private permutation: { x: Float64Array; b: ArrayLike<number>; order: number[] } | null = null

  constructor(
    private readonly a: ArrayLike<number>,
    private readonly b: ArrayLike<number>,
    private readonly n: number,
    readonly method: CorrelationMethod,
  ) {
    this.va = upperTriangle(a, n)
    this.vb = upperTriangle(b, n)
    if (method === 'spearman') {
      this.orders = { a: argsortFloat64(this.va), b: argsortFloat64(this.vb) }
      this.r = pearson(ranksInOrder(this.va, this.orders.a), ranksInOrder(this.vb, this.orders.b))
    } else {
      this.r = CORRELATIONS[method](this.va, this.vb)
    }
    this.pairsI = new Uint32Array(this.va.length)
    this.pairsJ = new Uint32Array(this.va.length)
    for (let i = 0, k = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++, k++) {
        this.pairsI[k] = i
        this.pairsJ[k] = j
      }
    }
    this.counts = new Float64Array(n)
  }

  /**
   * The object counts of `count` bootstrap resamples (objects drawn with replacement), resample after resample:
   * drawing is sequential from one random stream, correlating can then be spread over threads.
   */
  drawResamples(count: number, random: () => number): Uint16Array {
    const { n } = this
    const counts = new Uint16Array(count * n)
    for (let s = 0; s < count; s++) for (let i = 0; i < n; i++) counts[s * n + Math.floor(random() * n)]!++
    return counts
  }

  /** The correlation of each resample in `counts` (NaN for a degenerate one). */
  correlateResamples(resamples: Uint16Array): Float64Array {
    const { a, b, n, counts, method } = this
    if (this.orders) this.spearman ??= new WeightedSpearman(this.va, this.vb, this.orders.a, this.orders.b, this.pairsI, this.pairsJ)
    if (method === 'pearson') this.weights ??= new Float64Array(this.va.length)
    const count = resamples.length / n
    const values = new Float64Array(count)
    for (let s = 0; s < count; s++) {
      for (let i = 0; i < n; i++) counts[i] = resamples[s * n + i]!
      if (this.spearman) {
        values[s] = this.spearman.correlation(counts)
      } else if (this.weights) {
        pairWeights(counts, this.pairsI, this.pairsJ, this.weights)
        values[s] = weightedPearson(this.va, this.vb, this.weights)
      } else {
        // Kendall's tau-a over the resample's pairs, an object appearing as often as it was drawn.
        const drawn = Array.from(counts).flatMap((c, i) => Array.from({ length: c }, () => i))
        const x: number[] = []
        const y: number[] = []
        for (let i = 0; i < drawn.length; i++) {
          for (let j = i + 1; j < drawn.length; j++) {
            if (drawn[i] === drawn[j]) continue
            x.push(a[drawn[i]! * n + drawn[j]!]!)
            y.push(b[drawn[i]! * n + drawn[j]!]!)
          }
        }
        values[s] = CORRELATIONS.kendall(x, y)
      }
    }
    return values
  }

  /** `count` bootstrap correlations (non-finite ones, from degenerate resamples, left out). */
  bootstrap(count: number, random: () => number): number[] {
    return Array.from(this.correlateResamples(this.drawResamples(count, random))).filter(Number.isFinite)
  }

  /** Of `count` shuffles of b's object labels, how many correlate at least as well as the observed labels. */
  permute(count: number, random: () => number): number {
    const { n, method, orders } = this
    // Spearman: ranks do not change when labels move, so rank once (from the sorts made for r) and permute the ranks.
    const ranked = orders !== null
    this.permutation ??= {
      x: ranked ? ranksInOrder(this.va, orders.a) : this.va,
      b: ranked ? squareOf(ranksInOrder(this.vb, orders.b), n) : this.b,
      order: Array.from({ length: n }, (_, i) => i),
    }
    const { x, b, order } = this.permutation
    const compare = ranked || method === 'pearson' ? pearson : CORRELATIONS[method]
    let atLeast = 0
    for (let s = 0; s < count; s++) {
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1))
        ;[order[i], order[j]] = [order[j]!, order[i]!]
      }
      if (compare(x, upperTriangle(b, n, order)) >= this.r) atLeast++
    }
    return atLeast
  }

  /** The result from all bootstrap values and the permutation count. */
  result(values: number[], bootstrap: number, atLeast: number, permutations: number): RsaResult {
    const sorted = [...values].sort((p, q) => p - q)
    return {
      method: this.method,
      r: this.r,
      n: this.n,
      pairs: this.va.length,
      ci95: bootstrap > 0 && sorted.length ? [quantile(sorted, 0.025), quantile(sorted, 0.975)] : null,
      bootstrap,
      // The observed labelling counts as one of the permutations (Phipson & Smyth 2010).
      p: permutations > 0 ? (atLeast + 1) / (permutations + 1) : null,
      permutations,
    }
  }
}

/**
 * Compares RDMs a and b (n×n each). Bootstrap: objects resampled with replacement; pairs of a resampled object
 * with itself (diagonal entries) are dropped. Permutation: b's object labels shuffled.
 */
export function compareRdms(a: ArrayLike<number>, b: ArrayLike<number>, n: number, options: RsaOptions): RsaResult {
  const resampler = new RsaResampler(a, b, n, options.method)
  const random = options.random ?? mulberry32(options.seed ?? 0)
  const bootstrap = options.bootstrap ?? 0
  const permutations = options.permutations ?? 0
  const values = bootstrap > 0 ? resampler.bootstrap(bootstrap, random) : []
  const atLeast = permutations > 0 ? resampler.permute(permutations, random) : 0
  return resampler.result(values, bootstrap, atLeast, permutations)
}

/** The symmetric n×n matrix whose upper triangle is v. */
function squareOf(v: Float64Array, n: number): Float64Array {
  const m = new Float64Array(n * n)
  for (let i = 0, k = 0; i < n; i++) for (let j = i + 1; j < n; j++, k++) m[i * n + j] = m[j * n + i] = v[k]!
  return m
}
