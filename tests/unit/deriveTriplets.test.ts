import { describe, expect, it } from 'vitest'
import { deriveTriplets } from '../../src-main/core/data/deriveTriplets'

/** Three objects' dissimilarity matrix from d(0,1), d(0,2), d(1,2). */
const matrix = (d01: number, d02: number, d12: number) => [0, d01, d02, d01, 0, d12, d02, d12, 0]

describe('deriveTriplets noise ceiling', () => {
  it('holds each subject out against the majority of the others, ties split', () => {
    // A and B pick (0, 1); C ties (0, 2) with (1, 2). A and B each agree with the others' majority (0, 1); C's vote
    // has nothing on it: (1 + 1 + 0) / 3.
    const agreeing = deriveTriplets([...matrix(1, 2, 3), ...matrix(1, 3, 2), ...matrix(2, 1, 1)], 3, 3, false)
    expect(agreeing.ceiling).toBeCloseTo(2 / 3, 15)
    expect(Array.from(agreeing.soft)).toEqual([2 / 3, 0.5 / 3, 0.5 / 3].map(Math.fround))
    // A and C pick (0, 1), B picks (0, 2): held out, A faces a tie of B's and C's picks (1/2), B faces (0, 1) (0), C a
    // tie (1/2): (1/2 + 0 + 1/2) / 3.
    expect(deriveTriplets([...matrix(1, 2, 3), ...matrix(2, 1, 3), ...matrix(1, 3, 2)], 3, 3, false).ceiling).toBeCloseTo(1 / 3, 15)
    // Similarities vote for the largest; one subject has no others to agree with.
    expect(deriveTriplets([...matrix(3, 2, 1), ...matrix(3, 1, 2)], 2, 3, true).ceiling).toBe(1)
    expect(deriveTriplets(matrix(1, 2, 3), 1, 3, false).ceiling).toBeNull()
  })
})

describe('deriveTriplets ties', () => {
  it('breaks a tied majority at random among the tied pairs, not by the objects\' order, the same every time', () => {
    // Two subjects of 12 objects who disagree on many triplets: each disagreement is a 1–1 tie.
    const n = 12
    const a = Array.from({ length: n * n }, (_, k) => (Math.floor(k / n) === k % n ? 0 : ((Math.floor(k / n) + 1) * ((k % n) + 1) * 7) % 13))
    const b = Array.from({ length: n * n }, (_, k) => (Math.floor(k / n) === k % n ? 0 : ((Math.floor(k / n) + (k % n)) * 5) % 11))
    const derived = deriveTriplets([...a, ...b], 2, n, false)
    /** Each subject's vote for the pairs (ij, ik, jk) of i < j < k, split on its own ties. */
    const votes = (i: number, j: number, k: number) => {
      const sum = [0, 0, 0]
      for (const m of [a, b]) {
        const d = [m[i * n + j]!, m[i * n + k]!, m[j * n + k]!]
        const low = Math.min(...d)
        d.forEach((v, q) => (sum[q]! += v === low ? 1 / d.filter((x) => x === low).length : 0))
      }
      return sum
    }
    let tied = 0
    let first = 0
    for (let t = 0; t < derived.count; t++) {
      const row = Array.from(derived.indices.subarray(3 * t, 3 * t + 3))
      const [i, j, k] = [...row].sort((x, y) => x - y) as [number, number, number]
      const sum = votes(i, j, k)
      const leading = [0, 1, 2].filter((q) => sum[q]! > Math.max(...sum) - 1e-9)
      // The pair written first: the one without the odd one out (ij without k, ik without j, jk without i).
      const chosen = row[2] === k ? 0 : row[2] === j ? 1 : 2
      expect(leading).toContain(chosen)
      if (leading.length > 1) {
        tied++
        if (chosen === leading[0]) first++
      }
    }
    expect(derived.tied).toBe(tied)
    expect(tied).toBeGreaterThan(50)
    // By the objects' order the first of the tied pairs would win every time; at random, about half the time.
    expect(first / tied).toBeGreaterThan(0.3)
    expect(first / tied).toBeLessThan(0.7)
    expect(Array.from(deriveTriplets([...a, ...b], 2, n, false).indices)).toEqual(Array.from(derived.indices))
  })
})
