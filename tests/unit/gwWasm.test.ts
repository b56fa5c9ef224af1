// The WebAssembly Sinkhorn sweep and kernel fill: the committed binary is the one sinkhorn.wat compiles to, and its
// arithmetic is the plain loops' (odd and even row lengths, where the SIMD loop leaves a tail).
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { randomGenerator } from '../../src-main/core/data/simulate'
import { join } from 'node:path'
import { sinkhornStabilized } from '../../src-main/core/gw/sinkhorn'
import { sinkhornWorkspace } from '../../src-main/core/gw/wasm/sinkhornKernel'
import { sinkhornPool } from '../../src-main/jobs/sinkhornPool'
import { WORKER_DIR } from '../helpers/seed'

describe('the WebAssembly Sinkhorn kernel', () => {
  it('is compiled from its source (npm run build:wasm)', async () => {
    const { compile, kernels } = await import('../../scripts/build-wasm.mjs')
    const all = kernels()
    expect(all.map((k) => k.wat.split('/').at(-1))).toContain('sinkhorn.wat')
    for (const { wat, ts } of all) expect(readFileSync(ts, 'utf8')).toBe(await compile(wat))
  })

  it('sweeps as the plain loops do', () => {
    const random = randomGenerator(3)
    for (const [n, m] of [[7, 5], [6, 8], [3, 1], [40, 33]] as const) {
      const space = sinkhornWorkspace(n, m)
      // K is float32 in the kernel; the reference sums the same float32 values in float64.
      const k = Float32Array.from({ length: n * m }, () => random())
      const a = Float64Array.from({ length: n }, () => 0.5 + random())
      const v = Float64Array.from({ length: m }, () => 0.5 + random())
      space.k.set(k)
      space.a.set(a)
      space.v.set(v)
      const u = Float64Array.from(a, (ai, i) => ai / v.reduce((s, vj, j) => s + k[i * m + j]! * vj, 0))
      const ktu = Float64Array.from(v, (_, j) => u.reduce((s, ui, i) => s + k[i * m + j]! * ui, 0))
      // u ∈ [0.1, 10] here: within a limit of 1e3, outside one of 1.01.
      expect(space.sweep(1e3)).toBe(false)
      u.forEach((x, i) => expect(space.u[i]).toBeCloseTo(x, 12))
      ktu.forEach((x, j) => expect(space.ktu[j]).toBeCloseTo(x, 12))
      space.ktu.fill(0)
      space.columnSums()
      ktu.forEach((x, j) => expect(space.ktu[j]).toBeCloseTo(x, 12))
      expect(space.sweep(1.01)).toBe(true)
    }
  })

  it('fills K with the float32 values of Math.exp, also where it underflows or overflows', () => {
    const random = randomGenerator(5)
    for (const [n, m, eps] of [[7, 5, 0.003], [6, 8, 1], [40, 33, 0.05], [300, 301, 0.003]] as const) {
      const space = sinkhornWorkspace(n, m)
      // Arguments (f + g − C)/ε from about −700 to 160 at ε = 0.003 (K from 0 through denormals to beyond float32's
      // range, where it is ∞), and a few exactly 0.
      space.cost.set(Float64Array.from({ length: n * m }, (_, k) => (k % 17 === 0 ? 0 : 2 * random() - 0.4)))
      space.f.set(Float64Array.from({ length: n }, () => 0.1 * random()))
      space.g.set(Float64Array.from({ length: m }, (_, j) => (j === 0 ? 0 : -0.1 * random())))
      space.f[0] = 0
      space.fill(eps)
      const expected = Float32Array.from({ length: n * m }, (_, k) => Math.exp((space.f[Math.floor(k / m)]! + space.g[k % m]! - space.cost[k]!) / eps))
      // Correctly rounded to float32 but where an exact tie is a few float64 ulp away (none in these 93,000).
      expect(Array.from(space.k)).toEqual(Array.from(expected))
      if (eps === 0.003) {
        expect(expected.some((x) => x === 0)).toBe(true)
        expect(expected.some((x) => x > 0 && x < 1.2e-38)).toBe(true)
        expect(expected.some((x) => x === Infinity)).toBe(true)
      }
    }
  })

  it('refuses a plan too large for its 4 GiB, saying so', () => {
    expect(() => sinkhornWorkspace(20_000, 20_000)).toThrow('a transport plan of 20,000 × 20,000 needs 4.5 GiB for its Sinkhorn kernel, more than the 4 GiB it can have: use fewer objects (up to about 18,900 a side)')
    // The kernel still works at a size it can hold.
    expect(sinkhornWorkspace(3, 4).k.length).toBe(12)
  })

  it('splits its passes by blocks of rows over helper threads to the same values, and a whole solve with them', async () => {
    const worker = join(WORKER_DIR, 'sinkhornWorker.js')
    // One thread, or a plan too small to share: no helpers.
    expect(await sinkhornPool(300, 301, 1, worker)).toBeNull()
    expect(await sinkhornPool(200, 300, 3, worker)).toBeNull()
    const [n, m] = [301, 257]
    const pool = (await sinkhornPool(n, m, 3, worker))!
    try {
      expect(pool.blocks).toBe(3)
      const random = randomGenerator(8)
      const k = Float32Array.from({ length: n * m }, () => random())
      const [a, v] = [Float64Array.from({ length: n }, () => 0.5 + random()), Float64Array.from({ length: m }, () => 0.5 + random())]
      const [here, shared] = [sinkhornWorkspace(n, m), sinkhornWorkspace(n, m, pool)]
      for (const space of [here, shared]) {
        space.k.set(k)
        space.a.set(a)
        space.v.set(v)
      }
      // The helpers' blocks (rows 100–200 and 200–300) see the limit too: u ∈ [0.1, 10].
      expect([here.sweep(1e3), shared.sweep(1e3)]).toEqual([false, false])
      expect(Array.from(shared.u)).toEqual(Array.from(here.u))
      // Column sums summed block by block: the same to float64 rounding.
      shared.ktu.forEach((x, j) => expect(x).toBeCloseTo(here.ktu[j]!, 13))
      shared.a[250] = 1e6
      expect(shared.sweep(1e3)).toBe(true)
      // A solve of GW's inner problem: the same iterations, plan and potentials.
      const cost = Float64Array.from({ length: n * m }, () => random())
      const [p, q] = [new Float64Array(n).fill(1 / n), new Float64Array(m).fill(1 / m)]
      const options = { epsilon: 0.01, maxIterations: 1000, tolerance: 1e-9 }
      const [alone, split] = [sinkhornStabilized(p, q, cost, options), sinkhornStabilized(p, q, cost, options, undefined, undefined, pool)]
      expect(split.converged).toBe(true)
      expect(split.iterations).toBe(alone.iterations)
      split.plan.forEach((x, i) => expect(Math.abs(x - alone.plan[i]!)).toBeLessThan(1e-15))
      split.f.forEach((x, i) => expect(x).toBeCloseTo(alone.f[i]!, 12))
    } finally {
      pool.dispose()
    }
  })
})
