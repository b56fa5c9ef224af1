import { describe, expect, it } from 'vitest'
import { entropicGw, GW_DEFAULTS } from '../../src-main/core/gw/entropicGw'
import { matchingRates } from '../../src-main/core/gw/matching'
import { sinkhornLog, sinkhornPlain, sinkhornStabilized } from '../../src-main/core/gw/sinkhorn'
import { randomPlan, searchEpsilon, tpeEpsilon, trialEpsilons, validPlan, type Trial } from '../../src-main/core/gw/epsilonSearch'
import { randomGenerator } from '../../src-main/core/data/simulate'
import { gwReference } from '../helpers/gwReference'

const ref = gwReference
const n = ref.n
const uniform = new Float64Array(n).fill(1 / n)
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let worst = 0
  for (let k = 0; k < a.length; k++) worst = Math.max(worst, Math.abs(a[k]! - b[k]!))
  return worst
}

describe('Sinkhorn', () => {
  const cost = Float64Array.from(ref.sinkhornCost)
  const options = { epsilon: ref.sinkhornEpsilon, maxIterations: 1000, tolerance: 1e-9 }
  it('gives POT’s plan, plain and in the log domain', () => {
    const plain = sinkhornPlain(uniform, uniform, cost, options)
    expect(plain.converged).toBe(true)
    expect(maxDiff(plain.plan, ref.sinkhornPlan)).toBeLessThan(1e-12)
    const log = sinkhornLog(uniform, uniform, cost, options)
    expect(log.converged).toBe(true)
    // Both stop at a column error ≤ 1e-9, from different iterates.
    expect(maxDiff(log.plan, ref.sinkhornPlan)).toBeLessThan(1e-10)
  })

  it('solves in the log domain, and with absorbed scalings, where plain scalings underflow', () => {
    // The same cost plus 1000 ε: exp(−c/ε) is 0 in float64 everywhere, the optimal plan is unchanged.
    const shifted = Float64Array.from(cost, (c) => c + 1000 * ref.sinkhornEpsilon)
    expect(sinkhornPlain(uniform, uniform, shifted, options).numericalError).toBe(true)
    // The absorbed solver's kernel is float32: its plan is POT's to float32 precision (entries ~6e-4).
    for (const [solve, tolerance] of [[sinkhornLog, 1e-10], [sinkhornStabilized, 1e-9]] as const) {
      const r = solve(uniform, uniform, shifted, options)
      expect(r.converged).toBe(true)
      expect(maxDiff(r.plan, ref.sinkhornPlan)).toBeLessThan(tolerance)
    }
  })

  it('absorbs the scalings into the potentials and, warm-started from them, converges in a few iterations', () => {
    const cold = sinkhornStabilized(uniform, uniform, cost, options)
    expect(cold.converged).toBe(true)
    expect(maxDiff(cold.plan, ref.sinkhornPlan)).toBeLessThan(1e-9)
    // plan = exp((f ⊕ g − C)/ε) from the returned potentials (to the float32 rounding of K).
    const fromPotentials = Math.exp((cold.f[3]! + cold.g[7]! - cost[3 * n + 7]!) / options.epsilon)
    expect(Math.abs(fromPotentials - cold.plan[3 * n + 7]!) / fromPotentials).toBeLessThan(1e-7)
    const warm = sinkhornStabilized(uniform, uniform, cost, options, cold)
    // K rebuilt from the potentials rounds again to float32: a few iterations put the marginals back.
    expect(warm.iterations).toBeLessThanOrEqual(5)
    expect(maxDiff(warm.plan, ref.sinkhornPlan)).toBeLessThan(1e-9)
  })

  it('converges with momentum to the plain iterations’ plan in under half their iterations, rows exact', () => {
    // Half the fixture's ε: plain Sinkhorn needs 1,421 iterations here, the absorbed solver with momentum 442.
    const slow = { ...options, epsilon: ref.sinkhornEpsilon / 2, maxIterations: 5000 }
    const plain = sinkhornPlain(uniform, uniform, cost, slow)
    const r = sinkhornStabilized(uniform, uniform, cost, slow)
    expect(plain.converged && r.converged).toBe(true)
    expect(r.iterations).toBeLessThan(plain.iterations / 2)
    expect(maxDiff(r.plan, plain.plan)).toBeLessThan(1e-9)
    // It ends with plain steps: the rows are exact, the columns within the tolerance.
    const rows = Array.from({ length: n }, (_, i) => r.plan.subarray(i * n, (i + 1) * n).reduce((s, v) => s + v, 0) - 1 / n)
    expect(Math.max(...rows.map(Math.abs))).toBeLessThan(1e-15)
    const columns = Array.from({ length: n }, (_, j) => Array.from({ length: n }, (_, i) => r.plan[i * n + j]!).reduce((s, v) => s + v, 0) - 1 / n)
    expect(Math.hypot(...columns)).toBeLessThanOrEqual(1e-9)
  })
})

