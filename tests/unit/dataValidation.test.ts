import { describe, expect, it } from 'vitest'
import { toFeatureSet } from '../../src-main/core/data/features'
import { toSimilarityMatrix } from '../../src-main/core/data/similarity'
import { toTripletSet } from '../../src-main/core/data/triplets'

const f32 = (shape: number[], values: number[]) => ({ dtype: '<f4' as const, shape, data: Float32Array.from(values) })
const f64 = (shape: number[], values: number[]) => ({ dtype: '<f8' as const, shape, data: Float64Array.from(values) })
const cols = (rows: number[][]) => [0, 1, 2].map((c) => rows.map((r) => r[c]!))

describe('FeatureSet', () => {
  it('accepts an n×p matrix with unique ids', () => {
    const f = toFeatureSet(f64([2, 3], [1, 2, 3, 4, 5, 6]), ['a', 'b'])
    expect(f).toMatchObject({ n: 2, p: 3, ids: ['a', 'b'] })
    expect(f.data).toBeInstanceOf(Float32Array)
    expect(toFeatureSet(f32([3], [1, 2, 3]))).toMatchObject({ n: 3, p: 1, ids: ['0', '1', '2'] })
  })

  it('names each problem and its fix', () => {
    expect(() => toFeatureSet(f32([2, 2], [1, NaN, 3, 4]))).toThrow('features hold NaN at object 0, feature 1 (0-based). Remove or impute missing values before importing.')
    expect(() => toFeatureSet(f32([2, 2], [1, 2, Infinity, 4]))).toThrow('features hold an infinite value at object 1, feature 0')
    expect(() => toFeatureSet(f32([2, 2], [1, 2, 3, 4]), ['a'])).toThrow('there are 2 feature rows but 1 object ids. The id list must have one line per row.')
    expect(() => toFeatureSet(f32([2, 2], [1, 2, 3, 4]), ['a', 'a'])).toThrow('object id "a" appears twice (rows 0 and 1). Object ids must be unique.')
    expect(() => toFeatureSet(f32([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]))).toThrow('features must be a 2-D array (objects × features), but this one has shape [2 × 2 × 2]')
    expect(() => toFeatureSet({ dtype: '<i8', shape: [1, 1], data: BigInt64Array.of(1n) })).toThrow(/64-bit integers/)
  })
})

describe('TripletSet', () => {
  it('accepts 0-based triplets and knows the odd-one-out is column 2', () => {
    const t = toTripletSet(cols([[0, 1, 2], [3, 0, 1]]), { objects: 4 })
    expect(t).toMatchObject({ count: 2, objects: 4, converted: false })
    expect(Array.from(t.indices)).toEqual([0, 1, 2, 3, 0, 1])
  })

  it('detects 1-based files and converts them when asked', () => {
    const oneBased = cols([[1, 2, 3], [4, 1, 2]])
    expect(() => toTripletSet(oneBased, { objects: 4 })).toThrow('the indices look 1-based (smallest 1, largest 4 for 4 objects). If they count from 1, import with the one-based option (--one-based)')
    expect(() => toTripletSet(oneBased)).toThrow(/look 1-based \(smallest 1, largest 4\)/)
    const t = toTripletSet(oneBased, { objects: 4, oneBased: true })
    expect(Array.from(t.indices)).toEqual([0, 1, 2, 3, 0, 1])
    expect(t.converted).toBe(true)
    expect(toTripletSet(oneBased, { oneBased: false }).objects).toBe(5)
  })

  it('names out-of-range indices, repeated objects and non-integers', () => {
    expect(() => toTripletSet(cols([[0, 1, 7]]), { objects: 5 })).toThrow('triplet 0 refers to object 7, but the object list has 5 objects (0…4). Check that the triplets belong to this object list.')
    // The first triplet out of range is named, not the one holding the largest or smallest index.
    expect(() => toTripletSet(cols([[0, 1, 2], [0, 1, 6], [9, 1, 2]]), { objects: 5 })).toThrow('triplet 1 refers to object 6')
    expect(() => toTripletSet(cols([[1, 2, 3], [2, 1, 0], [1, 2, 9]]), { objects: 5, oneBased: true })).toThrow('triplet 1 refers to object 0 (1-based), but the object list has 5 objects (1…5)')
    expect(() => toTripletSet(cols([[0, 1, 2], [3, 4, NaN]]), { objects: 5 })).toThrow('triplet 1 (line 2 of the data), column 2: NaN is not a whole number')
    expect(() => toTripletSet(cols([[0, 2, 2]]), { objects: 5 })).toThrow('triplet 0 names object 2 twice (0, 2, 2)')
    expect(() => toTripletSet(cols([[0, 1.5, 2]]), { objects: 5 })).toThrow('triplet 0 (line 1 of the data), column 1: 1.5 is not a whole number')
    expect(() => toTripletSet([[0], [1]])).toThrow('triplets need three columns')
  })
})

describe('SimilarityMatrix', () => {
  it('accepts one or several symmetric matrices', () => {
    expect(toSimilarityMatrix(f64([2, 2], [0, 1, 1, 0]), 'dissimilarity')).toMatchObject({ n: 2, subjects: 1 })
    expect(toSimilarityMatrix(f64([2, 2, 2], [0, 1, 1, 0, 0, 2, 2, 0]), 'dissimilarity')).toMatchObject({ n: 2, subjects: 2 })
  })

  it('expands condensed pair vectors (scipy squareform / MATLAB pdist order)', () => {
    // pairs (0,1), (0,2), (1,2)
    const m = toSimilarityMatrix(f64([1, 3], [1, 2, 3]), 'dissimilarity')
    expect(m).toMatchObject({ n: 3, subjects: 1 })
    expect(Array.from(m.data)).toEqual([0, 1, 2, 1, 0, 3, 2, 3, 0])
    const two = toSimilarityMatrix(f64([2, 3], [1, 2, 3, 4, 5, 6]), 'dissimilarity')
    expect(two).toMatchObject({ n: 3, subjects: 2 })
    expect(Array.from(two.data.subarray(9))).toEqual([0, 4, 5, 4, 0, 6, 5, 6, 0])
  })

  it('names non-square, asymmetric and non-finite matrices', () => {
    expect(() => toSimilarityMatrix(f64([2, 4], [0, 1, 2, 3, 4, 5, 6, 7]), 'similarity')).toThrow('the matrix is not square (2 × 4)')
    expect(() => toSimilarityMatrix(f64([2, 2], [0, 1, 2, 0]), 'similarity')).toThrow('the matrix is not symmetric: row 0, column 1 is 1 but row 1, column 0 is 2.')
    expect(() => toSimilarityMatrix(f64([2, 2, 2], [0, 1, 1, 0, 0, NaN, 1, 0]), 'similarity')).toThrow('the matrix holds NaN at subject 1, row 0, column 1.')
  })
})
