import { describe, expect, it } from 'vitest'
import type { DatasetInfo, RunInfo } from '../../src-main/api/contract'
import { fittedDataNote } from '../../src-main/api/fittedData'

const dataset = (id: number, kind: DatasetInfo['kind'], name: string, meta: Record<string, unknown> = {}): DatasetInfo => ({ id, kind, name, sourcePath: null, artifact: null, shape: [], meta, createdAt: '' })
const probe = (id: number, triplets: number): RunInfo => ({ id, kind: 'probe', name: 'probe', params: { triplets }, result: {}, createdAt: '' })
const range = (from: number, count: number) => Array.from({ length: count }, (_, k) => from + k)

describe('fittedDataNote', () => {
  // 16 subjects' matrices (1), their halves (2, 3), triplets derived from the whole (4) and from each half (5, 6);
  // subjects 9 and 10 taken from the second half (8), subject 10 alone taken from the whole (9), triplets of 9 (10).
  const datasets = [
    dataset(1, 'similarity', 'judgments', { subjects: 16 }),
    dataset(2, 'similarity', 'subjects 1–8', { subjects: 8, matrixOfDataset: 1, matrices: range(0, 8) }),
    dataset(3, 'similarity', 'subjects 9–16', { subjects: 8, matrixOfDataset: 1, matrices: range(8, 8) }),
    dataset(4, 'triplets', 'every triplet', { derivedFrom: 1 }),
    dataset(5, 'triplets', 'triplets of 1–8', { derivedFrom: 2 }),
    dataset(6, 'triplets', 'triplets of 9–16', { derivedFrom: 3 }),
    dataset(8, 'similarity', 'subjects 9–10', { subjects: 2, matrixOfDataset: 3, matrices: [0, 1] }),
    dataset(9, 'similarity', 'subject 10', { subjects: 1, matrixOfDataset: 1, matrices: [9] }),
    dataset(10, 'triplets', 'triplets of 10', { derivedFrom: 9 }),
  ]
  const advice =
    ". If that probe taught the student, this compares them on what the alignment learned from, not on held-out data. To test on people it did not see, fit the probe to half of the subjects' triplets and compare on the other half (Data page: Matrices as a dataset, then Derive triplets)."

  it('names the triplets a probe was fitted to, and matrices of the subjects whose judgments they came from', () => {
    const runs = [probe(7, 4)]
    expect(fittedDataNote(runs, datasets, 4, 1)).toBe(`"every triplet" are the triplets probe run #7 was fitted to; "judgments" come from 16 subjects whose judgments probe run #7 was fitted to ("every triplet")${advice}`)
    // Half of the subjects is no held-out test of a probe fitted to all of them.
    expect(fittedDataNote(runs, datasets, 6, 3)).toBe(
      `"triplets of 9–16" come from 8 subjects whose judgments probe run #7 was fitted to ("every triplet"); "subjects 9–16" come from 8 subjects whose judgments probe run #7 was fitted to ("every triplet")${advice}`,
    )
    // Through a selection of a selection: subjects 9 and 10 of the whole, of which 10 taught the probe.
    expect(fittedDataNote([probe(7, 10)], datasets, '', 8)).toBe(`"subjects 9–10" come from a subject whose judgments probe run #7 was fitted to ("triplets of 10")${advice}`)
  })

  it('says nothing of the held-out half, or without a probe', () => {
    expect(fittedDataNote([probe(7, 5)], datasets, 6, 3)).toBeNull()
    expect(fittedDataNote([probe(7, 5)], datasets, 10, 8)).toBeNull()
    expect(fittedDataNote([probe(7, 5)], datasets, '', '')).toBeNull()
    expect(fittedDataNote([], datasets, 4, 1)).toBeNull()
    expect(fittedDataNote([probe(7, 5)], datasets, 5, '')).toMatch(/^"triplets of 1–8" are the triplets probe run #7 was fitted to\. /)
  })
})
