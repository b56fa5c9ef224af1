// Accuracy per category across runs: the Results page's and the report's table.
import { describe, expect, it } from 'vitest'
import { categoryAccuracy } from '../../src-main/api/categoryAccuracy'
import type { RunInfo } from '../../src-main/api/contract'

const run = (id: number, kind: string, result: Record<string, unknown>): RunInfo => ({ id, kind, name: `run ${id}`, params: {}, result, createdAt: '' })

describe('categoryAccuracy', () => {
  it('puts each run that counted its triplets by category in a column, each category some run has triplets of in a row', () => {
    const table = categoryAccuracy([
      run(1, 'odd-one-out', { features: 'model A', triplets: 'T', perCategory: { animal: { accuracy: 0.5, correct: 2, total: 4 }, tool: { accuracy: null, correct: 0, total: 0 } } }),
      run(2, 'rsa', { r: 0.4 }),
      run(3, 'odd-one-out', { features: 'model B', triplets: 'T', perCategory: null }),
      run(4, 'odd-one-out', { features: 'model C', triplets: 'T', perCategory: { tool: { accuracy: 1, correct: 3, total: 3 }, animal: { accuracy: 0.75, correct: 3, total: 4 } } }),
    ])
    expect(table).toEqual({
      runs: [
        { id: 1, features: 'model A', triplets: 'T' },
        { id: 4, features: 'model C', triplets: 'T' },
      ],
      // Run 1 has no tool triplet: its cell is empty, the row is there for run 4.
      categories: ['animal', 'tool'],
      cells: [
        [{ accuracy: 0.5, correct: 2, total: 4 }, { accuracy: 0.75, correct: 3, total: 4 }],
        [null, { accuracy: 1, correct: 3, total: 3 }],
      ],
    })
  })

  it('is null when no run has accuracy per category', () => {
    expect(categoryAccuracy([run(1, 'odd-one-out', { perCategory: { animal: { accuracy: null, correct: 0, total: 0 } } }), run(2, 'cka', { cka: 1 })])).toBeNull()
    expect(categoryAccuracy([])).toBeNull()
  })
})
