// The costly step of entropic GW: X = C1 T C2ᵀ for the current plan T, two n³ matrix products per outer
// iteration. On the host in float64 (exactly POT's arithmetic, for small problems and the reference tests), or
// with TF.js on the selected backend in float32 (XNNPACK on wasm, the GPU on webgpu) with C1 and C2 uploaded once.
// Cosine and correlation distances of p features are exactly rank p + 1, C = 1 1ᵀ − X̂ X̂ᵀ, so when the features
// are at hand and p is small the product goes through the factors: O(n² p) instead of O(n³).
import * as tf from '@tensorflow/tfjs'
import { vec4Size } from '../compute/kernels/gpu'
import { comparedRows, type RdmMeasure } from '../metrics/rdm'
import { memoryLayout } from '../compute/wasmModules'
import { matmul64 } from './wasm/matmul64'

export interface CrossProduct {
  /** X = C1 T C2ᵀ for an n × m plan T, row-major; the array may be reused (overwritten) by the next call. */
  multiply(plan: Float64Array): Promise<Float64Array>
  /** The unit roundoff of its arithmetic: 2⁻⁵³ in float64, 2⁻²⁴ in float32. */
  roundoff: number
  /** Frees what it keeps on the backend. */
  dispose(): void
}

/** C = L Rᵀ, both n × rank, row-major. */
export interface LowRank {
  l: Float32Array
  r: Float32Array
  rank: number
}

/** One side of the problem: its n × n dissimilarities, and their factors when it has them. */
export interface GwSide {
  n: number
  c: Float64Array
  factors: LowRank | null
}

/**
 * The exact factors of the cosine or correlation distance matrix of the rows of x: L = [1, X̂], R = [1, −X̂].
 * Null for Euclidean distances (not low-rank), when a row is zero (its distances are not 1 − x̂·ŷ on the
 * diagonal), or when p + 1 is not below n / 2 (the factors would cost more than the matrix).
 */
export function distanceFactors(x: Float32Array | Float64Array, n: number, p: number, measure: RdmMeasure): LowRank | null {
  if (measure === 'euclidean' || 2 * (p + 1) >= n) return null
  const rows = comparedRows(x, n, p, measure)
  const rank = p + 1
  const l = new Float32Array(n * rank)
  const r = new Float32Array(n * rank)
  for (let i = 0; i < n; i++) {
    let norm = 0
    for (let d = 0; d < p; d++) norm += rows[i * p + d]! ** 2
    if (!(norm > 0.5)) return null
    l[i * rank] = r[i * rank] = 1
    for (let d = 0; d < p; d++) {
      l[i * rank + 1 + d] = rows[i * p + d]!
      r[i * rank + 1 + d] = -rows[i * p + d]!
    }
  }
  return { l, r, rank }
}

/** out = A (n × k) · B (k × m), row-major, in float64 (i-k-j order: rows of B stream through the cache). */
export function matMul(a: Float64Array, n: number, k: number, b: Float64Array, m: number): Float64Array {
  const out = new Float64Array(n * m)
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const x = a[i * k + t]!
      if (x === 0) continue
      const row = t * m
      const at = i * m
      for (let j = 0; j < m; j++) out[at + j]! += x * b[row + j]!
    }
  }
  return out
}

export function transpose(a: Float64Array, n: number, m: number): Float64Array {
  const out = new Float64Array(n * m)
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[j * n + i] = a[i * m + j]!
  return out
}

/** C1 T C2ᵀ on the host in float64. */
export function hostCrossProduct(c1: Float64Array, n: number, c2: Float64Array, m: number): CrossProduct {
  const c2t = transpose(c2, m, m)
  return { multiply: async (plan) => matMul(matMul(c1, n, n, plan, m), n, m, c2t, m), roundoff: 2 ** -53, dispose: () => undefined }
}

/**
 * C1 T C2ᵀ = L1 ((R1ᵀ T) R2 L2ᵀ) through both sides' factors, on the host in float64: O(n² rank), cheap enough on a
 * CPU, and exact where float32 products steer the outer iteration to a neighbouring fixed point (THINGS SPoSE,
 * 1,854 objects, cosine, ε = 0.003: 0.5% above the float64 solution). The two n² rank products run in WebAssembly
 * SIMD (matmul64.wat), in a memory of their own where the plan is written and the product read: the product returned
 * is a view of it, overwritten by the next call.
 */
export function hostFactoredProduct(one: GwSide & { factors: LowRank }, two: GwSide & { factors: LowRank }): CrossProduct {
  const [n, m] = [one.n, two.n]
  const [k1, k2] = [one.factors.rank, two.factors.rank]
  const sizes = { l1: n * k1, r1: n * k1, r2: m * k2, l2t: k2 * m, plan: n * m, y: k1 * m, z: k1 * k2, w: k1 * m, out: n * m }
  const { at, bytes } = memoryLayout(sizes, () => 8)
  if (bytes > 2 ** 32) throw new RangeError(`a transport plan of ${n.toLocaleString('en')} × ${m.toLocaleString('en')} needs ${(bytes / 2 ** 30).toFixed(1)} GiB for its low-rank product, more than the 4 GiB it can have: use fewer objects`)
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65_536) })
  const kernels = matmul64(memory)
  const view = (key: keyof typeof sizes) => new Float64Array(memory.buffer, at[key], sizes[key])
  view('l1').set(one.factors.l)
  view('r1').set(one.factors.r)
  view('r2').set(two.factors.r)
  view('l2t').set(transpose(Float64Array.from(two.factors.l), m, k2))
  const [plan, out] = [view('plan'), view('out')]
  const multiply = async (t: Float64Array) => {
    plan.set(t)
    kernels.transposedProduct(at.r1, n, k1, at.plan, m, at.y)
    kernels.product(at.y, k1, m, at.r2, k2, at.z)
    kernels.product(at.z, k1, k2, at.l2t, m, at.w)
    kernels.product(at.l1, n, k1, at.w, m, at.out)
    return out
  }
  return { multiply, roundoff: 2 ** -53, dispose: () => undefined }
}

