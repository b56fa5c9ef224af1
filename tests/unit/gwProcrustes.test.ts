// k-NN matching after Procrustes: Jacobi eigenvalues, classical MDS of Euclidean distances, the plan-weighted
// rotation, and a rotated copy matched object for object.
import { beforeAll, describe, expect, it } from 'vitest'
import { chooseBackend } from '../../src-main/core/compute/backend'
import { randomGenerator } from '../../src-main/core/data/simulate'
import { classicalMds, knnAfterProcrustes, knnMatching, planProcrustes, symmetricEigen } from '../../src-main/core/gw/procrustes'
import { rdmFromFeatures } from '../../src-main/core/metrics/rdm'

beforeAll(async () => {
  await chooseBackend({ force: 'wasm' })
})

const random = randomGenerator(17)
const n = 40
const cloud = Float64Array.from({ length: n * 3 }, () => random() * 2 - 1)
/** A rotation about an oblique axis, row-major. */
const rotation = (() => {
  const [a, b] = [0.7, -0.4]
  const rz = [Math.cos(a), -Math.sin(a), 0, Math.sin(a), Math.cos(a), 0, 0, 0, 1]
  const rx = [1, 0, 0, 0, Math.cos(b), -Math.sin(b), 0, Math.sin(b), Math.cos(b)]
  return Float64Array.from({ length: 9 }, (_, k) => [0, 1, 2].reduce((s, t) => s + rz[Math.floor(k / 3) * 3 + t]! * rx[t * 3 + (k % 3)]!, 0))
})()
const rotated = Float64Array.from({ length: n * 3 }, (_, k) => [0, 1, 2].reduce((s, t) => s + cloud[Math.floor(k / 3) * 3 + t]! * rotation[t * 3 + (k % 3)]!, 0))
const identityPlan = Float64Array.from({ length: n * n }, (_, k) => (Math.floor(k / n) === k % n ? 1 / n : 0))

describe('k-NN matching after Procrustes', () => {
  it('finds the eigenvalues of a symmetric matrix (closed form: 3, 3, 1)', () => {
    const { values, vectors } = symmetricEigen(Float64Array.of(2, 1, 0, 1, 2, 0, 0, 0, 3), 3)
    Array.from(values).forEach((v, k) => expect(v).toBeCloseTo([3, 3, 1][k]!, 12))
    // The last eigenvector is ±(1, −1, 0)/√2.
    expect(Math.abs(vectors[0 * 3 + 2]!)).toBeCloseTo(Math.SQRT1_2, 12)
    expect(vectors[0 * 3 + 2]! + vectors[1 * 3 + 2]!).toBeCloseTo(0, 12)
  })

  it('embeds Euclidean distances by classical MDS so that they are reproduced', async () => {
    const d = rdmFromFeatures(cloud, n, 3, 'euclidean')
    const x = await classicalMds(d, n, 3)
    const again = rdmFromFeatures(x, n, 3, 'euclidean')
    for (let k = 0; k < n * n; k++) expect(again[k]!).toBeCloseTo(d[k]!, 4)
  })

  it('recovers the rotation from the plan and matches the rotated copy object for object', async () => {
    const q = planProcrustes(cloud, rotated, identityPlan, n, n, 3)
    Array.from(q).forEach((v, k) => expect(v).toBeCloseTo(rotation[k]!, 10))
    expect(knnMatching(cloud, rotated, q, n, 3, [1])).toEqual([1])
    const d = rdmFromFeatures(cloud, n, 3, 'euclidean')
    expect(await knnAfterProcrustes(d, d, identityPlan, n, 3)).toEqual([1, 1, 1])
    // With a plan that pairs nothing right, the rotation is wrong and the neighbours with it.
    const shifted = Float64Array.from({ length: n * n }, (_, k) => ((Math.floor(k / n) + 7) % n === k % n ? 1 / n : 0))
    expect((await knnAfterProcrustes(d, d, shifted, n, 3))[0]!).toBeLessThan(0.5)
  })
})
