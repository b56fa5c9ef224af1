// Triplets derived from similarity matrices, and the triplet browser's filters and orders, on constructed cases.
import { describe, expect, it } from 'vitest'
import { deriveTriplets } from '../../src-main/core/data/deriveTriplets'
import { entropyBits, modelChoice, selectTriplets, type TripletFilter, type TripletViewData } from '../../src-main/core/data/tripletView'

describe('triplets derived from similarity matrices', () => {
  // Four objects on a line at 0, 1, 3, 7 (distances |a − b|), and a second subject with objects 0 and 3 swapped.
  const position = [[0, 1, 3, 7], [7, 1, 3, 0]]
  const matrices = position.flatMap((at) => at.flatMap((a) => at.map((b) => Math.abs(a - b))))

  it('writes every triplet once, the majority odd-one-out in column 2, and the votes as soft labels', () => {
    const { count, indices, soft } = deriveTriplets(matrices, 2, 4, false)
    expect(count).toBe(4)
    const rows = Array.from({ length: count }, (_, t) => ({ objects: Array.from(indices.subarray(3 * t, 3 * t + 3)), soft: Array.from(soft.subarray(3 * t, 3 * t + 3)) }))
    // (0, 1, 2): subject 1 pairs 0–1 (distance 1); subject 2 (positions 7, 1, 3) pairs 1–2 (distance 2): a tie, either
    // pair written first (drawn at random), its votes first.
    expect([{ objects: [0, 1, 2], soft: [0.5, 0, 0.5] }, { objects: [1, 2, 0], soft: [0.5, 0.5, 0] }]).toContainEqual(rows[0])
    // (0, 1, 3): subject 1 pairs 0–1, subject 2 (7, 1, 0) pairs 1–3; the written columns follow the majority (0–1).
    expect(rows[1]).toEqual({ objects: [0, 1, 3], soft: [0.5, 0, 0.5] })
    // (0, 2, 3): subject 1 (positions 0, 3, 7) pairs 0–2; subject 2 (7, 3, 0) pairs 2–3: a tie again.
    expect([{ objects: [0, 2, 3], soft: [0.5, 0, 0.5] }, { objects: [2, 3, 0], soft: [0.5, 0.5, 0] }]).toContainEqual(rows[2])
    // (1, 2, 3): subject 1 (1, 3, 7) pairs 1–2; subject 2 (1, 3, 0) pairs 1–3: a tie.
    expect([{ objects: [1, 2, 3], soft: [0.5, 0.5, 0] }, { objects: [1, 3, 2], soft: [0.5, 0.5, 0] }]).toContainEqual(rows[3])
    for (let t = 0; t < count; t++) expect(soft[3 * t]! + soft[3 * t + 1]! + soft[3 * t + 2]!).toBeCloseTo(1, 6)
  })

  it('splits a tied vote within one subject, and reads similarities the other way round', () => {
    const equal = [0, 1, 1, 1, 0, 1, 1, 1, 0]
    expect(Array.from(deriveTriplets(equal, 1, 3, false).soft)).toEqual([1 / 3, 1 / 3, 1 / 3].map(Math.fround))
    // As similarities, the largest value is the most similar pair.
    const similar = [0, 5, 1, 5, 0, 2, 1, 2, 0]
    expect(Array.from(deriveTriplets(similar, 1, 3, true).indices)).toEqual([0, 1, 2])
    expect(Array.from(deriveTriplets(similar, 1, 3, false).indices)).toEqual([0, 2, 1])
  })

  it('refuses too many objects', () => {
    expect(() => deriveTriplets([], 1, 301, false)).toThrow(/at most 300 objects/)
  })
})

describe('selecting triplets for the browser', () => {
  // Five triplets; model A right on 0, 1, 4; model B right on 0 and 2; both choose object 0 on triplet 3.
  const a = Float32Array.from([0.8, 0.1, 0.1, 0.6, 0.3, 0.1, 0.2, 0.7, 0.1, 0.1, 0.1, 0.8, 0.5, 0.25, 0.25])
  const b = Float32Array.from([0.9, 0.05, 0.05, 0.2, 0.7, 0.1, 0.5, 0.3, 0.2, 0.3, 0.3, 0.4, 0.1, 0.1, 0.8])
  const data: TripletViewData = {
    indices: Int32Array.from([0, 1, 2, 1, 2, 3, 2, 3, 4, 0, 3, 4, 5, 6, 7]),
    count: 5,
    models: [a, b],
    soft: Float32Array.from([1, 0, 0, 1 / 3, 1 / 3, 1 / 3, 0.5, 0.5, 0, 1, 0, 0, 0.9, 0.1, 0]),
    levels: Int32Array.from([0, 1, 0, 1, 0]),
  }
  const none: TripletFilter = { agreement: 'any', inCategory: null, level: null, entropy: null, object: null }
  const pick = (filter: Partial<TripletFilter>, sort: Parameters<typeof selectTriplets>[2] = 'index') => Array.from(selectTriplets(data, { ...none, ...filter }, sort))

  it('reads choices and entropies', () => {
    expect([0, 1, 2, 3, 4].map((t) => modelChoice(a, t))).toEqual([2, 2, 1, 0, 2])
    expect(entropyBits([1 / 3, 1 / 3, 1 / 3], 0)).toBeCloseTo(Math.log2(3), 12)
    expect(entropyBits([1, 0, 0], 0)).toBe(0)
  })

  it('filters by agreement between the human and the models', () => {
    expect(pick({})).toEqual([0, 1, 2, 3, 4])
    expect(pick({ agreement: 'allAgree' })).toEqual([0])
    expect(pick({ agreement: 'someWrong' })).toEqual([1, 2, 3, 4])
    expect(pick({ agreement: 'allWrong' })).toEqual([3])
    // On triplet 3 both are wrong the same way.
    expect(pick({ agreement: 'modelsDisagree' })).toEqual([1, 2, 4])
  })

  it('filters by object, category, level and entropy (of the human votes)', () => {
    expect(pick({ object: 3 })).toEqual([1, 2, 3])
    const inCategory = new Uint8Array(8)
    inCategory[7] = 1
    expect(pick({ inCategory })).toEqual([4])
    expect(pick({ level: 1 })).toEqual([1, 3])
    expect(pick({ entropy: [0.9, 2] })).toEqual([1, 2])
    expect(pick({ entropy: [0, 0.5], level: 0 })).toEqual([0, 4])
  })

  it("sorts by the first model's confidence and by entropy, ties in stored order", () => {
    expect(pick({}, 'confidence')).toEqual([0, 3, 2, 1, 4])
    expect(pick({}, 'confidenceAsc')).toEqual([4, 1, 2, 0, 3])
    // Human vote entropies: 0, log2 3, 1, 0, 0.469.
    expect(pick({}, 'entropy')).toEqual([1, 2, 4, 0, 3])
    expect(pick({}, 'entropyAsc')).toEqual([0, 3, 4, 2, 1])
  })
})
