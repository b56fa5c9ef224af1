// Representational dissimilarity matrices from features, and the vector of their upper triangles that RSA
// compares (the diagonal left out).
import { upperRowProducts, type RowProduct } from './rowProducts'

export type RdmMeasure = 'correlation' | 'cosine' | 'euclidean'

/** The element-wise mean of `count` n × n matrices held one after another. */
export function meanOfMatrices(data: ArrayLike<number>, count: number, n: number): Float64Array {
  const mean = new Float64Array(n * n)
  for (let s = 0; s < count; s++) for (let i = 0; i < n * n; i++) mean[i]! += data[s * n * n + i]! / count
  return mean
}

/**
 * The rows as the measure compares them: centred (correlation) and scaled to unit length (correlation, cosine;
 * a zero row stays zero), or as they are (Euclidean).
 */
export function comparedRows(x: Float32Array | Float64Array, n: number, p: number, measure: RdmMeasure): Float64Array {
  const rows = new Float64Array(n * p)
  for (let i = 0; i < n; i++) {
    let mean = 0
    if (measure === 'correlation') {
      for (let d = 0; d < p; d++) mean += x[i * p + d]!
      mean /= p
    }
    let norm = 0
    for (let d = 0; d < p; d++) {
      const v = x[i * p + d]! - mean
      rows[i * p + d] = v
      norm += v * v
    }
    if (measure !== 'euclidean') {
      const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0
      for (let d = 0; d < p; d++) rows[i * p + d]! *= scale
    }
  }
  return rows
}

/**
 * n×n dissimilarities of the rows of x (n×p): 1 − Pearson r, cosine distance, or Euclidean distance, each sum in
 * float64 as SciPy's pdist takes it (rowProducts.wat). On this thread; jobs/rowProductsPool.ts spreads it over cores.
 */
export function rdmFromFeatures(x: Float32Array | Float64Array, n: number, p: number, measure: RdmMeasure): Float64Array {
  const products = upperRowProducts(comparedRows(x, n, p, measure), n, p, rowProductFor(measure))
  return rdmFromProducts(products, n, measure, products)
}

export const rowProductFor = (measure: RdmMeasure): RowProduct => (measure === 'euclidean' ? 'squaredDistance' : 'dot')

/** The RDM from the products of the compared rows right of the diagonal: 1 − s, or √s, on both sides, into `into`. */
export function rdmFromProducts(products: Float64Array<ArrayBufferLike>, n: number, measure: RdmMeasure, into: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const euclidean = measure === 'euclidean'
  for (let i = 0; i < n; i++) {
    into[i * n + i] = 0
    for (let j = i + 1; j < n; j++) {
      const s = products[i * n + j]!
      into[i * n + j] = into[j * n + i] = euclidean ? Math.sqrt(s) : 1 - s
    }
  }
  return into
}

/** The strict upper triangle, row by row (scipy's squareform order): n(n−1)/2 values. */
export function upperTriangle(m: ArrayLike<number>, n: number, objects?: ArrayLike<number>): Float64Array {
  const index = objects ?? Array.from({ length: n }, (_, i) => i)
  const k = index.length
  const out = new Float64Array((k * (k - 1)) / 2)
  let t = 0
  for (let a = 0; a < k; a++) for (let b = a + 1; b < k; b++) out[t++] = m[index[a]! * n + index[b]!]!
  return out
}
