// Entropic Gromov-Wasserstein with the square loss (DESIGN §4), as POT's entropic_gromov_wasserstein:
// constC = (C1∘C1) p 1ᵀ + 1 qᵀ (C2∘C2)ᵀ, tens(T) = constC − C1 T (2 C2)ᵀ; each outer step solves
// T ← Sinkhorn(p, q, 2 tens(T), ε); ‖T − T_prev‖ is checked every 10th step; loss = Σ tens(T) ∘ T.
// The inner solve is plain (POT's) or log-domain, chosen by whether exp(−cost/ε) can underflow; the log-domain
// potentials are carried from one outer step to the next (a warm start).
import { sinkhornLog, sinkhornPlain, type SinkhornOptions } from './sinkhorn'

export interface GwOptions {
  epsilon: number
  /** Outer iterations at most (POT: 1000). */
  maxIterations: number
  /** Stop when ‖T − T_prev‖ ≤ this (POT: 1e-9). */
  tolerance: number
  sinkhornIterations: number
  sinkhornTolerance: number
  /** 'auto': log domain when the cost spans more than 700 ε (where exp underflows in float64). */
  domain: 'auto' | 'plain' | 'log'
  /** The starting plan (n × m); p qᵀ by default. */
  init?: Float64Array
}

export const GW_DEFAULTS: Omit<GwOptions, 'epsilon'> = { maxIterations: 1000, tolerance: 1e-9, sinkhornIterations: 1000, sinkhornTolerance: 1e-9, domain: 'auto' }

export interface GwResult {
  plan: Float64Array
  loss: number
  iterations: number
  converged: boolean
  /** Whether the last inner solve ran in the log domain. */
  logDomain: boolean
  /** Inner solves that stopped at their iteration cap. */
  unconvergedSinkhorn: number
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

function transpose(a: Float64Array, n: number, m: number): Float64Array {
  const out = new Float64Array(n * m)
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[j * n + i] = a[i * m + j]!
  return out
}

/** constC of the square loss: (C1∘C1) p 1ᵀ + 1 qᵀ (C2∘C2)ᵀ. */
function constantTerm(c1: Float64Array, n: number, c2: Float64Array, m: number, p: Float64Array, q: Float64Array): Float64Array {
  const left = new Float64Array(n)
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) left[i]! += c1[i * n + k]! ** 2 * p[k]!
  const right = new Float64Array(m)
  for (let j = 0; j < m; j++) for (let l = 0; l < m; l++) right[j]! += q[l]! * c2[j * m + l]! ** 2
  const out = new Float64Array(n * m)
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[i * m + j] = left[i]! + right[j]!
  return out
}

/** tens(T) = constC − C1 T (2 C2)ᵀ. */
function tensorProduct(constC: Float64Array, c1: Float64Array, n: number, twoC2T: Float64Array, m: number, t: Float64Array): Float64Array {
  const out = matMul(matMul(c1, n, n, t, m), n, m, twoC2T, m)
  for (let k = 0; k < out.length; k++) out[k] = constC[k]! - out[k]!
  return out
}

export function gwLoss(tens: Float64Array, plan: Float64Array): number {
  let s = 0
  for (let k = 0; k < plan.length; k++) s += tens[k]! * plan[k]!
  return s
}

/** Entropic GW between dissimilarity matrices c1 (n × n) and c2 (m × m) with marginals p, q. */
export function entropicGw(c1: Float64Array, c2: Float64Array, p: Float64Array, q: Float64Array, options: GwOptions): GwResult {
  const n = p.length
  const m = q.length
  if (c1.length !== n * n || c2.length !== m * m) throw new RangeError(`the matrices must be ${n} × ${n} and ${m} × ${m}`)
  const constC = constantTerm(c1, n, c2, m, p, q)
  const twoC2T = transpose(Float64Array.from(c2, (v) => 2 * v), m, m)
  let plan: Float64Array = options.init ? Float64Array.from(options.init) : Float64Array.from({ length: n * m }, (_, k) => p[Math.floor(k / m)]! * q[k % m]!)
  const inner: SinkhornOptions = { epsilon: options.epsilon, maxIterations: options.sinkhornIterations, tolerance: options.sinkhornTolerance }
  let potentials: { f: Float64Array; g: Float64Array } | undefined
  let error = 1
  let iterations = 0
  let logDomain = options.domain === 'log'
  let unconvergedSinkhorn = 0
  while (error > options.tolerance && iterations < options.maxIterations) {
    const previous = plan
    const cost = tensorProduct(constC, c1, n, twoC2T, m, plan).map((v) => 2 * v)
    if (options.domain === 'auto') {
      let [low, high] = [Infinity, -Infinity]
      for (const c of cost) [low, high] = [Math.min(low, c), Math.max(high, c)]
      logDomain = (high - low) / options.epsilon > 700
    }
    if (logDomain) {
      const solved = sinkhornLog(p, q, cost, inner, potentials)
      potentials = { f: solved.f, g: solved.g }
      plan = solved.plan
      if (!solved.converged) unconvergedSinkhorn++
    } else {
      const solved = sinkhornPlain(p, q, cost, inner)
      plan = solved.plan
      if (!solved.converged) unconvergedSinkhorn++
    }
    if (iterations % 10 === 0) {
      let s = 0
      for (let k = 0; k < plan.length; k++) s += (plan[k]! - previous[k]!) ** 2
      error = Math.sqrt(s)
    }
    iterations++
  }
  const loss = gwLoss(tensorProduct(constC, c1, n, twoC2T, m, plan), plan)
  return { plan, loss, iterations, converged: error <= options.tolerance, logDomain, unconvergedSinkhorn }
}

/**
 * Top-k matching rates from the rows of a plan: the fraction of rows whose true partner (`partner[i]`, by default
 * the same index) is among the k largest entries of its row.
 */
export function matchingRates(plan: Float64Array, n: number, m: number, ks: number[] = [1, 5, 10], partner?: Int32Array): number[] {
  const hits = ks.map(() => 0)
  for (let i = 0; i < n; i++) {
    const target = partner ? partner[i]! : i
    const value = plan[i * m + target]!
    // The true partner's rank: how many other entries of the row are at least as large (a tie counts against).
    let larger = 0
    for (let j = 0; j < m; j++) if (j !== target && plan[i * m + j]! >= value) larger++
    ks.forEach((k, at) => {
      if (larger < k) hits[at]!++
    })
  }
  return hits.map((h) => h / n)
}
