// RSA: compare two RDMs over their upper triangles, with a bootstrap over objects for a 95% interval and a
// permutation test over object labels for a p-value (Nili et al. 2014; rsatoolbox's conventions).
import { CORRELATIONS, type CorrelationMethod } from './correlation'
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

/**
 * Compares RDMs a and b (n×n each). Bootstrap: objects resampled with replacement; pairs of a resampled object
 * with itself (diagonal entries) are dropped. Permutation: b's object labels shuffled.
 */
export function compareRdms(a: ArrayLike<number>, b: ArrayLike<number>, n: number, options: RsaOptions): RsaResult {
  const correlate = CORRELATIONS[options.method]
  const r = correlate(upperTriangle(a, n), upperTriangle(b, n))
  const random = options.random ?? mulberry32(options.seed ?? 0)
  const bootstrap = options.bootstrap ?? 0
  const permutations = options.permutations ?? 0
  let ci95: [number, number] | null = null
  if (bootstrap > 0) {
    const values: number[] = []
    const sample = new Int32Array(n)
    for (let s = 0; s < bootstrap; s++) {
      for (let i = 0; i < n; i++) sample[i] = Math.floor(random() * n)
      const x: number[] = []
      const y: number[] = []
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          if (sample[i] === sample[j]) continue
          x.push(a[sample[i]! * n + sample[j]!]!)
          y.push(b[sample[i]! * n + sample[j]!]!)
        }
      }
      const v = correlate(x, y)
      if (Number.isFinite(v)) values.push(v)
    }
    values.sort((p, q) => p - q)
    ci95 = [quantile(values, 0.025), quantile(values, 0.975)]
  }
  let p: number | null = null
  if (permutations > 0) {
    const va = upperTriangle(a, n)
    const order = Array.from({ length: n }, (_, i) => i)
    let atLeast = 0
    for (let s = 0; s < permutations; s++) {
      for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1))
        ;[order[i], order[j]] = [order[j]!, order[i]!]
      }
      if (correlate(va, upperTriangle(b, n, order)) >= r) atLeast++
    }
    // The observed labelling counts as one of the permutations (Phipson & Smyth 2010).
    p = (atLeast + 1) / (permutations + 1)
  }
  return { method: options.method, r, n, pairs: (n * (n - 1)) / 2, ci95, bootstrap, p, permutations }
}
