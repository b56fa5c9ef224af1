// Percentiles of a square matrix's entries among its off-diagonal ones: how RDMs are shown for comparison in RSA
// (Kriegeskorte et al. 2008 colour them by percentile of dissimilarity), since a rank correlation compares ranks,
// not values, and two RDMs on different scales (IT distances up to 1.1, judgments up to 0.02) then share a colour scale.

/**
 * For each entry of the size × size row-major matrix, the percentage of off-diagonal entries below it, ties counted
 * half (the mean rank of its value, on 0–100); NaN for a NaN entry or when there are no off-diagonal entries.
 */
export function offDiagonalPercentiles(values: ArrayLike<number>, size: number): Float64Array {
  const sorted = new Float64Array(size * (size - 1))
  let count = 0
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      const v = values[i * size + j]!
      if (i !== j && !Number.isNaN(v)) sorted[count++] = v
    }
  }
  const reference = sorted.subarray(0, count).sort()
  /** The first index whose value is not below v (strictly: not at or below v). */
  const bound = (v: number, strict: boolean) => {
    let [lo, hi] = [0, count]
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (reference[mid]! < v || (strict && reference[mid] === v)) lo = mid + 1
      else hi = mid
    }
    return lo
  }
  return Float64Array.from({ length: size * size }, (_, k) => {
    const v = values[k]!
    if (Number.isNaN(v) || count === 0) return NaN
    const below = bound(v, false)
    return (100 * (below + (bound(v, true) - below) / 2)) / count
  })
}
