import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { simulateTriplets } from '../../src-main/core/data/simulate'
import { fitTemperature } from '../../src-main/core/metrics/temperatureFit'
import { readTable } from '../../src-main/files/readers'

const fixture = JSON.parse(readFileSync(join(__dirname, '../fixtures/metrics/temperature_fit.json'), 'utf8')) as { pairs: number[]; temperature: number; meanNll: number }

describe('fitTemperature', () => {
  it('finds the maximum-likelihood temperature SciPy finds (temperature_fit.py)', () => {
    const fitted = fitTemperature(Float64Array.from(fixture.pairs))
    expect(Math.abs(fitted.temperature! / fixture.temperature - 1)).toBeLessThan(1e-10)
    expect(fitted.meanNll).toBeCloseTo(fixture.meanNll, 10)
  })

  it('recovers the temperature SPoSE triplets were simulated at', async () => {
    const table = await readTable(join(__dirname, '../../resources/examples/things/spose_embedding66d_rescaled.csv'))
    const dims = table.columns.filter((c) => c.kind === 'number').slice(1)
    const [n, p] = [table.rows, dims.length]
    const x = new Float32Array(n * p)
    dims.forEach((column, d) => column.numbers!.forEach((v, i) => (x[i * p + d] = v)))
    for (const temperature of [300, 1000]) {
      const simulated = simulateTriplets(x, n, p, 40_000, 3, temperature)
      const dot = (i: number, j: number) => x.subarray(i * p, (i + 1) * p).reduce((sum, v, d) => sum + v * x[j * p + d]!, 0)
      const t = simulated.indices
      const pairs = Float64Array.from({ length: t.length }, (_, k) => {
        const at = k - (k % 3)
        const [a, b] = [[0, 1], [0, 2], [1, 2]][k % 3]!
        return dot(t[at + a!]!, t[at + b!]!)
      })
      const fitted = fitTemperature(pairs)
      // 40,000 choices pin τ to about ±2% (the likelihood's curvature); the fit is within that.
      expect(Math.abs(fitted.temperature! / temperature - 1)).toBeLessThan(0.03)
    }
  })

  it('says when the similarities do no better than chance, and stays finite when they are always right', () => {
    // The human pair is always the least similar: no temperature beats uniform guessing.
    expect(fitTemperature(Float64Array.of(1, 2, 3, 0, 5, 4))).toEqual({ temperature: null, meanNll: Math.log(3) })
    // Always the most similar by a margin of 7 or more: τ falls until the likelihood is 1 to double precision, far below
    // the margins, without overflow.
    const sure = fitTemperature(Float64Array.of(10, 0, 0, 9, 1, 2))
    expect(sure.temperature).toBeGreaterThan(0)
    expect(sure.temperature).toBeLessThan(0.25)
    expect(sure.meanNll).toBeLessThan(1e-15)
    expect(() => fitTemperature(new Float64Array(0))).toThrow('no triplets to fit a temperature to')
  })
})
