// Choosing ε without labels (GWTune's protocol, DESIGN §4): trials over a log-uniform range — proposed by a
// tree-structured Parzen estimator (TPE, as Optuna's sampler GWTune uses), or evenly spaced (grid), or at random —
// each solved from the product plan p qᵀ and from further random initial plans, keeping per trial the plan of
// lowest GW loss; a plan whose row sums are off by more than 1e-5 (relative to p) or that has an empty row is
// rejected; hopeless solves are pruned (Optuna's median rule); the chosen ε is the trial of lowest loss.
import { randomGenerator } from '../data/simulate'
import { entropicGw, GW_DEFAULTS, type GwOptions } from './entropicGw'
import { matchingRates } from './matching'

export interface EpsilonSearchOptions {
  range: [number, number]
  trials: number
  sampler: 'tpe' | 'grid' | 'random'
  /** Initial plans per trial: the product plan, then random ones. */
  initPlans: number
  seed: number
  /** Stop a solve whose loss at an outer step is above the median of the earlier trials' at that step. */
  prune?: boolean
  gw?: Partial<Omit<GwOptions, 'epsilon' | 'init' | 'iteration'>>
  /** Called at every outer step of every solve; may throw to stop (a cancelled job). */
  step?: () => void | Promise<void>
  /** An interrupted search: its trials in order and the plan of its best one; the search goes on after them. */
  resume?: { trials: Trial[]; plan: Float64Array | null }
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
  /** Initial plans whose solve was pruned. */
  pruned: number
  seconds: number
  /** The GW loss every 10th outer step of the kept solve (what the pruning compares). */
  curve: number[]
}

/** Startup trials before TPE models the losses, and before the pruner compares (Optuna's defaults: 10 and 5). */
const TPE_STARTUP = 5
const PRUNE_STARTUP = 3
/** Outer steps before a solve may be pruned. */
const PRUNE_WARMUP = 20

class Pruned extends Error {}

/**
 * The ε of a grid or random search: log-uniform over the range, evenly spaced or at random. A grid's ends are the
 * range's own numbers (exp(log 0.02) is 0.020000000000000004), so a grid of one at a given ε solves at exactly it.
 */
export function trialEpsilons(options: Pick<EpsilonSearchOptions, 'range' | 'trials' | 'sampler' | 'seed'>): number[] {
  const [a, b] = logRange(options.range)
  const last = options.trials - 1
  if (options.sampler === 'grid') return Array.from({ length: options.trials }, (_, t) => (t === 0 ? options.range[0] : t === last ? options.range[1] : Math.exp(a + ((b - a) * t) / last)))
  const random = randomGenerator(options.seed)
  return Array.from({ length: options.trials }, () => Math.exp(a + (b - a) * random()))
}

function logRange([lo, hi]: [number, number]): [number, number] {
  if (!(lo > 0 && hi >= lo)) throw new RangeError('the ε range must be two positive numbers, low to high')
  return [Math.log(lo), Math.log(hi)]
}

/**
 * The next ε by TPE (Bergstra et al. 2011) over x = log ε: the finished trials split into the best quarter
 * ("good") and the rest; each set is a Parzen density (a Gaussian per trial, plus a wide one for the prior); of
 * 24 candidates drawn from the good density, the one that maximises good / rest is next. Log-uniform at random
 * for the first trials.
 */
export function tpeEpsilon(history: { epsilon: number; loss: number }[], range: [number, number], random: () => number): number {
  const [a, b] = logRange(range)
  const finished = history.filter((t) => Number.isFinite(t.loss)).sort((s, t) => s.loss - t.loss)
  if (finished.length < TPE_STARTUP || b === a) return Math.exp(a + (b - a) * random())
  const count = Math.max(1, Math.ceil(0.25 * finished.length))
  const [good, rest] = [finished.slice(0, count), [...finished.slice(count), ...history.filter((t) => !Number.isFinite(t.loss))]].map((set) => set.map((t) => Math.log(t.epsilon)))
  // Each point's Gaussian is as wide as its larger gap to a neighbour (or to the range's end), clipped to
  // [(b − a) / min(100, 1 + N), b − a], and the prior is one more, as wide as the range (Optuna's estimator).
  const parzen = (points: number[]) => {
    const sorted = [...points].sort((x, y) => x - y)
    const sigmas = sorted.map((c, k) => Math.min(b - a, Math.max((b - a) / Math.min(100, 1 + sorted.length), c - (sorted[k - 1] ?? a), (sorted[k + 1] ?? b) - c)))
    const components = [...sorted.map((c, k) => ({ c, sigma: sigmas[k]! })), { c: (a + b) / 2, sigma: b - a }]
    return {
      density: (x: number) => components.reduce((sum, { c, sigma }) => sum + Math.exp(-0.5 * ((x - c) / sigma) ** 2) / sigma, 0) / components.length,
      draw: () => {
        const { c, sigma } = components[Math.floor(random() * components.length)]!
        const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
        return Math.min(b, Math.max(a, c + sigma * normal))
      },
    }
  }
  const [l, g] = [parzen(good!), parzen(rest!)]
  let best = { x: a, score: -Infinity }
  for (let c = 0; c < 24; c++) {
    const x = l.draw()
    const score = l.density(x) / g.density(x)
    if (score > best.score) best = { x, score }
  }
  return Math.exp(best.x)
}

