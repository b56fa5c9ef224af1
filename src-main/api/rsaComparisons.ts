// Models compared against the same subjects' matrices (Nili et al. 2014): for two RSA runs against the same several
// matrices (on either side of the run), the paired differences of their correlations with each subject, Wilcoxon's
// two-sided signed-rank test, and Benjamini and Hochberg's false discovery rate over the pairs compared with each set
// of matrices. For the Results page and the report alike.
import type { RunInfo } from './contract'
import { benjaminiHochberg } from '../core/metrics/fdr'
import { signedRankTwoSided } from '../core/metrics/signedRank'

export interface RsaComparison {
  /** The matrices both were compared with. */
  against: string
  first: string
  second: string
  /** Mean over subjects of first's r minus second's. */
  meanDifference: number
  subjects: number
  p: number
  /** The p-value adjusted for the false discovery rate over the pairs compared with these matrices. */
  q: number
}

interface Evaluated {
  model: string
  r: (number | null)[]
}

/**
 * RSA runs against several matrices, by those matrices (their dataset's name and theirs), each model — the run's
 * other side — once: its newest run.
 */
function byMatrices(runs: readonly RunInfo[]): Map<string, { against: string; models: Evaluated[] }> {
  const groups = new Map<string, { against: string; models: Evaluated[] }>()
  for (const run of runs) {
    const result = (run.kind === 'rsa' ? run.result : null) as { a?: string; b?: string; method?: string; perMatrix?: { side?: string; names?: string[]; r?: (number | null)[] } } | null
    const each = result?.perMatrix
    if (!each || (each.side !== 'a' && each.side !== 'b') || !Array.isArray(each.r) || each.r.length < 2) continue
    const [against, model] = each.side === 'a' ? [String(result.a), String(result.b)] : [String(result.b), String(result.a)]
    const key = JSON.stringify([against, result.method, each.names])
    const group = groups.get(key) ?? { against, models: [] }
    if (!group.models.some((m) => m.model === model)) group.models.push({ model, r: each.r })
    groups.set(key, group)
  }
  return groups
}

/** Every pair of models evaluated against the same matrices, newest runs first in `runs`. */
export function rsaComparisons(runs: readonly RunInfo[]): RsaComparison[] {
  const found: RsaComparison[] = []
  for (const { against, models } of byMatrices(runs).values()) {
    const pairs: Omit<RsaComparison, 'q'>[] = []
    for (let i = 0; i < models.length; i++) {
      for (let j = i + 1; j < models.length; j++) {
        const [x, y] = [models[i]!, models[j]!]
        const differences = x.r.flatMap((v, s) => (v !== null && y.r[s] != null ? [v - y.r[s]!] : []))
        const test = signedRankTwoSided(differences)
        if (!test) continue
        const meanDifference = differences.reduce((sum, d) => sum + d, 0) / differences.length
        pairs.push({ against, first: x.model, second: y.model, meanDifference, subjects: differences.length, p: test.p })
      }
    }
    const q = benjaminiHochberg(pairs.map((pair) => pair.p))
    found.push(...pairs.map((pair, k) => ({ ...pair, q: q[k]! })))
  }
  return found
}
