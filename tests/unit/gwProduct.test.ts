// C1 T C2ᵀ, the cost of every outer GW step: TF.js in float32 (dense, or through the exact low-rank factors of
// cosine and correlation distances) and float64 through both factors, against the float64 host product, and a whole
// solve through it against POT.
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { chooseBackend } from '../../src-main/core/compute/backend'
import { randomGenerator } from '../../src-main/core/data/simulate'
import { distanceFactors, gwSide, hostCrossProduct, hostFactoredProduct, matMul, tfjsCrossProduct, transpose } from '../../src-main/core/gw/crossProduct'
import { entropicGw, GW_DEFAULTS } from '../../src-main/core/gw/entropicGw'
import { matchingRates } from '../../src-main/core/gw/matching'
import { rdmFromFeatures } from '../../src-main/core/metrics/rdm'
import { gwCrossProduct } from '../../src-main/jobs/gwProductPool'
import { relabelledCloud } from '../helpers/gwCloud'
import { WORKER_DIR } from '../helpers/seed'
import { gwReference } from '../helpers/gwReference'

beforeAll(async () => {
  await chooseBackend({ force: 'wasm' })
})

const ref = gwReference
const relative = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let [num, den] = [0, 0]
  for (let k = 0; k < a.length; k++) [num, den] = [num + (a[k]! - b[k]!) ** 2, den + b[k]! ** 2]
  return Math.sqrt(num / den)
}