/** A random plan with marginals p and q: uniform draws scaled by alternating row and column normalisation. */
export function randomPlan(p: Float64Array, q: Float64Array, random: () => number): Float64Array {
  const [n, m] = [p.length, q.length]
  const plan = new Float64Array(n * m)
  for (let k = 0; k < n * m; k++) plan[k] = random() + 1e-3
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

/** The median of the values, or null when there are none. */
function median(values: number[]): number | null {
  if (!values.length) return null
  const sorted = [...values].sort((x, y) => x - y)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export async function searchEpsilon(
  c1: Float64Array,
  c2: Float64Array,
  p: Float64Array,
  q: Float64Array,
  options: EpsilonSearchOptions,
  /** After each trial, with the trials so far and the plan of the best one (what `resume` takes). */
  onTrial?: (trial: Trial, index: number, sofar: { trials: Trial[]; plan: Float64Array | null }) => void | Promise<void>,
): Promise<{ trials: Trial[]; best: Trial | null; plan: Float64Array | null }> {
  const trials: Trial[] = [...(options.resume?.trials ?? [])]
  const planned = options.sampler === 'tpe' ? null : trialEpsilons(options)
  let best: { trial: Trial; plan: Float64Array } | null = null
  for (const trial of trials) if (Number.isFinite(trial.loss) && options.resume?.plan && (!best || trial.loss < best.trial.loss)) best = { trial, plan: options.resume.plan }
  for (let index = trials.length; index < options.trials; index++) {
    // Each trial draws from its own stream, so a resumed search proposes what the uninterrupted one would have.
    const random = randomGenerator(options.seed * 7919 + index + 1)
    const epsilon = planned ? planned[index]! : tpeEpsilon(trials, options.range, random)
    const started = performance.now()
    let kept: { loss: number; plan: Float64Array; iterations: number; converged: boolean; logDomain: boolean; curve: number[] } | null = null
    let [rejected, pruned] = [0, 0]
    for (let init = 0; init < options.initPlans; init++) {
      const start = init === 0 ? undefined : randomPlan(p, q, random)
      const curve: number[] = []
      const iteration = async (step: number, _error: number, loss: number) => {
        await options.step?.()
        if (step % 10 !== 0) return
        curve.push(loss)
        const others = trials.flatMap((t) => (t.curve.length >= step / 10 ? [t.curve[step / 10 - 1]!] : []))
        const bar = median(others)
        if (options.prune && step >= PRUNE_WARMUP && trials.length >= PRUNE_STARTUP && bar !== null && loss > bar) throw new Pruned()
      }
      let r
      try {
        r = await entropicGw(c1, c2, p, q, { ...GW_DEFAULTS, ...options.gw, epsilon, iteration, ...(start ? { init: start } : {}) })
      } catch (err) {
        if (!(err instanceof Pruned)) throw err
        pruned++
        continue
      }
      if (!Number.isFinite(r.loss) || !validPlan(r.plan, p, q.length)) {
        rejected++
        continue
      }
      if (!kept || r.loss < kept.loss) kept = { ...r, curve }
    }
    const seconds = (performance.now() - started) / 1000
    const trial: Trial = kept
      ? { epsilon, loss: kept.loss, iterations: kept.iterations, converged: kept.converged, logDomain: kept.logDomain, top1: matchingRates(kept.plan, p.length, q.length, [1])[0]!, rejected, pruned, seconds, curve: kept.curve }
      : { epsilon, loss: Number.NaN, iterations: 0, converged: false, logDomain: false, top1: Number.NaN, rejected, pruned, seconds, curve: [] }
    trials.push(trial)
    if (kept && (!best || trial.loss < best.trial.loss)) best = { trial, plan: kept.plan }
    await onTrial?.(trial, index, { trials: [...trials], plan: best?.plan ?? null })
  }
  return { trials, best: best?.trial ?? null, plan: best?.plan ?? null }
}