describe('entropic Gromov-Wasserstein', () => {
  const c1 = Float64Array.from(ref.c1)
  const c2 = Float64Array.from(ref.c2)
  it('gives POT’s plan and loss (plain inner solves)', async () => {
    const r = await entropicGw(c1, c2, uniform, uniform, { ...GW_DEFAULTS, epsilon: ref.epsilon, domain: 'plain' })
    expect(r.converged).toBe(true)
    expect(Math.abs(r.loss - ref.loss) / ref.loss).toBeLessThan(1e-9)
    expect(maxDiff(r.plan, ref.plan)).toBeLessThan(1e-10)
    expect(matchingRates(r.plan, n, n, [1])[0]).toBeCloseTo(ref.top1, 12)
  })

  it('reaches POT’s loss with warm-started absorbed inner solves, in far fewer Sinkhorn iterations', async () => {
    const plain = await entropicGw(c1, c2, uniform, uniform, { ...GW_DEFAULTS, epsilon: ref.epsilon, domain: 'plain' })
    const r = await entropicGw(c1, c2, uniform, uniform, { ...GW_DEFAULTS, epsilon: ref.epsilon })
    expect(r.converged).toBe(true)
    expect(Math.abs(r.loss - ref.loss) / ref.loss).toBeLessThan(1e-6)
    expect(matchingRates(r.plan, n, n, [1])[0]).toBeCloseTo(ref.top1, 12)
    // Measured: 8,631 plain iterations over the 21 outer steps, 652 warm-started with momentum (1,982 without).
    expect(r.sinkhornIterations).toBeLessThan(plain.sinkhornIterations / 6)
  })

  it('reaches the same loss with warm-started log-domain inner solves', async () => {
    const r = await entropicGw(c1, c2, uniform, uniform, { ...GW_DEFAULTS, epsilon: ref.epsilon, domain: 'log' })
    expect(r.logDomain).toBe(true)
    expect(Math.abs(r.loss - ref.loss) / ref.loss).toBeLessThan(1e-6)
    expect(matchingRates(r.plan, n, n, [1])[0]).toBeCloseTo(ref.top1, 12)
  })

  it('stays stable by itself where the cost spans more than 700 ε and plain scalings underflow', async () => {
    const options = { ...GW_DEFAULTS, epsilon: 0.0005, maxIterations: 30 }
    const auto = await entropicGw(c1, c2, uniform, uniform, options)
    expect(auto.logDomain).toBe(true)
    expect(auto.plan.every(Number.isFinite)).toBe(true)
    expect(auto.loss).toBeGreaterThan(0)
    // At ε = 0.0005 the transport is sharper: its loss is lower than POT's at ε = 0.01.
    expect(auto.loss).toBeLessThan(ref.loss)
    const rows = Array.from({ length: n }, (_, i) => auto.plan.subarray(i * n, (i + 1) * n).reduce((t, v) => t + v, 0))
    rows.forEach((r) => expect(r).toBeCloseTo(1 / n, 6))
  })

  it('counts a partner among the top k of its row, ties not in its favour', () => {
    // Row 0: partner 0 is the largest; row 1: partner 1 ties with another entry (second); row 2: partner third.
    const plan = Float64Array.of(0.5, 0.1, 0.2, 0.3, 0.3, 0.1, 0.4, 0.3, 0.1)
    expect(matchingRates(plan, 3, 3, [1, 2, 3])).toEqual([1 / 3, 2 / 3, 1])
  })
})

