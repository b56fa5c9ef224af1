// The renderer's default choices of two datasets: ones of the same objects, since no other pair can be evaluated.
import { describe, expect, it } from 'vitest'
import type { DatasetInfo } from '../../src-main/api/contract'
import { sameObjectsPair } from '../../src-main/api/objectCount'

const dataset = (id: number, kind: DatasetInfo['kind'], shape: number[], meta: Record<string, unknown> = {}): DatasetInfo =>
  ({ id, kind, name: `d${id}`, shape, meta, sourcePath: null, artifact: null, createdAt: '' }) as unknown as DatasetInfo

// The THINGS example's feature sets, newest first (the 48 RDM objects, then all 1,854), and simulated triplets.
const rdm48 = dataset(2, 'features', [48, 66])
const all = dataset(1, 'features', [1854, 66])
const simulated = dataset(6, 'triplets', [100000, 3], { objects: 1854 })
const ofTheRdm = dataset(7, 'triplets', [17296, 3], { objects: 48 })

describe('sameObjectsPair', () => {
  it('chooses features and triplets of the same objects, not the first of each', () => {
    expect(sameObjectsPair([rdm48, all], [], '', '')).toEqual({ a: 2, b: '' })
    // Triplets arrive: the 48-object features chosen before cannot be evaluated on them, the 1,854 can.
    expect(sameObjectsPair([rdm48, all], [simulated], 2, '')).toEqual({ a: 1, b: 6 })
    // A kept choice that fits a pair stays.
    expect(sameObjectsPair([rdm48, all], [simulated, ofTheRdm], 2, '')).toEqual({ a: 2, b: 7 })
    expect(sameObjectsPair([rdm48, all], [simulated, ofTheRdm], '', 6)).toEqual({ a: 1, b: 6 })
  })

  it('keeps both choices while the lists hold them, even of different objects (the user chose them)', () => {
    expect(sameObjectsPair([rdm48, all], [simulated], 2, 6)).toEqual({ a: 2, b: 6 })
  })

  it('takes two different datasets from one list, and the first of each where nothing fits', () => {
    expect(sameObjectsPair([rdm48, all], [rdm48, all], '', '')).toEqual({ a: 2, b: 1 })
    const again = dataset(3, 'features', [1854, 10])
    expect(sameObjectsPair([rdm48, all, again], [rdm48, all, again], '', '')).toEqual({ a: 1, b: 3 })
    expect(sameObjectsPair([rdm48], [simulated], '', '')).toEqual({ a: 2, b: 6 })
    expect(sameObjectsPair([], [], '', '')).toEqual({ a: '', b: '' })
  })

  it('pairs a model\'s features with human matrices of the same objects first, from one list of representations', () => {
    // The 92-object example, newest first: probed features, human IT alone, the judgments, the features.
    const list = [dataset(9, 'features', [92, 32]), dataset(8, 'similarity', [92, 92]), dataset(1, 'similarity', [16, 92, 92]), dataset(5, 'features', [92, 1280])]
    expect(sameObjectsPair(list, list, '', '')).toEqual({ a: 9, b: 8 })
    // Without matrices, the first two of the same objects.
    expect(sameObjectsPair([list[0]!, list[3]!], [list[0]!, list[3]!], '', '')).toEqual({ a: 9, b: 5 })
  })
})
