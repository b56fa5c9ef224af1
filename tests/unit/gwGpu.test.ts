// Entropic GW with the plan, the cost and the Sinkhorn kernel in GPU buffers (our WGSL kernels on tfjs-webgpu's
// device; SwiftShader here): POT's loss and matching on its fixture, a relabelled point cloud recovered with plans
// that keep the marginals, and small ε: finite plans, overflowed potentials balanced again by log-domain steps.
import { beforeAll, describe, expect, it } from 'vitest'
import { chooseBackend } from '../../src-main/core/compute/backend'
import { randomGenerator } from '../../src-main/core/data/simulate'
import { distanceFactors, hostCrossProduct, tfjsCrossProduct } from '../../src-main/core/gw/crossProduct'
import { entropicGw, GW_DEFAULTS } from '../../src-main/core/gw/entropicGw'
import { canSolveOnGpu } from '../../src-main/core/gw/gpuGw'
import { marginal } from '../../src-main/core/gw/marginals'
import { matchingRates } from '../../src-main/core/gw/matching'
import { rdmFromFeatures } from '../../src-main/core/metrics/rdm'
import { relabelledCloud } from '../helpers/gwCloud'
import { matMulPrograms } from '../helpers/matMulPrograms'
import { useSwiftShader } from '../helpers/swiftshader'
import { gwReference } from '../helpers/gwReference'

const ref = gwReference

beforeAll(async () => {
  useSwiftShader()
  const choice = await chooseBackend({ force: 'webgpu' })
  expect(choice.name, JSON.stringify(choice.attempts)).toBe('webgpu')
})

/** Row and column sums of an n × m plan. */
function marginals(plan: Float64Array, n: number, m: number): { rows: Float64Array; columns: Float64Array } {
  const rows = new Float64Array(n)
  const columns = new Float64Array(m)
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) [rows[i], columns[j]] = [rows[i]! + plan[i * m + j]!, columns[j]! + plan[i * m + j]!]
  return { rows, columns }
}

const distance = (x: Float64Array, target: number) => Math.hypot(...Array.from(x, (v) => v - target))

