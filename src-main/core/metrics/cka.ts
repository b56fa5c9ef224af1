// Linear centered kernel alignment (Kornblith et al. 2019) between two feature sets of the same n objects:
// biased HSIC, and the unbiased estimator (Song et al. 2012) that does not drift with n.
import * as tf from '@tensorflow/tfjs-core'
import { pairwiseSimilarity } from '../compute/kernels/similarity'

type Gram = Float32Array | Float64Array

/** The features with each column's mean removed: their Gram matrix is then the centred one, H K H. */
function centreColumns(x: Float32Array | Float64Array, n: number, p: number): Float32Array {
  const mean = new Float64Array(p)
  for (let i = 0; i < n; i++) for (let d = 0; d < p; d++) mean[d]! += x[i * p + d]!
  for (let d = 0; d < p; d++) mean[d]! /= n
  const out = new Float32Array(n * p)
  for (let i = 0; i < n; i++) for (let d = 0; d < p; d++) out[i * p + d] = x[i * p + d]! - mean[d]!
  return out
}

/** tr(Kc Lc) for Grams of column-centred features, which are already centred. */
function hsicBiased(k: Gram, l: Gram, n: number): number {
  let s = 0
  for (let i = 0; i < n * n; i++) s += k[i]! * l[i]!
  return s
}

function hsicUnbiased(k: Gram, l: Gram, n: number): number {
  if (n < 4) throw new RangeError('unbiased CKA needs at least four objects')
  const kt = Float64Array.from(k)
  const lt = Float64Array.from(l)
  for (let i = 0; i < n; i++) kt[i * n + i] = lt[i * n + i] = 0
  let trace = 0
  let sumK = 0
  let sumL = 0
  const rowK = new Float64Array(n)
  const rowL = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      trace += kt[i * n + j]! * lt[i * n + j]!
      rowK[i]! += kt[i * n + j]!
      rowL[i]! += lt[i * n + j]!
    }
    sumK += rowK[i]!
    sumL += rowL[i]!
  }
  let cross = 0
  for (let i = 0; i < n; i++) cross += rowK[i]! * rowL[i]!
  return (trace + (sumK * sumL) / ((n - 1) * (n - 2)) - (2 * cross) / (n - 2)) / (n * (n - 3))
}

/** Σ of squares of the entries of Aᵀ B (A n×p, B n×q) on the compute backend, summed in float64. */
async function crossNorm(a: Float32Array, p: number, b: Float32Array, q: number, n: number): Promise<number> {
  const product = tf.tidy(() => {
    const left = tf.tensor2d(a, [n, p])
    // Transposed explicitly: XNNPACK's product with a transposed operand flag is many times slower.
    return tf.matMul(tf.transpose(left), a === b ? left : tf.tensor2d(b, [n, q]))
  })
  const values = (await product.data()) as Float32Array
  product.dispose()
  let s = 0
  for (let i = 0; i < values.length; i++) s += values[i]! * values[i]!
  return s
}

/**
 * Linear CKA on the compute backend (float32 products, sums in float64), from column-centred features:
 * centring changes neither estimator (the unbiased one is invariant to it) and keeps float32 well conditioned.
 * The biased estimator uses tr(Kc Lc) = ‖Xcᵀ Yc‖², in feature space when that is the smaller product
 * (n objects, few features); the unbiased one needs the n × n Grams.
 */
export async function linearCka(x: Float64Array | Float32Array, px: number, y: Float64Array | Float32Array, py: number, n: number, unbiased = false): Promise<number> {
  if (x.length !== n * px || y.length !== n * py) throw new RangeError(`both feature sets must have ${n} rows`)
  const xc = centreColumns(x, n, px)
  const yc = centreColumns(y, n, py)
  if (!unbiased && px * px + py * py + px * py < n * (px + py)) {
    const [xy, xx, yy] = [await crossNorm(xc, px, yc, py, n), await crossNorm(xc, px, xc, px, n), await crossNorm(yc, py, yc, py, n)]
    return xy / Math.sqrt(xx * yy)
  }
  const k = await pairwiseSimilarity(xc, n, px, 'dot')
  const l = await pairwiseSimilarity(yc, n, py, 'dot')
  const hsic = unbiased ? hsicUnbiased : hsicBiased
  return hsic(k, l, n) / Math.sqrt(hsic(k, k, n) * hsic(l, l, n))
}
