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
