// Choosing ε without labels (GWTune's protocol, DESIGN §4): trials over a log-uniform range — evenly spaced
// (grid) or drawn at random — each solved from the product plan p qᵀ and from further random initial plans,
// keeping per trial the plan of lowest GW loss; a plan whose row sums are off by more than 1e-5 (relative to p)
// or that has an empty row is rejected; the chosen ε is the trial of lowest loss.
import { randomGenerator } from '../data/simulate'
import { entropicGw, GW_DEFAULTS, matchingRates, type GwOptions } from './entropicGw'

export interface EpsilonSearchOptions {
  range: [number, number]
  trials: number
  sampler: 'grid' | 'random'
  /** Initial plans per trial: the product plan, then random ones. */
  initPlans: number
  seed: number
  gw?: Partial<Omit<GwOptions, 'epsilon' | 'init'>>
}

export interface Trial {
  epsilon: number
  loss: number
  iterations: number
  converged: boolean
  logDomain: boolean
  /** Top-1 matching (row i's partner is column i), for inspection only: it chooses nothing. */
  top1: number
  /** Initial plans whose result was rejected. */
  rejected: number
  seconds: number
}

/** The ε of the trials: log-uniform over the range, evenly spaced or at random. */
export function trialEpsilons(options: Pick<EpsilonSearchOptions, 'range' | 'trials' | 'sampler' | 'seed'>): number[] {
  const [lo, hi] = options.range
  if (!(lo > 0 && hi >= lo)) throw new RangeError('the ε range must be two positive numbers, low to high')
  const [a, b] = [Math.log(lo), Math.log(hi)]
  if (options.sampler === 'grid') return Array.from({ length: options.trials }, (_, t) => Math.exp(options.trials === 1 ? a : a + ((b - a) * t) / (options.trials - 1)))
  const random = randomGenerator(options.seed)
  return Array.from({ length: options.trials }, () => Math.exp(a + (b - a) * random()))
}

/** A random plan with marginals p and q: uniform draws scaled by alternating row and column normalisation. */
export function randomPlan(p: Float64Array, q: Float64Array, random: () => number): Float64Array {
  const [n, m] = [p.length, q.length]
  const plan = Float64Array.from({ length: n * m }, () => random() + 1e-3)
  for (let sweep = 0; sweep < 1000; sweep++) {
    for (let i = 0; i < n; i++) {
      let s = 0
      for (let j = 0; j < m; j++) s += plan[i * m + j]!
      for (let j = 0; j < m; j++) plan[i * m + j]! *= p[i]! / s
    }
    let worst = 0
    for (let j = 0; j < m; j++) {
      let s = 0
      for (let i = 0; i < n; i++) s += plan[i * m + j]!
      worst = Math.max(worst, Math.abs(s - q[j]!))
      for (let i = 0; i < n; i++) plan[i * m + j]! *= q[j]! / s
    }
    if (worst < 1e-14) break
  }
  return plan
}

/** GWTune's check: every row sum within 1e-5 (relative) of p, and no empty row. */
export function validPlan(plan: Float64Array, p: Float64Array, m: number): boolean {
  for (let i = 0; i < p.length; i++) {
    let s = 0
    for (let j = 0; j < m; j++) s += plan[i * m + j]!
    if (!(s > 0) || Math.abs(s - p[i]!) > 1e-5 * p[i]!) return false
  }
  return true
}

export async function searchEpsilon(
  c1: Float64Array,
  c2: Float64Array,
  p: Float64Array,
  q: Float64Array,
  options: EpsilonSearchOptions,
  onTrial?: (trial: Trial, index: number) => void | Promise<void>,
): Promise<{ trials: Trial[]; best: Trial | null; plan: Float64Array | null }> {
  const random = randomGenerator(options.seed + 1)
  const trials: Trial[] = []
  let best: { trial: Trial; plan: Float64Array } | null = null
  for (const [index, epsilon] of trialEpsilons(options).entries()) {
    const started = performance.now()
    let kept: { loss: number; plan: Float64Array; iterations: number; converged: boolean; logDomain: boolean } | null = null
    let rejected = 0
    for (let init = 0; init < options.initPlans; init++) {
      const start = init === 0 ? undefined : randomPlan(p, q, random)
      const r = await entropicGw(c1, c2, p, q, { ...GW_DEFAULTS, ...options.gw, epsilon, ...(start ? { init: start } : {}) })
      if (!Number.isFinite(r.loss) || !validPlan(r.plan, p, q.length)) {
        rejected++
        continue
      }
      if (!kept || r.loss < kept.loss) kept = r
    }
    const trial: Trial = kept
      ? { epsilon, loss: kept.loss, iterations: kept.iterations, converged: kept.converged, logDomain: kept.logDomain, top1: matchingRates(kept.plan, p.length, q.length, [1])[0]!, rejected, seconds: (performance.now() - started) / 1000 }
      : { epsilon, loss: Number.NaN, iterations: 0, converged: false, logDomain: false, top1: Number.NaN, rejected, seconds: (performance.now() - started) / 1000 }
    trials.push(trial)
    if (kept && (!best || trial.loss < best.trial.loss)) best = { trial, plan: kept.plan }
    await onTrial?.(trial, index)
  }
  return { trials, best: best?.trial ?? null, plan: best?.plan ?? null }
}
