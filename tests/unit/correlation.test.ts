import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { averageRanks, kendallTauA, pearson, spearman } from '../../src-main/core/metrics/correlation'

// scipy.stats values and hand-counted tau-a: tests/fixtures/metrics/make_fixtures.py
const cases = JSON.parse(readFileSync(join(__dirname, '../fixtures/metrics/correlations.json'), 'utf8')) as Record<
  string,
  { x: number[]; y: number[]; pearson: number; spearman: number; kendall_tau_a: number; ranks_x: number[] }
>

describe.each(Object.keys(cases))('correlations on %s data', (name) => {
  const c = cases[name]!
  it('match scipy and the hand count', () => {
    expect(pearson(c.x, c.y)).toBeCloseTo(c.pearson, 12)
    expect(spearman(c.x, c.y)).toBeCloseTo(c.spearman, 12)
    expect(kendallTauA(c.x, c.y)).toBeCloseTo(c.kendall_tau_a, 12)
    expect(Array.from(averageRanks(c.x))).toEqual(c.ranks_x)
  })
})

describe('correlation edge cases', () => {
  it('refuse mismatched lengths and say a constant vector has no correlation', () => {
    expect(() => pearson([1, 2], [1, 2, 3])).toThrow('the two vectors differ in length (2 and 3)')
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNaN()
    expect(kendallTauA([1, 2, 3], [3, 2, 1])).toBe(-1)
  })
})
