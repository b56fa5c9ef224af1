// Representation maps and orders against scikit-learn and SciPy (tests/fixtures/maps/make_fixtures.py).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { averageLinkageOrder } from '../../src-main/core/maps/clusterOrder'
import { euclideanDistances, nearestNeighbours, pca, representationMap } from '../../src-main/core/maps/representationMap'
import { jointProbabilities, tsne } from '../../src-main/core/maps/tsne'

const ref = JSON.parse(readFileSync(join(__dirname, '../fixtures/maps/reference.json'), 'utf8')) as {
  x: number[]
  n: number
  dims: number
  perplexity: number
  p: number[]
  start: number[]
  kl: number
  explained: number[]
  linkageDistances: number[]
  linkageOrder: number[]
}
const x = Float32Array.from(ref.x)

beforeAll(async () => {
  await tf.setBackend('cpu')
})

function squaredDistances(): Float64Array {
  const { n, dims } = ref
  const d = new Float64Array(n * n)
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < dims; k++) d[i * n + j]! += (ref.x[i * dims + k]! - ref.x[j * dims + k]!) ** 2
  return d
}

describe('t-SNE', () => {
  it("calibrates the joint probabilities to the perplexity exactly as scikit-learn's", () => {
    // scikit-learn rounds the distances to float32 before its search; the same input here.
    const p = jointProbabilities(squaredDistances().map(Math.fround), ref.n, ref.perplexity)
    let worst = 0
    for (let k = 0; k < p.length; k++) if (ref.p[k]! > 0) worst = Math.max(worst, Math.abs(p[k]! - ref.p[k]!) / ref.p[k]!)
    expect(worst).toBeLessThan(1e-9)
  })

  it("reaches scikit-learn's KL divergence from the same start", async () => {
    const result = await tsne(squaredDistances(), ref.n, Float64Array.from(ref.start), { perplexity: ref.perplexity })
    // Same algorithm, but scikit-learn's P is computed from float32 distances and its KL is the one before the last
    // update, so the trajectories part after a few hundred iterations; the optimum reached must be as good (0.1859 here).
    expect(result.kl).toBeLessThan(ref.kl * 1.02)
    expect(result.kl).toBeGreaterThan(ref.kl * 0.9)
  })

  it('separates the three blobs: every point nearer its own blob in the map', async () => {
    const map = await representationMap({ kind: 'features', data: x, n: ref.n, p: ref.dims }, 'tsne', { perplexity: 10 })
    const blob = (i: number) => Math.floor(i / 20)
    for (let i = 0; i < ref.n; i++) {
      let nearest = -1
      let best = Infinity
      for (let j = 0; j < ref.n; j++) {
        if (j === i) continue
        const d = (map.coordinates[2 * i]! - map.coordinates[2 * j]!) ** 2 + (map.coordinates[2 * i + 1]! - map.coordinates[2 * j + 1]!) ** 2
        if (d < best) [best, nearest] = [d, j]
      }
      expect(blob(nearest)).toBe(blob(i))
    }
  })

  it('refuses a perplexity as large as the number of objects', async () => {
    await expect(tsne(new Float64Array(25), 5, new Float64Array(10), { perplexity: 5 })).rejects.toThrow(/perplexity \(5\) must be less than the number of objects \(5\)/)
  })
})

describe('PCA and MDS', () => {
  it("explains the variance scikit-learn's PCA explains", async () => {
    const map = await pca(x, ref.n, ref.dims)
    expect(map.explained![0]).toBeCloseTo(ref.explained[0]!, 5)
    expect(map.explained![1]).toBeCloseTo(ref.explained[1]!, 5)
  })

  it('PCA of fewer objects than features (rank below the subspace) gives the same scores with zero columns added, up to sign', async () => {
    const few = x.slice(0, 4 * ref.dims)
    const wide = new Float32Array(4 * 8)
    for (let i = 0; i < 4; i++) for (let k = 0; k < 8; k++) wide[i * 8 + k] = k < ref.dims ? few[i * ref.dims + k]! : 0
    const [narrow, broad] = [await pca(few, 4, ref.dims), await pca(wide, 4, 8)]
    for (let c = 0; c < 2; c++) {
      const sign = Math.sign(narrow.coordinates[c]! * broad.coordinates[c]!)
      for (let i = 0; i < 4; i++) expect(broad.coordinates[i * 2 + c]! * sign).toBeCloseTo(narrow.coordinates[i * 2 + c]!, 3)
    }
  })

  it('classical MDS of a dissimilarity matrix keeps the distances of a planar configuration', async () => {
    const points = [0, 0, 3, 0, 0, 4, 3, 4, 1, 2]
    const n = 5
    const d = new Float64Array(n * n)
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) d[i * n + j] = Math.hypot(points[2 * i]! - points[2 * j]!, points[2 * i + 1]! - points[2 * j + 1]!)
    const map = await representationMap({ kind: 'dissimilarity', data: d, n }, 'mds')
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      expect(Math.hypot(map.coordinates[2 * i]! - map.coordinates[2 * j]!, map.coordinates[2 * i + 1]! - map.coordinates[2 * j + 1]!)).toBeCloseTo(d[i * n + j]!, 3)
    }
  })
})

describe('UMAP', () => {
  it('finds the exact neighbours and keeps the blobs apart, the same map for the same seed', async () => {
    const d = await euclideanDistances(x, ref.n, ref.dims, false)
    const knn = nearestNeighbours(d, ref.n, 3)
    expect(knn.indices[0]![0]).toBe(0)
    expect(knn.distances[0]![1]).toBeLessThanOrEqual(knn.distances[0]![2]!)
    const input = { kind: 'features' as const, data: x, n: ref.n, p: ref.dims }
    const [first, second] = [await representationMap(input, 'umap', { seed: 3 }), await representationMap(input, 'umap', { seed: 3 })]
    expect(Array.from(second.coordinates)).toEqual(Array.from(first.coordinates))
    // Mean distance between blob centroids well above the mean spread within a blob.
    const centroid = (b: number) => [0, 1].map((c) => Array.from({ length: 20 }, (_, k) => first.coordinates[2 * (b * 20 + k) + c]!).reduce((s, v) => s + v, 0) / 20)
    const spread = (b: number) => Array.from({ length: 20 }, (_, k) => Math.hypot(first.coordinates[2 * (b * 20 + k)]! - centroid(b)[0]!, first.coordinates[2 * (b * 20 + k) + 1]! - centroid(b)[1]!)).reduce((s, v) => s + v, 0) / 20
    const apart = Math.min(...[[0, 1], [0, 2], [1, 2]].map(([a, b]) => Math.hypot(centroid(a!)[0]! - centroid(b!)[0]!, centroid(a!)[1]! - centroid(b!)[1]!)))
    expect(apart).toBeGreaterThan(3 * Math.max(spread(0), spread(1), spread(2)))
  })
})

describe('average-linkage order', () => {
  it("equals SciPy's leaves_list of linkage(…, 'average')", () => {
    expect(averageLinkageOrder(ref.linkageDistances, 7)).toEqual(ref.linkageOrder)
  })

  it('puts the two close pairs side by side', () => {
    // 0 and 2 are close, 1 and 3 are close.
    const d = [0, 9, 1, 9, 9, 0, 9, 2, 1, 9, 0, 9, 9, 2, 9, 0]
    const order = averageLinkageOrder(d, 4)
    expect(Math.abs(order.indexOf(0) - order.indexOf(2))).toBe(1)
    expect(Math.abs(order.indexOf(1) - order.indexOf(3))).toBe(1)
  })
})
