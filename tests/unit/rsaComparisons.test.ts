// Models compared across subjects, against SciPy: for each pair, scipy.stats.wilcoxon(a - b) on the per-subject
// correlations, and scipy.stats.false_discovery_control over the pairs (SciPy 1.17.1):
//   A−B: mean 0.07, p 0.015625; A−C: 0.00375, p 0.7265625; B−C: −0.06625, p 0.046875; q 0.046875, 0.7265625, 0.0703125.
import { describe, expect, it } from 'vitest'
import type { RunInfo } from '../../src-main/api/contract'
import { rsaComparisons } from '../../src-main/api/rsaComparisons'
import { ceilingFor, rsaBar } from '../../src-main/api/rsaBar'

const A = [0.3, 0.25, 0.41, 0.22, 0.35, 0.28, 0.33, 0.27]
const B = [0.2, 0.21, 0.3, 0.25, 0.22, 0.18, 0.3, 0.19]
const C = [0.31, 0.24, 0.4, 0.2, 0.36, 0.29, 0.3, 0.28]
const names = Array.from({ length: 8 }, (_, s) => `subject ${s + 1}`)

let id = 0
const rsa = (a: string, r: number[], b = 'judgments', perMatrix: Record<string, unknown> = { side: 'b', names, r }): RunInfo =>
  ({ id: ++id, kind: 'rsa', name: `rsa: ${a} × ${b}`, params: {}, result: { method: 'spearman', r: 0.1, a, b, perMatrix }, createdAt: '' }) as RunInfo

describe('rsaComparisons', () => {
  it('compares every pair of models against the same subjects: paired signed-rank, FDR over the pairs', () => {
    const runs = [
      rsa('model A', A),
      rsa('model B', B),
      rsa('model C', C),
      // An older run of model A (newest first: the one above counts), one against other matrices, one of a single matrix.
      rsa('model A', B),
      rsa('model A', A, 'IT'),
      { ...rsa('model D', A), result: { method: 'spearman', r: 0.2, a: 'model D', b: 'judgments' } },
    ]
    const found = rsaComparisons(runs)
    expect(found.map((c) => [c.first, c.second, c.subjects])).toEqual([
      ['model A', 'model B', 8],
      ['model A', 'model C', 8],
      ['model B', 'model C', 8],
    ])
    const expected = [
      { mean: 0.07, p: 0.015625, q: 0.046875 },
      { mean: 0.00375, p: 0.7265625, q: 0.7265625 },
      { mean: -0.06625, p: 0.046875, q: 0.0703125 },
    ]
    found.forEach((c, k) => {
      expect(c.against).toBe('judgments')
      expect(c.meanDifference).toBeCloseTo(expected[k]!.mean, 12)
      expect(c.p).toBe(expected[k]!.p)
      expect(c.q).toBeCloseTo(expected[k]!.q, 15)
    })
  })

  it('pairs a run with the subjects on side A with runs that have them on side B', () => {
    // model B evaluated as judgments × model B: its r with each subject are the same numbers, so the same test.
    const found = rsaComparisons([rsa('model A', A), rsa('judgments', B, 'model B', { side: 'a', names, r: B })])
    expect(found).toHaveLength(1)
    expect(found[0]).toMatchObject({ against: 'judgments', first: 'model A', second: 'model B', subjects: 8, p: 0.015625 })
    expect(found[0]!.meanDifference).toBeCloseTo(0.07, 12)
  })

  it('leaves out subjects without a correlation, and runs of one model', () => {
    const withGap = [...A.slice(0, 7), null] as unknown as number[]
    const [only] = rsaComparisons([rsa('model A', withGap), rsa('model B', B)])
    expect(only!.subjects).toBe(7)
    expect(rsaComparisons([rsa('model A', A)])).toEqual([])
  })
})

describe('rsaBar', () => {
  it('draws the mean over subjects ± SEM where one side holds several matrices, read against that side\'s ceiling', () => {
    const perMatrix = { side: 'a', names, r: A, mean: 0.25, sem: 0.125 }
    expect(rsaBar({ method: 'spearman', r: 0.4, ci95: [0.3, 0.5], a: 'judgments', b: 'model', perMatrix })).toEqual({
      label: 'judgments × model (mean over 8 matrices)',
      r: 0.25,
      ci: [0.125, 0.375],
      whisker: '± SEM',
      method: 'spearman',
      against: 'judgments',
    })
    expect(rsaBar({ method: 'pearson', r: 0.4, ci95: [0.3, 0.5], a: 'model', b: 'RDM48' })).toEqual({ label: 'model × RDM48', r: 0.4, ci: [0.3, 0.5], method: 'pearson', against: 'RDM48' })
  })
})

describe('ceilingFor', () => {
  it('reads bars against the ceiling of the data they are against, not of other data', () => {
    const ceiling = (dataset: string, lower: number): RunInfo => ({ id: ++id, kind: 'ceiling', name: 'ceiling', params: {}, result: { lower, upper: lower + 0.1, dataset }, createdAt: '' }) as RunInfo
    const bars = [rsaBar({ method: 'spearman', r: 0.2, a: 'model', b: 'judgments', perMatrix: { side: 'b', names, r: A, mean: 0.25, sem: 0.125 } })]
    expect(ceilingFor(bars, [ceiling('IT', 0.3), ceiling('judgments', 0.478)])).toEqual({ lower: 0.478, upper: 0.578, label: '0.478–0.578' })
    expect(ceilingFor(bars, [ceiling('IT', 0.3)])).toBeNull()
  })
})
