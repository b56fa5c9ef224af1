// Entropic Gromov-Wasserstein with the square loss (DESIGN §4), as POT's entropic_gromov_wasserstein:
// constC = (C1∘C1) p 1ᵀ + 1 qᵀ (C2∘C2)ᵀ, tens(T) = constC − C1 T (2 C2)ᵀ; each outer step solves
// T ← Sinkhorn(p, q, 2 tens(T), ε); ‖T − T_prev‖ is checked every 10th step; loss = Σ tens(T) ∘ T.
// The inner solve is POT's plain Sinkhorn, the log-domain one, or (by default) Sinkhorn with absorption, whose
// potentials are carried from one outer step to the next (a warm start: the next solve starts nearly balanced).
// C1 T C2ᵀ comes from a CrossProduct: float64 on the host by default, TF.js on the selected backend for speed; on
// webgpu the whole absorbed solve runs in GPU buffers (gpuGw.ts).
import { hostCrossProduct, type CrossProduct } from './crossProduct'
import { productPlan } from './marginals'
import { canSolveOnGpu, entropicGwGpu } from './gpuGw'
import type { RowPasses } from './wasm/sinkhornKernel'
import { ABSORBED_KERNEL_ROUNDOFF, sinkhornLog, sinkhornPlain, sinkhornStabilized, type SinkhornOptions, type SinkhornResult } from './sinkhorn'

export interface GwOptions {
  epsilon: number
  /** Outer iterations at most (POT: 1000). */
  maxIterations: number
  /**
   * Stop when ‖T − T_prev‖ ≤ this (POT: 1e-9). With float32 arithmetic (the product on the backend, or the
   * absorbed Sinkhorn's kernel) the plan cannot settle that far (its rounding keeps it moving): there the loop
   * also stops once the change is below 1e-2 ‖T‖ and the loss moved less than 1e-4 of itself over 10 steps.
   */
  tolerance: number
  sinkhornIterations: number
  sinkhornTolerance: number
  /**
   * 'auto': Sinkhorn with absorption, warm-started (stable at any ε, and fast); 'plain': POT's scalings (they
   * underflow where the cost spans more than ~700 ε); 'log': log-sum-exp iterations, warm-started.
   */
  domain: 'auto' | 'plain' | 'log'
  /** The starting plan (n × m); p qᵀ by default. */
  init?: Float64Array
  /** C1 T C2ᵀ; float64 host loops over c1 and c2 by default. */
  product?: CrossProduct
  /** Where the absorbed Sinkhorn's passes over K run (blocks of rows on helper threads); this thread by default. */
  passes?: RowPasses
  /**
   * Called after each outer iteration with ‖T − T_prev‖ (as last checked) and the GW loss of the plan the step
   * started from (free: its tens(T) was just computed); may throw to stop (a cancelled job, a pruned trial).
   */
  iteration?: (iteration: number, error: number, loss: number) => void | Promise<void>
}

export const GW_DEFAULTS: Omit<GwOptions, 'epsilon'> = { maxIterations: 1000, tolerance: 1e-9, sinkhornIterations: 1000, sinkhornTolerance: 1e-9, domain: 'auto' }

export interface GwResult {
  plan: Float64Array
  loss: number
  iterations: number
  converged: boolean
  /** Whether the inner solves were stable at any ε (log domain or absorbed), not plain scalings. */
  logDomain: boolean
  /** Sinkhorn iterations over all inner solves. */
  sinkhornIterations: number
  /** Inner solves that stopped at their iteration cap. */
  unconvergedSinkhorn: number
  /** On the GPU: inner solves whose float32 scalings overflowed, redone on the host in the log domain. */
  hostSolves?: number
  /** On the GPU: inner solves whose potentials were balanced again by log-domain steps after an overflow. */
  rebalancedSolves?: number
}

/** constC of the square loss, (C1∘C1) p 1ᵀ + 1 qᵀ (C2∘C2)ᵀ, as its parts: constC_ij = left_i + right_j. */
function constantParts(c1: Float64Array, n: number, c2: Float64Array, m: number, p: Float64Array, q: Float64Array): { left: Float64Array; right: Float64Array } {
  const left = new Float64Array(n)
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) left[i]! += c1[i * n + k]! ** 2 * p[k]!
  const right = new Float64Array(m)
  for (let j = 0; j < m; j++) for (let l = 0; l < m; l++) right[j]! += q[l]! * c2[j * m + l]! ** 2
  return { left, right }
}

/**
 * Whether the outer loop has settled where float32 rounding keeps the plan moving (roundoff above float64's): the
 * change is small (< 1e-2 ‖T‖) and the loss moved less than 1e-4 of itself since the last check, 10 steps ago.
 */