describe('GW on the GPU', () => {
  it('solves POT’s problem to POT’s loss and matching, the plan within the float32 tolerance of the marginals', async () => {
    const [c1, c2] = [Float64Array.from(ref.c1), Float64Array.from(ref.c2)]
    const n = ref.n
    const uniform = new Float64Array(n).fill(1 / n)
    const product = tfjsCrossProduct({ n, c: c1, factors: null }, { n, c: c2, factors: null })
    expect(canSolveOnGpu(product)).toBe(true)
    const r = await entropicGw(c1, c2, uniform, uniform, { ...GW_DEFAULTS, epsilon: ref.epsilon, product })
    product.dispose()
    expect(r.converged).toBe(true)
    expect(r.unconvergedSinkhorn).toBe(0)
    // With Sinkhorn momentum (ω from the errors read at iterations 10 and 20): 530 iterations; plain ones took 956.
    expect(r.sinkhornIterations).toBeLessThan(700)
    expect(Math.abs(r.loss - ref.loss) / ref.loss).toBeLessThan(1e-4)
    expect(matchingRates(r.plan, n, n, [1])[0]).toBeCloseTo(ref.top1, 12)
    // The tolerance floor: 1e-5 ‖q‖₂ on the columns (and the rows, exact after the last update up to rounding).
    const { rows, columns } = marginals(r.plan, n, n)
    expect(distance(columns, 1 / n)).toBeLessThan(1e-5 * Math.sqrt(n) / n * 1.01)
    expect(distance(rows, 1 / n)).toBeLessThan(1e-5 * Math.sqrt(n) / n * 1.01)
  }, 120_000)

  it('solves it with non-uniform marginals to POT’s loss and matching, the plan’s rows on the weights', async () => {
    const [c1, c2] = [Float64Array.from(ref.c1), Float64Array.from(ref.c2)]
    const n = ref.n
    const [p, q] = [marginal(ref.weighted.a, n), marginal(ref.weighted.b, n)]
    const product = tfjsCrossProduct({ n, c: c1, factors: null }, { n, c: c2, factors: null })
    const r = await entropicGw(c1, c2, p, q, { ...GW_DEFAULTS, epsilon: ref.epsilon, product })
    product.dispose()
    expect(r.converged).toBe(true)
    expect(Math.abs(r.loss - ref.weighted.loss) / ref.weighted.loss).toBeLessThan(1e-4)
    expect(matchingRates(r.plan, n, n, [1])[0]).toBeCloseTo(ref.weighted.top1, 12)
    const { rows, columns } = marginals(r.plan, n, n)
    expect(Math.hypot(...Array.from(rows, (v, i) => v - p[i]!))).toBeLessThan(1e-5 * Math.hypot(...p) * 1.01)
    expect(Math.hypot(...Array.from(columns, (v, j) => v - q[j]!))).toBeLessThan(1e-5 * Math.hypot(...q) * 1.01)
  }, 120_000)

  it('pads the product to multiples of 4 (tfjs’s vec4 program) and equals the float64 product, dense and factored', async () => {
    // n = 130 and m = 101 objects, factors of rank 7: none multiples of 4.
    const random = randomGenerator(8)
    const [n, m, p] = [130, 101, 6]
    const x = Float64Array.from({ length: n * p }, () => random() - 0.3)
    const y = Float64Array.from({ length: m * p }, () => random() - 0.6)
    const plan = Float64Array.from({ length: n * m }, () => random() / (n * m))
    const [c1, c2] = [rdmFromFeatures(x, n, p, 'cosine'), rdmFromFeatures(y, m, p, 'correlation')]
    const exact = await hostCrossProduct(c1, n, c2, m).multiply(plan)
    const [fx, fy] = [distanceFactors(x, n, p, 'cosine'), distanceFactors(y, m, p, 'correlation')]
    expect(fx!.rank).toBe(7)
    for (const [one, two] of [[null, null], [fx, null], [null, fy], [fx, fy]] as const) {
      const product = tfjsCrossProduct({ n, c: c1, factors: one }, { n: m, c: c2, factors: two })
      const { result, programs } = await matMulPrograms(() => product.multiply(plan))
      product.dispose()
      expect(result.length).toBe(n * m)
      const error = Math.hypot(...Array.from(result, (v, k) => v - exact[k]!)) / Math.hypot(...exact)
      expect(error).toBeLessThan(1e-5)
      // The products big enough for tfjs's packed program run its vec4 variant; the dense one has two.
      const packed = programs.filter((program) => program.startsWith('matMulPacked'))
      expect(packed.length).toBeGreaterThanOrEqual(one || two ? 1 : 2)
      expect(packed.every((program) => program.endsWith('vec4 true'))).toBe(true)
    }
  })

  it('recovers the relabelling of a point cloud', async () => {
    const m = 60
    const { sides, uniform, partner } = relabelledCloud(m)
    const product = tfjsCrossProduct(sides[0], sides[1])
    const r = await entropicGw(sides[0].c, sides[1].c, uniform, uniform, { ...GW_DEFAULTS, epsilon: 0.02, product })
    product.dispose()
    expect(matchingRates(r.plan, m, m, [1], partner)[0]).toBe(1)
  }, 120_000)

  it('stays finite where the cost spans more than 700 ε, balancing overflowed potentials on the GPU', async () => {
    const [c1, c2] = [Float64Array.from(ref.c1), Float64Array.from(ref.c2)]
    const n = ref.n
    const uniform = new Float64Array(n).fill(1 / n)
    let rebalanced = 0
    for (const epsilon of [0.0005, 1e-5]) {
      const product = tfjsCrossProduct({ n, c: c1, factors: null }, { n, c: c2, factors: null })
      // Two outer steps from the cold start, where the scalings move furthest (SwiftShader is slow: kept short).
      const r = await entropicGw(c1, c2, uniform, uniform, { ...GW_DEFAULTS, epsilon, maxIterations: 2, sinkhornIterations: 300, product })
      product.dispose()
      expect(r.plan.every(Number.isFinite)).toBe(true)
      expect(r.loss).toBeGreaterThan(0)
      // Rows are exact after each update; the columns are still converging (300 iterations at this ε).
      expect(distance(marginals(r.plan, n, n).rows, 1 / n)).toBeLessThan(1e-6)
      expect(r.hostSolves).toBe(0)
      rebalanced += r.rebalancedSolves!
    }
    // The cold start at ε = 1e-5 underflows K in whole rows: its potentials are balanced again on the GPU.
    expect(rebalanced).toBeGreaterThan(0)
  }, 120_000)
})