/**
 * C1 T C2ᵀ with TF.js in float32; the matrices (or their factors) stay on the backend until `dispose`. They are
 * kept transposed where the product needs it: tfjs-wasm's transposed matMul is several times slower. On webgpu every
 * dimension is zero-padded to a multiple of 4 (vec4Size; the plan on the way in, the product sliced on the way out):
 * two 1854³ products took 54 s instead of 97 s (SwiftShader).
 */
export function tfjsCrossProduct(one: GwSide, two: GwSide): CrossProduct & { multiplyTensor(plan: tf.Tensor2D): tf.Tensor2D } {
  const [n, m] = [one.n, two.n]
  const padded = tf.getBackend() === 'webgpu' ? vec4Size : (size: number) => size
  const [np, mp] = [padded(n), padded(m)]
  /** A rows × columns matrix (transposed first when asked) on the backend, zero-padded to aligned dimensions. */
  const keep = (data: Float32Array | Float64Array, rows: number, columns: number, transposed = false) => {
    const [r, c] = transposed ? [columns, rows] : [rows, columns]
    const stride = padded(c)
    const out = new Float32Array(padded(r) * stride)
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[i * stride + j] = transposed ? data[j * columns + i]! : data[i * columns + j]!
    return tf.keep(tf.tensor2d(out, [padded(r), stride]))
  }
  // C1 = L1 R1ᵀ: kept as L1 and R1ᵀ; C2ᵀ = R2 L2ᵀ: kept as R2 and L2ᵀ.
  const left: { l: tf.Tensor2D; rt: tf.Tensor2D } | { c: tf.Tensor2D } = one.factors ? { l: keep(one.factors.l, n, one.factors.rank), rt: keep(one.factors.r, n, one.factors.rank, true) } : { c: keep(one.c, n, n) }
  const right: { r: tf.Tensor2D; lt: tf.Tensor2D } | { ct: tf.Tensor2D } = two.factors ? { r: keep(two.factors.r, m, two.factors.rank), lt: keep(two.factors.l, m, two.factors.rank, true) } : { ct: keep(two.c, m, m, true) }
  /** Y C2ᵀ for any Y with m columns: (Y R2) L2ᵀ through the factors. */
  const timesC2t = (y: tf.Tensor2D) => ('ct' in right ? tf.matMul(y, right.ct) : tf.matMul(tf.matMul(y, right.r), right.lt))
  const multiplyTensor = (plan: tf.Tensor2D): tf.Tensor2D =>
    tf.tidy(() => {
      const t = np === n && mp === m ? plan : tf.pad(plan, [[0, np - n], [0, mp - m]])
      // The factored side first, so no n³ product remains where one side is low-rank.
      let x: tf.Tensor
      if ('l' in left) x = tf.matMul(left.l, timesC2t(tf.matMul(left.rt, t)))
      else if ('r' in right) x = tf.matMul(tf.matMul(left.c, tf.matMul(t, right.r)), right.lt)
      else x = timesC2t(tf.matMul(left.c, t))
      return np === n && mp === m ? x : tf.slice(x, [0, 0], [n, m])
    }) as tf.Tensor2D
  const multiply = async (plan: Float64Array) => {
    const t = tf.tensor2d(Float32Array.from(plan), [n, m])
    const out = multiplyTensor(t)
    const values = await out.data()
    tf.dispose([t, out])
    return Float64Array.from(values)
  }
  return { multiply, multiplyTensor, roundoff: 2 ** -24, dispose: () => tf.dispose([...Object.values(left), ...Object.values(right)]) }
}

/**
 * Below this, cosine and correlation distances (which lie in [0, 2]) are the rounding of identical directions: the
 * objects cannot be told apart, and normalising would blow that rounding up to the scale of real distances.
 */
const BOUNDED_DISTANCE_ROUNDOFF = 1e-6

/**
 * One side of a problem from its dissimilarities (n × n) and, when they came from features, those features: every
 * dissimilarity must be finite (GW compares all pairs; a RangeError says so), and some must be above zero (else
 * no object can be told from another); with `normalise` they are divided by the largest, so that one ε range suits
 * any pair of representations, and the factors with them.
 */
export function gwSide(rdm: Float64Array, n: number, features: { data: Float32Array | Float64Array; p: number } | undefined, measure: RdmMeasure, normalise: boolean): GwSide {
  let top = 0
  for (const v of rdm) {
    if (!Number.isFinite(v)) throw new RangeError('has missing or infinite dissimilarities (NaN or ∞); GW needs every pair. Fill or drop those objects and import it again.')
    top = Math.max(top, v)
  }
  if (top === 0 || (features && measure !== 'euclidean' && top < BOUNDED_DISTANCE_ROUNDOFF)) {
    const what = features ? `all its objects have the same ${measure === 'euclidean' ? 'features' : 'direction'} (largest ${measure} distance ${top.toPrecision(2)})` : 'every dissimilarity is 0'
    throw new RangeError(`cannot be aligned: ${what}, so no object can be told from another. Choose another representation${features ? ' or distance' : ''}.`)
  }
  const scale = normalise && top > 0 ? top : 1
  const factors = features ? distanceFactors(features.data, n, features.p, measure) : null
  if (factors) for (let k = 0; k < factors.l.length; k++) factors.l[k]! /= scale
  return { n, c: scale === 1 ? rdm : rdm.map((v) => v / scale), factors }
}