export function settleRule(roundoff: number): (error: number, norm: number, loss: number) => boolean {
  let checkedLoss = Infinity
  return (error, norm, loss) => {
    const settled = roundoff > 1e-12 && error <= 1e-2 * norm && Math.abs(loss - checkedLoss) <= 1e-4 * Math.abs(loss)
    checkedLoss = loss
    return settled
  }
}

/**
 * For the plan T: the GW loss Σ tens(T) ∘ T, with tens(T) = constC − C1 T (2 C2)ᵀ, and the Sinkhorn cost 2 tens(T)
 * in place of the product C1 T C2ᵀ, in one pass; constC_ij = left_i + right_j is formed as it goes (the same
 * float64 sum as a stored n × m array, without its memory).
 */
async function lossAndCost({ left, right }: { left: Float64Array; right: Float64Array }, product: CrossProduct, t: Float64Array): Promise<{ loss: number; cost: Float64Array }> {
  const cost = await product.multiply(t)
  const m = right.length
  let loss = 0
  for (let i = 0; i < left.length; i++) {
    const li = left[i]!
    for (let j = 0, k = i * m; j < m; j++, k++) {
      const tens = li + right[j]! - 2 * cost[k]!
      loss += tens * t[k]!
      cost[k] = 2 * tens
    }
  }
  return { loss, cost }
}

/** Entropic GW between dissimilarity matrices c1 (n × n) and c2 (m × m) with marginals p, q. */
export async function entropicGw(c1: Float64Array, c2: Float64Array, p: Float64Array, q: Float64Array, options: GwOptions): Promise<GwResult> {
  const n = p.length
  const m = q.length
  if (c1.length !== n * n || c2.length !== m * m) throw new RangeError(`the matrices must be ${n} × ${n} and ${m} × ${m}`)
  const { left, right } = constantParts(c1, n, c2, m, p, q)
  // On webgpu the absorbed solve keeps every n × m array on the GPU.
  if (options.domain === 'auto' && canSolveOnGpu(options.product)) return entropicGwGpu(left, right, options.product, p, q, options, settleRule(2 ** -24))
  const product = options.product ?? hostCrossProduct(c1, n, c2, m)
  // In float32 (a product on the backend, or the absorbed Sinkhorn's kernel) the plan keeps moving by its
  // rounding, amplified by the iteration (3e-5 of ‖T‖ at n = 300, 1e-4 at n = 1854, ε = 0.003), so POT's
  // tolerance is out of reach; the loop also stops when it has settled (the bar for "the same loss" is 1e-3).
  const settle = settleRule(options.domain === 'auto' ? Math.max(product.roundoff, ABSORBED_KERNEL_ROUNDOFF) : product.roundoff)
  let settled = false
  let plan: Float64Array = options.init ? Float64Array.from(options.init) : productPlan(p, q)
  const inner: SinkhornOptions = { epsilon: options.epsilon, maxIterations: options.sinkhornIterations, tolerance: options.sinkhornTolerance }
  let potentials: { f: Float64Array; g: Float64Array } | undefined
  // The plan before last: its array takes the next plan (a fresh n × m array costs more to fault in than to fill).
  let spare: Float64Array | undefined
  let error = 1
  let iterations = 0
  let unconvergedSinkhorn = 0
  let sinkhornIterations = 0
  while (error > options.tolerance && !settled && iterations < options.maxIterations) {
    const previous = plan
    const { loss: startLoss, cost } = await lossAndCost({ left, right }, product, plan)
    let solved: SinkhornResult
    if (options.domain === 'plain') solved = sinkhornPlain(p, q, cost, inner)
    else {
      const stable = options.domain === 'log' ? sinkhornLog(p, q, cost, inner, potentials) : sinkhornStabilized(p, q, cost, inner, potentials, spare, options.passes)
      potentials = { f: stable.f, g: stable.g }
      solved = stable
    }
    plan = solved.plan
    sinkhornIterations += solved.iterations
    if (!solved.converged) unconvergedSinkhorn++
    if (iterations % 10 === 0) {
      let [s, norm] = [0, 0]
      for (let k = 0; k < plan.length; k++) {
        s += (plan[k]! - previous[k]!) ** 2
        norm += plan[k]! ** 2
      }
      error = Math.sqrt(s)
      settled = settle(error, Math.sqrt(norm), startLoss)
    }
    spare = previous
    iterations++
    await options.iteration?.(iterations, error, startLoss)
  }
  const { loss } = await lossAndCost({ left, right }, product, plan)
  return { plan, loss, iterations, converged: error <= options.tolerance || settled, logDomain: options.domain !== 'plain', sinkhornIterations, unconvergedSinkhorn }
}