describe('the GW cross product', () => {
  const random = randomGenerator(4)
  const [n, p] = [50, 6]
  const x = Float64Array.from({ length: n * p }, () => random() - 0.3)
  const y = Float64Array.from({ length: n * p }, () => random() - 0.6)
  const plan = Float64Array.from({ length: n * n }, () => random() / (n * n))

  it('factors cosine and correlation distances exactly, and declines Euclidean ones', () => {
    for (const measure of ['cosine', 'correlation'] as const) {
      const f = distanceFactors(x, n, p, measure)!
      expect(f.rank).toBe(p + 1)
      const lrT = matMul(Float64Array.from(f.l), n, f.rank, transpose(Float64Array.from(f.r), n, f.rank), n)
      const c = rdmFromFeatures(x, n, p, measure)
      // Off the diagonal L Rᵀ is the distance matrix (float32 factors); on it, 1 − x̂·x̂ = 0.
      expect(relative(lrT, c)).toBeLessThan(1e-6)
    }
    expect(distanceFactors(x, n, p, 'euclidean')).toBeNull()
    // Factors of rank p + 1 ≥ n / 2 cost more than the matrix.
    expect(distanceFactors(x, 10, 6, 'cosine')).toBeNull()
  })

  it('refuses a side whose objects cannot be told apart, and scales the rest to a largest dissimilarity of 1', () => {
    const cannot = /^cannot be aligned: .* so no object can be told from another/
    expect(() => gwSide(new Float64Array(n * n), n, undefined, 'euclidean', true)).toThrow(cannot)
    // Rows in one direction: their cosine distances are rounding (1e-16 here); normalised, that would be the signal.
    const parallel = Float64Array.from({ length: n * p }, (_, k) => (1 + Math.floor(k / p)) * (1 + (k % p)))
    const c = rdmFromFeatures(parallel, n, p, 'cosine')
    expect(Math.max(...c)).toBeGreaterThan(0)
    expect(() => gwSide(c, n, { data: parallel, p }, 'cosine', true)).toThrow(/same direction \(largest cosine distance/)
    // The same rows differ in length: Euclidean distances tell them apart.
    const side = gwSide(rdmFromFeatures(parallel, n, p, 'euclidean'), n, { data: parallel, p }, 'euclidean', true)
    expect(Math.max(...side.c)).toBe(1)
  })

  it('multiplies through both sides’ factors in float64 (WebAssembly) as the dense float64 product of L Rᵀ does', async () => {
    // 50 × 47: row lengths that leave the SIMD loop a tail; ranks 7 and 5.
    const m = 47
    const y5 = Float64Array.from({ length: m * 4 }, () => random() - 0.6)
    const [fx, fy] = [distanceFactors(x, n, p, 'cosine')!, distanceFactors(y5, m, 4, 'correlation')!]
    const dense = (f: { l: Float32Array; r: Float32Array; rank: number }, size: number) => matMul(Float64Array.from(f.l), size, f.rank, transpose(Float64Array.from(f.r), size, f.rank), size)
    const [c1, c2] = [dense(fx, n), dense(fy, m)]
    const product = hostFactoredProduct({ n, c: c1, factors: fx }, { n: m, c: c2, factors: fy })
    for (const seed of [1, 2]) {
      const t = Float64Array.from({ length: n * m }, (_, k) => ((k * 7919 * seed) % 101) / (101 * n * m))
      const exact = await hostCrossProduct(c1, n, c2, m).multiply(t)
      const got = Float64Array.from(await product.multiply(t))
      expect(relative(got, exact)).toBeLessThan(1e-13)
    }
  })

  it('equals the float64 product on the backend, dense and through the factors', async () => {
    const c1 = rdmFromFeatures(x, n, p, 'cosine')
    const c2 = rdmFromFeatures(y, n, p, 'correlation')
    const exact = await hostCrossProduct(c1, n, c2, n).multiply(plan)
    const sides = [
      [{ n, c: c1, factors: null }, { n, c: c2, factors: null }],
      [{ n, c: c1, factors: distanceFactors(x, n, p, 'cosine') }, { n, c: c2, factors: null }],
      [{ n, c: c1, factors: null }, { n, c: c2, factors: distanceFactors(y, n, p, 'correlation') }],
      [{ n, c: c1, factors: distanceFactors(x, n, p, 'cosine') }, { n, c: c2, factors: distanceFactors(y, n, p, 'correlation') }],
    ] as const
    for (const [one, two] of sides) {
      const product = tfjsCrossProduct(one, two)
      expect(relative(await product.multiply(plan), exact)).toBeLessThan(1e-5)
      product.dispose()
    }
    // Both sides factored, on a CPU backend: float64 through the factors — the product of the factored matrices
    // (float32 factors) in float64, and the dense product to the factors' own rounding.
    const [fx, fy] = [distanceFactors(x, n, p, 'cosine')!, distanceFactors(y, n, p, 'correlation')!]
    const factored = await gwCrossProduct({ n, c: c1, factors: fx }, { n, c: c2, factors: fy }, 'wasm')
    expect(factored.roundoff).toBe(2 ** -53)
    const dense = (f: typeof fx) => matMul(Float64Array.from(f.l), n, f.rank, transpose(Float64Array.from(f.r), n, f.rank), n)
    expect(relative(await factored.multiply(plan), await hostCrossProduct(dense(fx), n, dense(fy), n).multiply(plan))).toBeLessThan(1e-13)
    expect(relative(await factored.multiply(plan), exact)).toBeLessThan(1e-6)
  })

  it('solves POT’s problem in float32 on the backend to POT’s loss and matching', async () => {
    const [c1, c2] = [Float64Array.from(ref.c1), Float64Array.from(ref.c2)]
    const uniform = new Float64Array(ref.n).fill(1 / ref.n)
    const product = tfjsCrossProduct({ n: ref.n, c: c1, factors: null }, { n: ref.n, c: c2, factors: null })
    const r = await entropicGw(c1, c2, uniform, uniform, { ...GW_DEFAULTS, epsilon: ref.epsilon, product })
    product.dispose()
    expect(r.converged).toBe(true)
    expect(Math.abs(r.loss - ref.loss) / ref.loss).toBeLessThan(1e-4)
    expect(matchingRates(r.plan, ref.n, ref.n, [1])[0]).toBeCloseTo(ref.top1, 12)
  })
  it('recovers the relabelling of a point cloud, and every plan has the marginals', async () => {
    const m = 60
    const { sides, uniform, partner } = relabelledCloud(m)
    const product = tfjsCrossProduct(sides[0], sides[1])
    const r = await entropicGw(sides[0].c, sides[1].c, uniform, uniform, { ...GW_DEFAULTS, epsilon: 0.02, product })
    product.dispose()
    expect(r.unconvergedSinkhorn).toBe(0)
    // Row i of the plan (cloud object i) belongs at the copy's position of i.
    expect(matchingRates(r.plan, m, m, [1], partner)[0]).toBe(1)
    for (let i = 0; i < m; i++) expect(r.plan.subarray(i * m, (i + 1) * m).reduce((s, v) => s + v, 0)).toBeCloseTo(1 / m, 10)
    // Columns within the Sinkhorn tolerance: 1e-9 on ‖column sums − q‖₂.
    const columns = Array.from({ length: m }, (_, j) => Array.from({ length: m }, (_, i) => r.plan[i * m + j]!).reduce((s, v) => s + v, 0) - 1 / m)
    expect(Math.hypot(...columns)).toBeLessThanOrEqual(1e-9)
  })
  it('splits the dense product over helper threads, each on its own backend, to the same values', async () => {
    const random = randomGenerator(6)
    const m = 300
    const [c1, c2] = [0, 1].map(() => rdmFromFeatures(Float64Array.from({ length: m * 5 }, () => random()), m, 5, 'euclidean'))
    const t = Float64Array.from({ length: m * m }, () => random() / (m * m))
    const product = await gwCrossProduct({ n: m, c: c1!, factors: null }, { n: m, c: c2!, factors: null }, 'wasm', 2, join(WORKER_DIR, 'gwProductWorker.js'))
    const exact = await hostCrossProduct(c1!, m, c2!, m).multiply(t)
    expect(relative(await product.multiply(t), exact)).toBeLessThan(1e-5)
    // A second step reads the new plan from the shared memory.
    const doubled = t.map((v) => 2 * v)
    expect(relative(await product.multiply(doubled), exact.map((v) => 2 * v))).toBeLessThan(1e-5)
    product.dispose()
  })
})
