// k-NN matching after Procrustes (GWTune, DESIGN §4): both representations embedded in d dimensions by classical
// MDS of their dissimilarities, the first rotated onto the second by the orthogonal Procrustes solution weighted by
// the transport plan (Q = U Vᵀ from the SVD of Xᵀ (n T) Y), and then each object's true partner sought among the
// nearest neighbours of its rotated embedding.
import * as tf from '@tensorflow/tfjs'
import { randomGenerator } from '../data/simulate'

/** Eigenvalues (descending) and eigenvectors (columns of an k × k matrix) of a small symmetric matrix, by Jacobi. */
export function symmetricEigen(a: Float64Array, k: number): { values: Float64Array; vectors: Float64Array } {
  const m = Float64Array.from(a)
  const v = new Float64Array(k * k)
  for (let i = 0; i < k; i++) v[i * k + i] = 1
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0
    for (let p = 0; p < k; p++) for (let q = p + 1; q < k; q++) off += m[p * k + q]! ** 2
    if (off < 1e-30) break
    for (let p = 0; p < k; p++) {
      for (let q = p + 1; q < k; q++) {
        const apq = m[p * k + q]!
        if (Math.abs(apq) < 1e-300) continue
        const theta = (m[q * k + q]! - m[p * k + p]!) / (2 * apq)
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1))
        const c = 1 / Math.sqrt(t * t + 1)
        const s = t * c
        for (let r = 0; r < k; r++) {
          const [mrp, mrq] = [m[r * k + p]!, m[r * k + q]!]
          m[r * k + p] = c * mrp - s * mrq
          m[r * k + q] = s * mrp + c * mrq
        }
        for (let r = 0; r < k; r++) {
          const [mpr, mqr] = [m[p * k + r]!, m[q * k + r]!]
          m[p * k + r] = c * mpr - s * mqr
          m[q * k + r] = s * mpr + c * mqr
        }
        for (let r = 0; r < k; r++) {
          const [vrp, vrq] = [v[r * k + p]!, v[r * k + q]!]
          v[r * k + p] = c * vrp - s * vrq
          v[r * k + q] = s * vrp + c * vrq
        }
      }
    }
  }
  const order = Array.from({ length: k }, (_, i) => i).sort((x, y) => m[y * k + y]! - m[x * k + x]!)
  return {
    values: Float64Array.from(order, (i) => m[i * k + i]!),
    vectors: Float64Array.from({ length: k * k }, (_, at) => v[Math.floor(at / k) * k + order[at % k]!]!),
  }
}

/**
 * Orthonormalises the k columns of an n × k matrix in place (modified Gram-Schmidt, twice: once loses orthogonality
 * when a column is nearly in the span of the others). A column left with almost nothing of its own — B has lower
 * rank than k — becomes zero rather than normalised rounding noise.
 */
function orthonormalise(q: Float64Array, n: number, k: number): void {
  for (let c = 0; c < k; c++) {
    let before = 0
    for (let i = 0; i < n; i++) before += q[i * k + c]! ** 2
    for (let pass = 0; pass < 2; pass++) {
      for (let prev = 0; prev < c; prev++) {
        let dot = 0
        for (let i = 0; i < n; i++) dot += q[i * k + c]! * q[i * k + prev]!
        for (let i = 0; i < n; i++) q[i * k + c]! -= dot * q[i * k + prev]!
      }
    }
    let norm = 0
    for (let i = 0; i < n; i++) norm += q[i * k + c]! ** 2
    const scale = norm > 1e-20 * before && norm > 0 ? 1 / Math.sqrt(norm) : 0
    for (let i = 0; i < n; i++) q[i * k + c]! *= scale
  }
}

/** Whether the first `wanted` columns of two orthonormal n × k bases point the same way (up to sign). */
function settled(a: Float64Array, b: Float64Array, n: number, k: number, wanted: number): boolean {
  for (let c = 0; c < wanted; c++) {
    let dot = 0
    for (let i = 0; i < n; i++) dot += a[i * k + c]! * b[i * k + c]!
    if (1 - Math.abs(dot) > 1e-12) return false
  }
  return true
}

