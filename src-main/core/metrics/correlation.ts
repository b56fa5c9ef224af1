import { argsortFloat64 } from './argsort'

// Correlations between two equal-length vectors: Pearson, Spearman (Pearson of average ranks, so ties are
// handled as scipy.stats.spearmanr does) and Kendall's tau-a (rsatoolbox's choice for RDMs with ties).

export type CorrelationMethod = 'pearson' | 'spearman' | 'kendall'

function checkLengths(x: ArrayLike<number>, y: ArrayLike<number>): void {
  if (x.length !== y.length) throw new RangeError(`the two vectors differ in length (${x.length} and ${y.length})`)
  if (x.length < 2) throw new RangeError('a correlation needs at least two values')
}

export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkLengths(x, y)
  const n = x.length
  let mx = 0
  let my = 0
  for (let i = 0; i < n; i++) {
    mx += x[i]!
    my += y[i]!
  }
  mx /= n
  my /= n
  let sxy = 0
  let sxx = 0
  let syy = 0
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx
    const dy = y[i]! - my
    sxy += dx * dy
    sxx += dx * dx
    syy += dy * dy
  }
  return sxx === 0 || syy === 0 ? NaN : sxy / Math.sqrt(sxx * syy)
}

/** Ranks 1…n, ties sharing the average of the ranks they span. */
export function averageRanks(x: ArrayLike<number>): Float64Array {
  return ranksInOrder(x, argsortFloat64(x instanceof Float64Array ? x : Float64Array.from(x)))
}

/** averageRanks, given the order of x's values (argsortFloat64's). */
export function ranksInOrder(x: ArrayLike<number>, order: Uint32Array): Float64Array {
  const n = x.length
  const ranks = new Float64Array(n)
  for (let i = 0; i < n; ) {
    let j = i
    while (j + 1 < n && x[order[j + 1]!] === x[order[i]!]) j++
    const rank = (i + j) / 2 + 1
    for (let k = i; k <= j; k++) ranks[order[k]!] = rank
    i = j + 1
  }
  return ranks
}

export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkLengths(x, y)
  return pearson(averageRanks(x), averageRanks(y))
}

/**
 * Kendall's tau-a: (concordant − discordant) / (n(n−1)/2), ties counting as neither. O(n log n) by merge-sort
 * counting of discordant pairs (Knight 1966), with the tie corrections that counting needs.
 */
export function kendallTauA(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkLengths(x, y)
  const n = x.length
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a]! - x[b]! || y[a]! - y[b]!)
  const [xs, ys] = [new Float64Array(n), new Float64Array(n)]
  for (let k = 0; k < n; k++) {
    xs[k] = x[order[k]!]!
    ys[k] = y[order[k]!]!
  }
  // Pairs tied in x, and tied in both.
  let tiedX = 0
  let tiedXY = 0
  for (let i = 0; i < n; ) {
    let j = i
    while (j + 1 < n && xs[j + 1] === xs[i]) j++
    const run = j - i + 1
    tiedX += (run * (run - 1)) / 2
    for (let k = i; k <= j; ) {
      let m = k
      while (m + 1 <= j && ys[m + 1] === ys[k]) m++
      const r = m - k + 1
      tiedXY += (r * (r - 1)) / 2
      k = m + 1
    }
    i = j + 1
  }
  // Discordant pairs: inversions of y after sorting by (x, y), counted by merge sort.
  let swaps = 0
  const buffer = new Float64Array(n)
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n - width; lo += 2 * width) {
      const mid = lo + width
      const hi = Math.min(lo + 2 * width, n)
      let i = lo
      let j = mid
      let k = lo
      while (i < mid && j < hi) {
        if (ys[i]! <= ys[j]!) buffer[k++] = ys[i++]!
        else {
          buffer[k++] = ys[j++]!
          swaps += mid - i
        }
      }
      while (i < mid) buffer[k++] = ys[i++]!
      while (j < hi) buffer[k++] = ys[j++]!
      for (let t = lo; t < hi; t++) ys[t] = buffer[t]!
    }
  }
  // ys is now sorted: pairs tied in y.
  let tiedY = 0
  for (let i = 0; i < n; ) {
    let j = i
    while (j + 1 < n && ys[j + 1] === ys[i]) j++
    tiedY += ((j - i + 1) * (j - i)) / 2
    i = j + 1
  }
  const pairs = (n * (n - 1)) / 2
  const discordant = swaps
  const concordant = pairs - tiedX - tiedY + tiedXY - discordant
  return (concordant - discordant) / pairs
}

export const CORRELATIONS: Record<CorrelationMethod, (x: ArrayLike<number>, y: ArrayLike<number>) => number> = {
  pearson,
  spearman,
  kendall: kendallTauA,
}
