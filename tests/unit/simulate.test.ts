import { describe, expect, it } from 'vitest'
import {
  calibrateTemperature,
  meanMaxProbability,
  randomGenerator,
  randomTriplets,
  simulateTriplets,
  THINGS_NOISE_CEILING,
  xoshiro128ss,
} from '../../src-main/core/data/simulate'

/** A small embedding with clear structure: two clusters of objects along two axes. */
function embedding(n: number, p: number, seed: number): Float32Array {
  const random = randomGenerator(seed)
  const x = new Float32Array(n * p)
  for (let i = 0; i < n; i++) for (let d = 0; d < p; d++) x[i * p + d] = (d === i % 2 ? 3 : 0) + random()
  return x
}

describe('random numbers', () => {
  it('xoshiro128** matches the reference algorithm', () => {
    // The C reference (prng.di.unimi.it/xoshiro128starstar.c) from state {1, 2, 3, 4}, transcribed in Python.
    const next = xoshiro128ss([1, 2, 3, 4])
    expect(Array.from({ length: 5 }, next)).toEqual([11520, 0, 5927040, 70819200, 2031721883])
  })

  it('is uniform and repeatable for a seed', () => {
    const a = randomGenerator(42)
    const b = randomGenerator(42)
    const values = Array.from({ length: 100_000 }, a)
    expect(values.slice(0, 5)).toEqual(Array.from({ length: 5 }, b))
    const mean = values.reduce((s, v) => s + v, 0) / values.length
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.005)
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...values)).toBeLessThan(1)
  })

  it('draws triplets of three different objects, every object as often', () => {
    const t = randomTriplets(10, 30_000, randomGenerator(1))
    const counts = new Array(10).fill(0)
    for (let i = 0; i < 30_000; i++) {
      const [a, b, c] = [t[3 * i]!, t[3 * i + 1]!, t[3 * i + 2]!]
      expect(a !== b && a !== c && b !== c).toBe(true)
      counts[a]++
      counts[b]++
      counts[c]++
    }
    for (const c of counts) expect(Math.abs(c - 9000)).toBeLessThan(400)
  })
})

describe('simulated odd-one-out choices', () => {
  const n = 40
  const p = 6
  const x = embedding(n, p, 3)

  it('calibrates the temperature to the THINGS noise ceiling by default', () => {
    const sim = simulateTriplets(x, n, p, 20_000, 7)
    expect(sim.meanMaxProbability).toBeCloseTo(THINGS_NOISE_CEILING, 3)
    expect(sim.temperature).toBeGreaterThan(0)
  })

  it('stores probabilities that sum to one, in the stored pair order, and samples choices from them', () => {
    const sim = simulateTriplets(x, n, p, 40_000, 11, 2)
    let chosePair01 = 0
    let expected = 0
    for (let t = 0; t < sim.count; t++) {
      const [p01, p02, p12] = [sim.soft[3 * t]!, sim.soft[3 * t + 1]!, sim.soft[3 * t + 2]!]
      expect(p01 + p02 + p12).toBeCloseTo(1, 5)
      // The stored odd-one-out (column 2) means the pair (0, 1) was chosen; its probability is soft[0].
      expected += p01
      chosePair01++
      // The soft label of the stored pair agrees with the dot products.
      const [a, b, c] = [sim.indices[3 * t]!, sim.indices[3 * t + 1]!, sim.indices[3 * t + 2]!]
      const s = (u: number, v: number) => Array.from({ length: p }, (_, d) => x[u * p + d]! * x[v * p + d]!).reduce((m, w) => m + w, 0)
      const z = Math.exp(s(a, b) / 2) + Math.exp(s(a, c) / 2) + Math.exp(s(b, c) / 2)
      if (t < 200) expect(p01).toBeCloseTo(Math.exp(s(a, b) / 2) / z, 4)
    }
    // Each stored choice is the sampled one: on average its probability is the mean of the sampled pair's
    // probability, which for softmax sampling equals E[Σ p²]; compare with the re-derived sum.
    let sumSquares = 0
    for (let t = 0; t < sim.count; t++) sumSquares += sim.soft[3 * t]! ** 2 + sim.soft[3 * t + 1]! ** 2 + sim.soft[3 * t + 2]! ** 2
    expect(Math.abs(expected / chosePair01 - sumSquares / sim.count)).toBeLessThan(0.01)
  })

  it('is deterministic at a low temperature: the most similar pair is always kept together', () => {
    const sim = simulateTriplets(x, n, p, 2000, 5, 1e-3)
    expect(sim.meanMaxProbability).toBeGreaterThan(0.99)
    // Near-ties aside, the sampled pair is the most similar one.
    let kept = 0
    for (let t = 0; t < sim.count; t++) if (sim.soft[3 * t]! > 0.9) kept++
    expect(kept / sim.count).toBeGreaterThan(0.98)
  })

  it('finds a temperature for any reachable target', () => {
    const sims = new Float64Array([5, 1, 0, 2, 2, 1, 0, 3, 1])
    for (const target of [0.4, 0.673, 0.8]) expect(meanMaxProbability(sims, calibrateTemperature(sims, target))).toBeCloseTo(target, 6)
    expect(() => calibrateTemperature(sims, 0.2)).toThrow(/between 1\/3 and 1/)
    // The tie in the second triplet caps the mean at (1 + 1/2 + 1) / 3.
    expect(() => calibrateTemperature(sims, 0.9)).toThrow('cannot reach a mean choice probability of 0.9 (at most 0.833: too many ties)')
  })
})
