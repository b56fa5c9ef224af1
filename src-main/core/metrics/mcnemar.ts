// McNemar's exact test of two classifiers' accuracy on the same items (here: two representations' odd-one-out
// choices on the same human triplets): only the items one gets right and the other wrong say anything, and under
// the null either is as likely — a binomial with p = 1/2 over them. Two-sided, as statsmodels' mcnemar(exact=True)
// and scipy.stats.binomtest(min(b, c), b + c, 0.5) give it.

export interface McNemar {
  /** Items only the first got right. */
  onlyFirst: number
  /** Items only the second got right. */
  onlySecond: number
  p: number
}

/** `first`, `second`: 1 where each got the item right, else 0. */
export function mcnemarExact(first: Uint8Array, second: Uint8Array): McNemar {
  if (first.length !== second.length) throw new RangeError(`${first.length} and ${second.length} items: the test pairs the same items`)
  let onlyFirst = 0
  let onlySecond = 0
  for (let i = 0; i < first.length; i++) {
    if (first[i] && !second[i]) onlyFirst++
    else if (second[i] && !first[i]) onlySecond++
  }
  return { onlyFirst, onlySecond, p: Math.min(1, 2 * binomialHalfCdf(Math.min(onlyFirst, onlySecond), onlyFirst + onlySecond)) }
}

/** P(X ≤ k) for X ~ Binomial(n, 1/2), summed in logs: n may be millions of triplets. */
function binomialHalfCdf(k: number, n: number): number {
  const half = -n * Math.LN2
  // log C(n, i) + n log ½ term by term; the largest term (i = k, as k ≤ n/2) anchors the sum.
  const terms = new Float64Array(k + 1)
  let logChoose = 0
  for (let i = 0; i <= k; i++) {
    terms[i] = logChoose + half
    logChoose += Math.log(n - i) - Math.log(i + 1)
  }
  const top = terms[k]!
  let sum = 0
  for (let i = 0; i <= k; i++) sum += Math.exp(terms[i]! - top)
  return Math.exp(top + Math.log(sum))
}
