// Models compared against the same subjects' matrices (Nili et al. 2014): for two RSA runs whose B is the same
// several matrices, the paired differences of their correlations with each subject, Wilcoxon's two-sided
// signed-rank test, and Benjamini and Hochberg's false discovery rate over the pairs compared with each B. For the
// Results page and the report alike.
import type { RunInfo } from './contract'
import { benjaminiHochberg } from '../core/metrics/fdr'
import { signedRankTwoSided } from '../core/metrics/signedRank'

export interface RsaComparison {
  /** The matrices both were compared with. */
  b: string
  first: string
  second: string
  /** Mean over subjects of first's r minus second's. */
  meanDifference: number
  subjects: number
  p: number
  /** The p-value adjusted for the false discovery rate over this B's pairs. */
  q: number
}

interface Evaluated {
  a: string
  r: (number | null)[]
}

/** RSA runs against several matrices, by B (its name and its matrices'), each model once: its newest run. */
function byMatrices(runs: readonly RunInfo[]): Map<string, { b: string; models: Evaluated[] }> {
  const groups = new Map<string, { b: string; models: Evaluated[] }>()
  for (const run of runs) {
    const result = (run.kind === 'rsa' ? run.result : null) as { a?: string; b?: string; method?: string; perMatrix?: { side?: string; names?: string[]; r?: (number | null)[] } } | null
    const each = result?.perMatrix
    if (!each || each.side !== 'b' || !Array.isArray(each.r) || each.r.length < 2) continue
    const key = JSON.stringify([result.b, result.method, each.names])
    const group = groups.get(key) ?? { b: String(result.b), models: [] }
    if (!group.models.some((m) => m.a === result.a)) group.models.push({ a: String(result.a), r: each.r })
    groups.set(key, group)
  }
  return groups
}

/** Every pair of models evaluated against the same matrices, newest runs first in `runs`. */
export function rsaComparisons(runs: readonly RunInfo[]): RsaComparison[] {
  const found: RsaComparison[] = []
  for (const { b, models } of byMatrices(runs).values()) {
    const pairs: Omit<RsaComparison, 'q'>[] = []
    for (let i = 0; i < models.length; i++) {
      for (let j = i + 1; j < models.length; j++) {
        const [x, y] = [models[i]!, models[j]!]
        const differences = x.r.flatMap((v, s) => (v !== null && y.r[s] != null ? [v - y.r[s]!] : []))
        const test = signedRankTwoSided(differences)
        if (!test) continue
        const meanDifference = differences.reduce((sum, d) => sum + d, 0) / differences.length
        pairs.push({ b, first: x.a, second: y.a, meanDifference, subjects: differences.length, p: test.p })
      }
    }
    const q = benjaminiHochberg(pairs.map((pair) => pair.p))
    found.push(...pairs.map((pair, k) => ({ ...pair, q: q[k]! })))
  }
  return found
}
