// Odd-one-out accuracy per category across the project's runs: one row per category, one column per run that
// counted its triplets by category — how a model does on animals against tools, next to another model. The Results
// page and the HTML report show it alike.
import type { RunInfo } from './contract'

export interface GroupCell {
  accuracy: number
  correct: number
  total: number
}

export interface CategoryAccuracy {
  runs: { id: number; features: string; triplets: string }[]
  /** Categories some run has triplets of, in the order the runs first list them. */
  categories: string[]
  /** cells[category][run]: null where the run has no triplet of the category. */
  cells: (GroupCell | null)[][]
}

type Groups = Record<string, { accuracy: number | null; correct: number; total: number }>

/** The table, or null when no odd-one-out run has accuracy per category. */
export function categoryAccuracy(runs: readonly RunInfo[]): CategoryAccuracy | null {
  const counted = runs.flatMap((run) => {
    const r = (run.result ?? {}) as { perCategory?: Groups | null; features?: unknown; triplets?: unknown }
    if (run.kind !== 'odd-one-out' || !r.perCategory || !Object.values(r.perCategory).some((g) => g.total > 0)) return []
    return [{ id: run.id, features: String(r.features ?? '—'), triplets: String(r.triplets ?? '—'), groups: r.perCategory }]
  })
  if (!counted.length) return null
  const categories = [...new Set(counted.flatMap((run) => Object.entries(run.groups).filter(([, g]) => g.total > 0).map(([name]) => name)))]
  const cells = categories.map((category) =>
    counted.map(({ groups }) => {
      const g = groups[category]
      return g && g.total > 0 && g.accuracy !== null ? { accuracy: g.accuracy, correct: g.correct, total: g.total } : null
    }),
  )
  return { runs: counted.map(({ id, features, triplets }) => ({ id, features, triplets })), categories, cells }
}
