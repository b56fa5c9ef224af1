import { describe, expect, it } from 'vitest'
import { upperRowProducts, type RowProduct } from '../../src-main/core/metrics/rowProducts'

/** The definition, term by term in float64: what pdist sums. */
function reference(rows: Float64Array, n: number, p: number, product: RowProduct): Float64Array {
  const out = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0
      for (let d = 0; d < p; d++) {
        const [a, b] = [rows[i * p + d]!, rows[j * p + d]!]
        s += product === 'dot' ? a * b : (a - b) ** 2
      }
      out[i * n + j] = s
    }
  }
  return out
}

const rowsOf = (n: number, p: number) => Float64Array.from({ length: n * p }, (_, i) => Math.sin(i * 1.7 + 0.3) * (1 + (i % 5)))

describe('row products in WebAssembly (the sums of an RDM of features)', () => {
  // Odd and even counts of rows and columns, n past a multiple of 4 (tiles run over the last row and column),
  // stripes of 2 rows and column blocks of 4 (every boundary crossed), and the default sizes.
  const shapes = [[2, 1], [3, 2], [5, 3], [37, 11], [64, 8], [101, 33]] as const
  const sizes = { small: { blockBytes: 1, stripeValues: 1 }, default: undefined }
  for (const product of ['dot', 'squaredDistance'] as const) {
    for (const [label, size] of Object.entries(sizes)) {
      it.each(shapes)(`${product}, %i × %i rows, ${label} stripes and blocks: the definition's sums, zero elsewhere`, (n, p) => {
        const rows = rowsOf(n, p)
        const got = upperRowProducts(rows, n, p, product, size)
        const want = reference(rows, n, p, product)
        for (let i = 0; i < n * n; i++) {
          // Only the summation order differs (even and odd terms in two lanes).
          expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(want[i]!)))
        }
      })
    }
  }

  it('a single row has no pairs; rows of the wrong length are refused', () => {
    expect(Array.from(upperRowProducts(Float64Array.of(1, 2), 1, 2, 'dot'))).toEqual([0])
    expect(() => upperRowProducts(new Float64Array(5), 2, 3, 'dot')).toThrow(/hold 5 values, expected 2 × 3/)
  })

  it('says how much memory a set too large for WebAssembly would need, before allocating it', () => {
    const [n, p] = [30_000, 20_000]
    const huge = { length: n * p } as unknown as Float64Array
    expect(() => upperRowProducts(huge, n, p, 'dot')).toThrow(/30,000 objects × 20,000 features need 4\.5 GiB .* use fewer features \(e\.g\. a PCA\) or fewer objects/)
  })
})