/**
 * Classical (Torgerson) MDS: the top-d eigenvectors of B = −½ J (D∘D) J scaled by √λ. Returns n × d coordinates
 * whose distances reproduce D when it is Euclidean of rank ≤ d.
 */
export async function classicalMds(d: Float64Array, n: number, dims: number, iterations = 150): Promise<Float64Array> {
  const b = new Float64Array(n * n)
  const rowMean = new Float64Array(n)
  let mean = 0
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) rowMean[i]! += d[i * n + j]! ** 2 / n
    mean += rowMean[i]! / n
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) b[i * n + j] = -0.5 * (d[i * n + j]! ** 2 - rowMean[i]! - rowMean[j]! + mean)
  return (await principalCoordinates(b, n, dims, iterations)).coordinates
}

/** Products B·X of a symmetric n × n operator with an n × k block (row-major), and the same in float64 for the final step. */
export interface SymmetricOperator {
  times(x: Float64Array, k: number): Promise<Float64Array>
  /** The Rayleigh-Ritz product in float64; `times` is used when absent. */
  exactTimes?(x: Float64Array, k: number): Float64Array
  dispose(): void
}

/** B held on the TF.js backend (float32) for the iterations and on the host (float64) for the Rayleigh-Ritz step. */
export function matrixOperator(b: Float64Array, n: number): SymmetricOperator {
  const bt = tf.tensor2d(Float32Array.from(b), [n, n])
  return {
    async times(x, k) {
      const out = tf.tidy(() => tf.matMul(bt, tf.tensor2d(Float32Array.from(x), [n, k])))
      const values = Float64Array.from(await out.data())
      out.dispose()
      return values
    },
    exactTimes(x, k) {
      const bx = new Float64Array(n * k)
      for (let i = 0; i < n; i++) for (let t = 0; t < n; t++) {
        const bit = b[i * n + t]!
        for (let c = 0; c < k; c++) bx[i * k + c]! += bit * x[t * k + c]!
      }
      return bx
    },
    dispose: () => bt.dispose(),
  }
}

/**
 * The top-d eigenpairs of a symmetric positive semi-definite n × n matrix B (a centred Gram matrix) as coordinates:
 * eigenvectors scaled by √λ, found by subspace iteration (d + 8 vectors) and a Rayleigh-Ritz step, stopping early
 * once the wanted vectors have settled; negative eigenvalues give zero coordinates.
 */
export async function principalCoordinates(b: Float64Array | SymmetricOperator, n: number, dims: number, iterations = 150): Promise<{ coordinates: Float64Array; values: Float64Array }> {
  const k = Math.min(n, dims + 8)
  const random = randomGenerator(1)
  const q = Float64Array.from({ length: n * k }, () => random() - 0.5)
  orthonormalise(q, n, k)
  const operator = b instanceof Float64Array ? matrixOperator(b, n) : b
  try {
    for (let it = 0; it < iterations; it++) {
      const before = it % 10 === 9 ? Float64Array.from(q) : null
      q.set(await operator.times(q, k))
      orthonormalise(q, n, k)
      // Every 10 iterations: stop once the wanted vectors no longer turn (cosine with their last direction ≈ 1).
      if (before && settled(before, q, n, k, Math.min(dims, k))) break
    }
    const bq = operator.exactTimes ? operator.exactTimes(q, k) : await operator.times(q, k)
    const h = new Float64Array(k * k)
    for (let r = 0; r < k; r++) for (let c = 0; c < k; c++) for (let i = 0; i < n; i++) h[r * k + c]! += q[i * k + r]! * bq[i * k + c]!
    const { values, vectors } = symmetricEigen(h, k)
    const out = new Float64Array(n * dims)
    for (let c = 0; c < Math.min(dims, k); c++) {
      const scale = Math.sqrt(Math.max(0, values[c]!))
      for (let i = 0; i < n; i++) {
        let s = 0
        for (let r = 0; r < k; r++) s += q[i * k + r]! * vectors[r * k + c]!
        out[i * dims + c] = s * scale
      }
    }
    return { coordinates: out, values: values.slice(0, dims) }
  } finally {
    if (b instanceof Float64Array) operator.dispose()
  }
}

