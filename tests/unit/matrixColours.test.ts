import { describe, expect, it } from 'vitest'
import { offDiagonalPercentiles } from '../../src-main/api/matrixColours'

describe('offDiagonalPercentiles', () => {
  it("equals SciPy's percentileofscore(off-diagonal, v, kind='mean') for every entry, ties and diagonal included", () => {
    const m = [0, 3, 1, 3, 3, 0, 2, 5, 1, 2, 0, 3, 3, 5, 3, 0]
    // python3 -c "import numpy as np; from scipy.stats import percentileofscore as p; m=np.array(M).reshape(4,4);
    //   off=m[~np.eye(4,dtype=bool)]; print([p(off,v,kind='mean') for v in m.ravel()])"
    const scipy = [0, 58.333333333333336, 8.333333333333334, 58.333333333333336, 58.333333333333336, 0, 25, 91.66666666666667, 8.333333333333334, 25, 0, 58.333333333333336, 58.333333333333336, 91.66666666666667, 58.333333333333336, 0]
    const ours = offDiagonalPercentiles(m, 4)
    scipy.forEach((v, k) => expect(ours[k]).toBeCloseTo(v, 12))
  })

  it('gives two matrices on different scales, one a monotone function of the other, the same colours', () => {
    const a = Array.from({ length: 25 }, (_, k) => (Math.floor(k / 5) === k % 5 ? 0 : ((k * 7919) % 13) / 10))
    const b = a.map((v) => 0.01 * Math.sqrt(v))
    expect(Array.from(offDiagonalPercentiles(b, 5))).toEqual(Array.from(offDiagonalPercentiles(a, 5)))
  })

  it('is NaN for a NaN entry and where there are no off-diagonal entries', () => {
    const p = offDiagonalPercentiles([0, NaN, 2, 0], 2)
    expect(Number.isNaN(p[1]!)).toBe(true)
    expect(p[2]).toBe(50)
    expect(Number.isNaN(offDiagonalPercentiles([0], 1)[0]!)).toBe(true)
  })
})
