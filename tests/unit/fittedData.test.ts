import { describe, expect, it } from 'vitest'
import type { DatasetInfo, RunInfo } from '../../src-main/api/contract'
import { fittedDataNote } from '../../src-main/api/fittedData'

const dataset = (id: number, kind: DatasetInfo['kind'], name: string, meta: Record<string, unknown> = {}): DatasetInfo => ({ id, kind, name, sourcePath: null, artifact: null, shape: [], meta, createdAt: '' })
const probe = (id: number, triplets: number): RunInfo => ({ id, kind: 'probe', name: 'probe', params: { triplets }, result: {}, createdAt: '' })

describe('fittedDataNote', () => {
  // 16 subjects' matrices (1), their halves (2, 3), triplets derived from the whole (4) and from each half (5, 6).
  const datasets = [
    dataset(1, 'similarity', 'judgments'),
    dataset(2, 'similarity', 'subjects 1–8'),
    dataset(3, 'similarity', 'subjects 9–16'),
    dataset(4, 'triplets', 'every triplet', { derivedFrom: 1 }),
    dataset(5, 'triplets', 'triplets of 1–8', { derivedFrom: 2 }),
    dataset(6, 'triplets', 'triplets of 9–16', { derivedFrom: 3 }),
  ]

  it('names the triplets a probe was fitted to, and the matrices they came from', () => {
    const runs = [probe(7, 4)]
    expect(fittedDataNote(runs, datasets, 4, 1)).toBe(
      '"every triplet" are the triplets probe run #7 was fitted to. If that probe taught the student, this compares them on what the alignment learned from, not on held-out data. ' +
        "To test on people it did not see, fit the probe to half of the subjects' triplets and compare on the other half (Data page: Matrices as a dataset, then Derive triplets).",
    )
    expect(fittedDataNote(runs, datasets, '', 1)).toMatch(/^"judgments" gave the triplets probe run #7 was fitted to \("every triplet"\)\. If that probe/)
  })

  it('says nothing of the held-out half, or without a probe', () => {
    expect(fittedDataNote([probe(7, 5)], datasets, 6, 3)).toBeNull()
    expect(fittedDataNote([probe(7, 5)], datasets, '', '')).toBeNull()
    expect(fittedDataNote([], datasets, 4, 1)).toBeNull()
    expect(fittedDataNote([probe(7, 5)], datasets, 5, '')).toMatch(/^"triplets of 1–8" are the triplets probe run #7/)
  })
})