describe('ε search', () => {
  const c1 = Float64Array.from(ref.c1)
  const c2 = Float64Array.from(ref.c2)
  it('spaces a grid log-uniformly and draws random ε inside the range, the same for a seed', () => {
    const grid = trialEpsilons({ range: [0.01, 0.04], trials: 3, sampler: 'grid', seed: 0 })
    grid.forEach((e, k) => expect(e).toBeCloseTo([0.01, 0.02, 0.04][k]!, 15))
    // The ends exactly: a grid of one at ε is ε.
    expect([grid[0], grid[2]]).toEqual([0.01, 0.04])
    expect(trialEpsilons({ range: [0.02, 0.02], trials: 1, sampler: 'grid', seed: 0 })).toEqual([0.02])
    const drawn = trialEpsilons({ range: [0.01, 0.04], trials: 20, sampler: 'random', seed: 5 })
    expect(drawn.every((e) => e >= 0.01 && e <= 0.04)).toBe(true)
    expect(trialEpsilons({ range: [0.01, 0.04], trials: 20, sampler: 'random', seed: 5 })).toEqual(drawn)
    expect(() => trialEpsilons({ range: [0, 1], trials: 2, sampler: 'grid', seed: 0 })).toThrow('the ε range must be two positive numbers')
  })

  it('makes random plans with the marginals, and rejects a plan with an empty row', () => {
    const plan = randomPlan(uniform, uniform, randomGenerator(2))
    for (let i = 0; i < n; i++) expect(plan.subarray(i * n, (i + 1) * n).reduce((s, v) => s + v, 0)).toBeCloseTo(1 / n, 12)
    expect(validPlan(plan, uniform, n)).toBe(true)
    plan.fill(0, 0, n)
    expect(validPlan(plan, uniform, n)).toBe(false)
  })

  it('keeps per trial the best of several initial plans and chooses the ε of lowest loss', async () => {
    const seen: number[] = []
    const { trials, best } = await searchEpsilon(c1, c2, uniform, uniform, { range: [0.01, 0.04], trials: 3, sampler: 'grid', initPlans: 3, seed: 1 }, (t) => void seen.push(t.epsilon))
    expect(seen).toHaveLength(3)
    expect(trials.map((t) => t.rejected)).toEqual([0, 0, 0])
    // The product plan alone reaches POT's loss at ε = 0.01 (to a millionth: the absorbed inner solves stop at
    // other iterates within the same tolerance); random starts can only keep it or go lower.
    expect(trials[0]!.loss).toBeLessThanOrEqual(ref.loss * (1 + 1e-6))
    expect(best!.loss).toBe(Math.min(...trials.map((t) => t.loss)))
  })
  it('proposes ε where the losses were low, once it has a few trials (TPE)', () => {
    const random = randomGenerator(8)
    // The loss is lowest at ε = 0.02 of [0.01, 0.04].
    const history = [0.01, 0.012, 0.03, 0.04, 0.017, 0.025, 0.035].map((epsilon) => ({ epsilon, loss: Math.log(epsilon / 0.02) ** 2 }))
    expect(tpeEpsilon(history.slice(0, 3), [0.01, 0.04], random)).toBeGreaterThanOrEqual(0.01)
    const proposals = Array.from({ length: 40 }, () => tpeEpsilon(history, [0.01, 0.04], random))
    expect(proposals.every((e) => e >= 0.01 && e <= 0.04)).toBe(true)
    // Log-uniform draws fall in [0.015, 0.027] 42% of the time.
    expect(proposals.filter((e) => e >= 0.015 && e <= 0.027).length / proposals.length).toBeGreaterThan(0.7)
  })

  it('goes on from an interrupted search exactly as if it had not stopped', async () => {
    const options = { range: [0.01, 0.04] as [number, number], trials: 4, sampler: 'random' as const, initPlans: 2, seed: 2 }
    const whole = await searchEpsilon(c1, c2, uniform, uniform, options)
    let saved: { trials: Trial[]; plan: Float64Array | null } | null = null
    await searchEpsilon(c1, c2, uniform, uniform, { ...options, trials: 2 }, (_t, index, sofar) => {
      if (index === 1) saved = sofar
    })
    const resumed = await searchEpsilon(c1, c2, uniform, uniform, { ...options, resume: saved! })
    expect(resumed.trials.map((t) => [t.epsilon, t.loss])).toEqual(whole.trials.map((t) => [t.epsilon, t.loss]))
    expect(resumed.best!.epsilon).toBe(whole.best!.epsilon)
    expect(maxDiff(resumed.plan!, whole.plan!)).toBe(0)
  })

  it('prunes a solve whose loss stays above the median of the earlier trials at the same step', async () => {
    // Three earlier trials whose loss was 0 at every step: any real solve is above them at step 20 and is pruned.
    const earlier: Trial[] = [0.011, 0.012, 0.013].map((epsilon) => ({ epsilon, loss: 0, iterations: 30, converged: true, logDomain: true, top1: 1, rejected: 0, pruned: 0, seconds: 0, curve: [0, 0, 0] }))
    const plan = randomPlan(uniform, uniform, randomGenerator(1))
    // ε = 0.0005 needs more than 20 outer steps here.
    const options = { range: [0.0005, 0.0005] as [number, number], trials: 4, sampler: 'grid' as const, initPlans: 2, seed: 0, resume: { trials: earlier, plan } }
    const pruned = await searchEpsilon(c1, c2, uniform, uniform, { ...options, prune: true })
    expect(pruned.trials[3]).toMatchObject({ pruned: 2, loss: Number.NaN })
    expect(pruned.best!.epsilon).toBe(0.011)
    const kept = await searchEpsilon(c1, c2, uniform, uniform, options)
    expect(kept.trials[3]!.pruned).toBe(0)
    expect(kept.trials[3]!.curve.length).toBeGreaterThanOrEqual(2)
  })
})