/** The rotation Q (d × d) minimising Σ_ij T_ij ‖x_i Q − y_j‖²: U Vᵀ from the SVD of Xᵀ T Y. */
export function planProcrustes(x: Float64Array, y: Float64Array, plan: Float64Array, n: number, m: number, d: number): Float64Array {
  const ty = new Float64Array(n * d)
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) {
    const t = plan[i * m + j]!
    if (t === 0) continue
    for (let c = 0; c < d; c++) ty[i * d + c]! += t * y[j * d + c]!
  }
  const a = new Float64Array(d * d)
  for (let r = 0; r < d; r++) for (let c = 0; c < d; c++) for (let i = 0; i < n; i++) a[r * d + c]! += x[i * d + r]! * ty[i * d + c]!
  // A = U S Vᵀ: V from the eigenvectors of AᵀA, U = A V S⁻¹ (columns with S = 0 completed from AAᵀ's).
  const ata = new Float64Array(d * d)
  const aat = new Float64Array(d * d)
  for (let r = 0; r < d; r++) for (let c = 0; c < d; c++) for (let t = 0; t < d; t++) {
    ata[r * d + c]! += a[t * d + r]! * a[t * d + c]!
    aat[r * d + c]! += a[r * d + t]! * a[c * d + t]!
  }
  const v = symmetricEigen(ata, d).vectors
  const u = symmetricEigen(aat, d).vectors
  // Signs: each column of U must be A v / ‖A v‖ for the pairing to hold.
  for (let c = 0; c < d; c++) {
    let dot = 0
    for (let r = 0; r < d; r++) {
      let av = 0
      for (let t = 0; t < d; t++) av += a[r * d + t]! * v[t * d + c]!
      dot += av * u[r * d + c]!
    }
    if (dot < 0) for (let r = 0; r < d; r++) u[r * d + c] = -u[r * d + c]!
  }
  const q = new Float64Array(d * d)
  for (let r = 0; r < d; r++) for (let c = 0; c < d; c++) for (let t = 0; t < d; t++) q[r * d + c]! += u[r * d + t]! * v[c * d + t]!
  return q
}

/**
 * k-NN matching after Procrustes: the fraction of objects i whose partner (row i of y) is among the k nearest rows
 * of y to x_i Q (ties not in its favour).
 */
export function knnMatching(x: Float64Array, y: Float64Array, q: Float64Array, n: number, d: number, ks: number[]): number[] {
  const hits = ks.map(() => 0)
  const rotated = new Float64Array(d)
  for (let i = 0; i < n; i++) {
    rotated.fill(0)
    for (let c = 0; c < d; c++) for (let t = 0; t < d; t++) rotated[c]! += x[i * d + t]! * q[t * d + c]!
    const distance = (j: number) => {
      let s = 0
      for (let c = 0; c < d; c++) s += (rotated[c]! - y[j * d + c]!) ** 2
      return s
    }
    const own = distance(i)
    let closer = 0
    for (let j = 0; j < n; j++) if (j !== i && distance(j) <= own) closer++
    ks.forEach((k, at) => {
      if (closer < k) hits[at]!++
    })
  }
  return hits.map((h) => h / n)
}

/** The embedding dimension of k-NN matching (GWTune aligns embeddings of a few tens of dimensions). */
export const PROCRUSTES_DIMENSIONS = 20

/** Both sides by classical MDS in `dims` dimensions, rotated by the plan's Procrustes, matched by k-NN. */
export async function knnAfterProcrustes(c1: Float64Array, c2: Float64Array, plan: Float64Array, n: number, dims: number, ks: number[] = [1, 5, 10]): Promise<number[]> {
  const d = Math.max(1, Math.min(dims, n - 1))
  const [x, y] = [await classicalMds(c1, n, d), await classicalMds(c2, n, d)]
  return knnMatching(x, y, planProcrustes(x, y, plan, n, n, d), n, d, ks)
}
