import { describe, expect, it } from 'vitest'
import { argsortFloat64 } from '../../src-main/core/metrics/argsort'

describe('argsortFloat64', () => {
  it('orders like a comparison sort, negatives, fractions and ties included', () => {
    const values = Float64Array.of(3.5, -2, 0, 1e-300, -1e300, 7, 3.5, -0.5, 1e300, 2 ** -1074, -2)
    const order = Array.from(argsortFloat64(values))
    const sorted = order.map((i) => values[i]!)
    expect(sorted).toEqual([...values].sort((a, b) => a - b))
    // Stable: equal values keep their original order.
    expect(order.indexOf(0)).toBeLessThan(order.indexOf(6))
    expect(order.indexOf(1)).toBeLessThan(order.indexOf(10))
  })

  it('sorts a million random values', () => {
    const values = Float64Array.from({ length: 1_000_000 }, () => (Math.random() - 0.5) * 1e6)
    const order = argsortFloat64(values)
    for (let i = 1; i < order.length; i++) expect(values[order[i]!]! >= values[order[i - 1]!]!).toBe(true)
  })
})
