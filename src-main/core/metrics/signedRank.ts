// Wilcoxon's signed-rank test that values lie above zero (one-sided): Nili et al.'s (2014) test, across subjects, of
// whether a model's RDM is related to theirs. The statistic is the sum of the ranks of |x| (average ranks for ties)
// over the positive values; its null distribution, every sign equally likely on the observed ranks, is computed
// exactly (zeros dropped) — scipy.stats.wilcoxon(x, alternative='greater') for up to 50 values (SciPy ≥ 1.13's
// exact method; beyond 50 SciPy approximates it by a normal distribution).
import { averageRanks } from './correlation'

export interface SignedRank {
  statistic: number
  p: number
  /** Values other than zero. */
  n: number
}

export function signedRankGreater(values: readonly number[]): SignedRank | null {
  const nonzero = values.filter((v) => v !== 0 && Number.isFinite(v))
  const n = nonzero.length
  if (!n) return null
  const ranks = averageRanks(nonzero.map(Math.abs))
  const statistic = nonzero.reduce((sum, v, i) => sum + (v > 0 ? ranks[i]! : 0), 0)
  // Twice an average rank is a whole number: the distribution is over sums of doubled ranks.
  const doubled = Array.from(ranks, (r) => Math.round(2 * r))
  const total = doubled.reduce((a, b) => a + b, 0)
  const probability = new Float64Array(total + 1)
  probability[0] = 1
  for (const r of doubled) {
    for (let s = total; s >= r; s--) probability[s] = (probability[s]! + probability[s - r]!) / 2
    for (let s = r - 1; s >= 0; s--) probability[s]! /= 2
  }
  let p = 0
  for (let s = Math.round(2 * statistic); s <= total; s++) p += probability[s]!
  return { statistic, p: Math.min(1, p), n }
}
