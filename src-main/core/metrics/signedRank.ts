// Wilcoxon's signed-rank test: Nili et al.'s (2014) test across subjects, of whether a model's RDM is related to
// theirs (one-sided, values above zero) and of whether two models differ (two-sided, on the paired differences).
// The statistic is the sum of the ranks of |x| (average ranks for ties) over the positive values; its null
// distribution, every sign equally likely on the observed ranks, is computed exactly (zeros dropped) —
// scipy.stats.wilcoxon for up to 50 values (SciPy ≥ 1.13's exact method; beyond 50 SciPy approximates it by a
// normal distribution).
import { averageRanks } from './correlation'

export interface SignedRank {
  /** The sum of the positive values' ranks. */
  statistic: number
  p: number
  /** Values other than zero. */
  n: number
}

/** The statistic, and its exact null distribution over doubled rank sums (twice an average rank is whole). */
function signedRanks(values: readonly number[]): { statistic: number; doubled: number; probability: Float64Array; n: number } | null {
  const nonzero = values.filter((v) => v !== 0 && Number.isFinite(v))
  const n = nonzero.length
  if (!n) return null
  const ranks = averageRanks(nonzero.map(Math.abs))
  const statistic = nonzero.reduce((sum, v, i) => sum + (v > 0 ? ranks[i]! : 0), 0)
  const doubledRanks = Array.from(ranks, (r) => Math.round(2 * r))
  const total = doubledRanks.reduce((a, b) => a + b, 0)
  const probability = new Float64Array(total + 1)
  probability[0] = 1
  for (const r of doubledRanks) {
    for (let s = total; s >= r; s--) probability[s] = (probability[s]! + probability[s - r]!) / 2
    for (let s = r - 1; s >= 0; s--) probability[s]! /= 2
  }
  return { statistic, doubled: Math.round(2 * statistic), probability, n }
}

const tail = (probability: Float64Array, from: number, to: number): number => {
  let p = 0
  for (let s = from; s <= to; s++) p += probability[s]!
  return p
}

/** That the values lie above zero: scipy.stats.wilcoxon(x, alternative='greater'). */
export function signedRankGreater(values: readonly number[]): SignedRank | null {
  const found = signedRanks(values)
  if (!found) return null
  const { statistic, doubled, probability, n } = found
  return { statistic, p: Math.min(1, tail(probability, doubled, probability.length - 1)), n }
}

/** That the values are centred on zero, either way: scipy.stats.wilcoxon(x), whose statistic is the smaller rank sum. */
export function signedRankTwoSided(values: readonly number[]): SignedRank | null {
  const found = signedRanks(values)
  if (!found) return null
  const { statistic, doubled, probability, n } = found
  const total = probability.length - 1
  const smaller = Math.min(doubled, total - doubled)
  // The distribution is symmetric: twice the tail beyond the smaller sum.
  return { statistic: Math.min(statistic, total / 2 - statistic), p: Math.min(1, 2 * tail(probability, 0, smaller)), n }
}
