import { describe, expect, it } from 'vitest'
import { labelTriplets, nearestClusters, sampleTriplets } from '../../src-main/core/alignet/sampling'

// 30 images in 3 clusters of 10 (image i in cluster ⌊i / 10⌋).
const labels = Int32Array.from({ length: 30 }, (_, i) => Math.floor(i / 10))
const sets = (t: Int32Array) => Array.from({ length: t.length / 3 }, (_, i) => [...t.subarray(3 * i, 3 * i + 3)].sort((a, b) => a - b).join(','))

describe('triplet sampling from clusters', () => {
  it('between: two from one cluster, the third from another, never the same triplet twice', () => {
    const t = sampleTriplets(labels, 3, { mode: 'between', count: 500, seed: 1 })
    for (let i = 0; i < 500; i++) {
      expect(labels[t[3 * i]!]).toBe(labels[t[3 * i + 1]!])
      expect(labels[t[3 * i + 2]!]).not.toBe(labels[t[3 * i]!])
      expect(t[3 * i]).not.toBe(t[3 * i + 1])
    }
    expect(new Set(sets(t)).size).toBe(500)
    expect(sampleTriplets(labels, 3, { mode: 'between', count: 500, seed: 1 })).toEqual(t)
  })

  it('within: three different images of one cluster', () => {
    const t = sampleTriplets(labels, 3, { mode: 'within', count: 300, seed: 2 })
    for (let i = 0; i < 300; i++) {
      const [a, b, c] = [t[3 * i]!, t[3 * i + 1]!, t[3 * i + 2]!]
      expect(new Set([labels[a], labels[b], labels[c]]).size).toBe(1)
      expect(new Set([a, b, c]).size).toBe(3)
    }
    expect(new Set(sets(t)).size).toBe(300)
  })

  it('border: the third image from the nearest cluster', () => {
    // Centroids on a line at 0, 1 and 10: the nearest of 0 is 1, of 1 is 0, of 2 is 1.
    const nearest = nearestClusters(Float32Array.of(0, 1, 10), 3, 1)
    expect(Array.from(nearest)).toEqual([1, 0, 1])
    const t = sampleTriplets(labels, 3, { mode: 'border', count: 200, seed: 3, nearest })
    for (let i = 0; i < 200; i++) expect(labels[t[3 * i + 2]!]).toBe(nearest[labels[t[3 * i]!]!])
  })

  it('says when fewer distinct triplets exist than asked', () => {
    // Clusters of 3 images: 3 clusters × 1 set each = 3 distinct "within" triplets.
    const small = Int32Array.of(0, 0, 0, 1, 1, 1, 2, 2, 2)
    expect(() => sampleTriplets(small, 3, { mode: 'within', count: 4, seed: 0 })).toThrow('only 3 distinct "within" triplets could be drawn from these clusters; ask for fewer')
    expect(() => sampleTriplets(Int32Array.of(0, 0), 1, { mode: 'between', count: 1, seed: 0 })).toThrow('"between" triplets need two clusters')
  })
})

describe('teacher labels', () => {
  it('orders each triplet with the odd one out last and gives [s01, s02, s12] in that order', () => {
    // 1-d features: images 0 and 2 are close (1 and 1.1), image 1 far (−3).
    const z = Float32Array.of(1, -3, 1.1)
    const { ordered, similarities } = labelTriplets(z, 1, Int32Array.of(0, 1, 2))
    expect(Array.from(ordered)).toEqual([0, 2, 1])
    ;[1 * 1.1, 1 * -3, 1.1 * -3].forEach((v, i) => expect(similarities[i]).toBeCloseTo(v, 6))
  })
})
